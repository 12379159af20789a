/* FreeBSD: the pf anchor of a jail spec (agent/reach.h -> rc/pfanchor.h),
 * for `provision`. */
#ifndef WGJAIL_RCREACH_H
#define WGJAIL_RCREACH_H

#include <stdbool.h>
#include <stddef.h>

struct jail_spec;
struct wj_err;

/* The anchor file of S in *TEXT (heap; NULL when S has no NAT), *LEN its
 * length, *NEED6 whether the jail forwards IPv6.  NAT on FreeBSD needs
 * nat_interface (no default-route lookup there). */
int rcreach_pf_anchor(const struct jail_spec *s, char **text, size_t *len, bool *need6, struct wj_err *e);

struct rc_plan;

/* provision: S's anchor file (ROOT/etc/pf.wgjail/NAME.conf, under the
 * host guard HGUARD) added to P, or, without NAT, an anchor an earlier
 * run wrote removed; *NOTE (heap, "" if none) the hook lines missing from
 * ROOT/etc/pf.conf and ROOT/etc/rc.conf. */
int rcreach_provision(struct rc_plan *p, const char *root, const char *hguard, const struct jail_spec *s,
		      char **note, struct wj_err *e);
/* The jail.conf text TEXT (*LEN) with S's pf lines before its closing
 * brace (TEXT itself when S has no NAT); NULL when out of memory (TEXT
 * freed). */
char *rcreach_jail_conf(char *text, size_t *len, const struct jail_spec *s);

#endif
