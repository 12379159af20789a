/* `wgjail boot`: bring every jail of the configuration directory up,
 * first boot included, one jail's failure never stopping the others.
 * Also the first step of `wgjail agent`.
 *
 * Per jail: load the spec; give the jail a private key if it has none
 * (agent/bootkey.h); check its WireGuard config (errors name file:line);
 * then the platform's part (boot_up, agent/platform.h): on Linux `up`
 * (which reconciles a jail that is already up with minimal changes), on
 * FreeBSD provision (first-boot keys reach the jail's files), then
 * reconcile the jail when it runs, else start it with jail(8) - unless
 * the host's rc.conf has rc.d/jail start it (jail_enable, jail_list): one
 * owner per jail at boot, rc.d/wgjail running before rc.d/jail (state
 * "ready", agent/jailcmd.h). */
#ifndef WGJAIL_BOOT_H
#define WGJAIL_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/err.h"
#include "util/strutil.h"

struct jail_spec;

struct boot_row {
	char name[WJ_JAIL_NAME_MAX + 1];
	char uplink[16];              /* "bridge", "wireguard", "?" if the spec is unreadable */
	char ifname[WJ_IFNAME_MAX + 1];
	const char *state;            /* "up", "ready", "partial", "failed" */
	bool failed;
	bool key_generated;
	char message[WJ_ERR_MAX];     /* why it failed, or a note */
};

/* Boot one jail NAME; ROW is filled in all cases.  OUT receives the
 * platform's change lines (may be NULL).  Returns 0, or -1 (ROW says why). */
int boot_jail(const char *name, FILE *out, struct boot_row *row);
/* Same; when the spec and the config were good (the platform part was
 * reached, whatever its outcome), SPEC and *CONF (if not NULL) get them:
 * the config as parsed, endpoints unresolved host names kept as text.
 * Otherwise they are left untouched. */
struct wg_device;
int boot_jail_ex(const char *name, FILE *out, struct boot_row *row, struct jail_spec *spec,
		 struct wg_device **conf);

/* Boot every jail; *ROWS (free()) gets one row per jail.  Returns the
 * number of jails that failed, or -1 with E set if the directory cannot be
 * listed. */
int boot_all(FILE *out, struct boot_row **rows, size_t *n, struct wj_err *e);

/* The summary table: JAIL UPLINK INTERFACE STATE MESSAGE. */
void boot_print(FILE *f, const struct boot_row *rows, size_t n);


#endif
