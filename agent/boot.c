/* `wgjail boot` (see agent/boot.h). */
#include "agent/boot.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "agent/bootkey.h"
#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/keyguard.h"
#include "agent/platform.h"
#include "agent/uplink.h"
#include "agent/jailwg.h"
#include "wg/config.h"
#include "wg/model.h"

static int fail(struct boot_row *row, const struct wj_err *e)
{
	row->failed = true;
	row->state = "failed";
	snprintf(row->message, sizeof(row->message), "%s", e->msg);
	return -1;
}

int boot_jail(const char *name, FILE *out, struct boot_row *row)
{
	return boot_jail_ex(name, out, row, NULL, NULL);
}

int boot_jail_ex(const char *name, FILE *out, struct boot_row *row, struct jail_spec *spec,
		 struct wg_device **conf_out)
{
	struct jail_spec s;
	struct wg_device *conf = NULL;
	struct wj_err e;
	int r, lockfd = -1;

	memset(row, 0, sizeof(*row));
	snprintf(row->name, sizeof(row->name), "%s", name);
	snprintf(row->uplink, sizeof(row->uplink), "?");
	snprintf(row->ifname, sizeof(row->ifname), "?");
	wj_err_clear(&e);
	/* The whole boot of a jail under its lock: what a killed command
	 * left half done is finished first (agent/jaillock.h), and no other
	 * command changes the files between the key and the up. */
	if (wj_jail_name_invalid(name) || jail_lock(name, &lockfd, &e) < 0 || jailspec_load(name, &s, &e) < 0) {
		if (!e.msg[0])
			wj_errf(&e, "jail name '%s' is not valid", name);
		r = fail(row, &e);
		goto out;
	}
	snprintf(row->uplink, sizeof(row->uplink), "%s", uplink_name(s.uplink));
	snprintf(row->ifname, sizeof(row->ifname), "%s", s.ifname);
	/* The key first, persisted before anything uses it. */
	if (bootkey_ensure(&s, &row->key_generated, &e) < 0) {
		r = fail(row, &e);
		goto out;
	}
	/* Check the config (main file and drop-ins) here so that its errors
	 * name file:line even when the platform part reads it again. */
	if (jailwg_load(name, s.ifname, &conf, &e) < 0) {
		r = fail(row, &e);
		goto out;
	}
	/* The jail has a key now: remembered, so that it is never replaced
	 * by a first-boot key (agent/keyguard.h; a key made above is recorded
	 * already). */
	keyguard_note(name, conf);
	if (spec)
		*spec = s;
	if (conf_out)
		*conf_out = conf;
	else
		wg_device_free(conf);
	r = wj_platform()->boot_up(&s, out, &e);
	if (r < 0) {
		r = fail(row, &e);
		goto out;
	}
	if (r == 2) {
		/* Prepared; the system starts it at boot (FreeBSD: rc.d/jail). */
		row->state = "ready";
		snprintf(row->message, sizeof(row->message), "%sstarted by rc.d/jail (/etc/rc.conf enables it)",
			 row->key_generated ? "new private key generated; " : "");
		r = 0;
		goto out;
	}
	if (r > 0) {
		/* Up, but some peers were left out: that is a failure to
		 * report (exit 1), with the jail otherwise working. */
		row->failed = true;
		row->state = "partial";
		snprintf(row->message, sizeof(row->message), "some peers skipped: endpoint does not resolve");
		r = -1;
		goto out;
	}
	row->state = wj_platform()->boot_done;
	if (row->key_generated)
		snprintf(row->message, sizeof(row->message), "new private key generated");
	r = 0;
out:
	jail_unlock(lockfd);
	return r;
}

int boot_all(FILE *out, struct boot_row **rows, size_t *n, struct wj_err *e)
{
	char **names = NULL;
	size_t nn = 0;
	int failed = 0;

	*rows = NULL;
	*n = 0;
	if (jailspec_list(&names, &nn, e) < 0)
		return -1;
	if (nn && !(*rows = calloc(nn, sizeof(**rows)))) {
		for (size_t i = 0; i < nn; i++)
			free(names[i]);
		free(names);
		return wj_errnof(e, ENOMEM, "boot");
	}
	for (size_t i = 0; i < nn; i++) {
		if (boot_jail(names[i], out, &(*rows)[i]) < 0)
			failed++;
		free(names[i]);
	}
	free(names);
	*n = nn;
	return failed;
}

void boot_print(FILE *f, const struct boot_row *rows, size_t n)
{
	fprintf(f, "%-20s %-9s %-9s %-8s %s\n", "JAIL", "UPLINK", "INTERFACE", "STATE", "MESSAGE");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%-20s %-9s %-9s %-8s %s\n", rows[i].name, rows[i].uplink, rows[i].ifname, rows[i].state,
			rows[i].message);
}
