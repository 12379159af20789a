/* `wgjail provision JAIL` as a function, for `up` and `boot` on FreeBSD
 * (agent/platform_freebsd.c): the host's and the jail's FreeBSD files
 * written from the spec and config, each only when it differs (see
 * agent/cmd_provision.c).  Takes the provision lock and the jail's lock. */
#ifndef WGJAIL_PROVISION_H
#define WGJAIL_PROVISION_H

#include <stdbool.h>
#include <stdio.h>

struct wj_err;

/* Write (DRY_RUN: show) JAIL's files under this host's root; OUT gets one
 * line per file written and a summary.  0, or -1 with E set. */
int provision_jail(const char *jail, bool dry_run, FILE *out, struct wj_err *e);

#endif
