/* Host /etc/jail.conf.d/NAME.conf: one vnet jail, whole file (owned by
 * wgjail; rewritten by every provision).
 *
 * Every jail: persist (kernel WireGuard needs no process, and a jail
 * without processes would otherwise be removed right after exec.start),
 * mount.devfs with devfs_ruleset (5, the vnet ruleset, by default),
 * exec.clean, exec.consolelog, host.hostname, path.  The vnet interface
 * and the exec.* commands are the uplink kind's (rc/uplink_kind.h:
 * rc/uplink_bridge.c, rc/uplink_wireguard.c).
 *
 * Commands run with exec.clean's PATH=/bin:/usr/bin, hence the absolute
 * /sbin paths; jail(8) hands a command with shell characters ("||",
 * "2>") to /bin/sh -c and splits the others on blanks.
 *
 * Quoting: every value is a double-quoted jail.conf string.  The words put
 * in it are validated names, paths and formatted addresses
 * (rc_word_check), so they contain no quote, '$' (jail.conf expands
 * ${...} inside double quotes), backslash, ';' or blank. */
#include "util/err.h"
#include "rc/gen.h"
#include "rc/names.h"
#include "rc/uplink_kind.h"
#include "util/sbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The va_list lines are the usual ones (as netconf/link_linux.c's
 * nc_note). */
void rc_cmd(struct rc_cmds *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	wj_sb_printf(c->b, "\t%s %s \"%s\";\n", c->param, c->first ? "=" : "+=", line);
	c->first = false;
}

char *rc_jail_conf(const struct rc_jail *j, size_t *len, struct wj_err *e)
{
	struct wj_sbuf b = {0};
	char *out;

	if (rc_word_check(j->name, "jail name", e) < 0 || rc_word_check(j->root, "jail root", e) < 0 ||
	    rc_word_check(j->hostname, "hostname", e) < 0)
		return NULL;
	wj_sb_printf(&b,
		     "# Jail %s: written by `wgjail provision %s` (wgjail(8)); edits are overwritten.\n"
		     "# Uplink: %s.\n"
		     "%s {\n"
		     "\tpath = \"%s\";\n"
		     "\thost.hostname = \"%s\";\n"
		     "\tpersist;\n"
		     "\tmount.devfs;\n"
		     "\tdevfs_ruleset = %u;\n"
		     "\texec.clean;\n"
		     "\texec.consolelog = \"/var/log/jail_console_%s.log\";\n",
		     j->name, j->name, j->uplink->describe, j->name, j->root, j->hostname, j->devfs_ruleset,
		     j->name);
	if (j->uplink->jail_conf(&b, j, e) < 0) {
		wj_sb_free(&b);
		return NULL;
	}
	wj_sb_printf(&b, "}\n");
	out = wj_sb_take(&b, len);
	if (!out)
		wj_errnof(e, ENOMEM, "jail.conf for %s", j->name);
	return out;
}
