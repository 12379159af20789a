/* A FreeBSD jail's own copy of its WireGuard config, kept in step.
 *
 * The jail's rc applies ROOT/etc/IF.conf at every start (start_if.IF,
 * written by `provision`), so every change made to a jail's config
 * (peer add/remove, rotate, export --generate-remote-key, an edit the
 * agent reconciles) is also written there: a restart of the jail keeps it.
 * ROOT is the jail's path (agent/jailroot.h), IF the interface's name in
 * the jail (rc/names.h).  The text is provision's (rc/ifconf.h: the merged
 * config without the wg-quick keys); the file is replaced atomically with
 * mode 0600 through rc/plan.h (no symbolic link below the jail's root is
 * followed), and only when it differs.  A jail that was never provisioned
 * (no HOSTROOT/etc/jail.conf.d/NAME.conf) is left alone: its files are
 * provision's to make.  Platform-neutral; FreeBSD's keep_files
 * (agent/platform.h). */
#ifndef WGJAIL_JAILIFCONF_H
#define WGJAIL_JAILIFCONF_H

#include <stdio.h>

struct jail_spec;
struct wj_err;

/* Bring HOSTROOT ("" for this host) ROOT/etc/IF.conf of jail S in step
 * with CONFDIR.  OUT (may be NULL) gets a line when the file is written.
 * Returns 1 (written), 0 (already in step, or not provisioned), -1 with E
 * set (nothing written: a config that does not load, an existing file that
 * is not a WireGuard config, a root that is missing or is the host's). */
int jail_ifconf_sync(const struct jail_spec *s, const char *hostroot, FILE *out, struct wj_err *e);

#endif
