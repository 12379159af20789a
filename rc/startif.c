/* The jail's /etc/start_if.IF.  network.subr's ifscript_up sources it
 * (`. /etc/start_if.IF`) into rc's own shell before ifconfig_IF is
 * applied, so: plain POSIX sh, no `exit`, and all of it runs in a
 * subshell so that nothing (PATH, variables) leaks into rc.
 *
 * /etc/rc sets PATH=/sbin:/bin:/usr/sbin:/usr/bin; wgjail and the ports'
 * wg(8) live under /usr/local, so the subshell appends /usr/local/sbin
 * and /usr/local/bin (appended: base tools keep precedence).
 *
 * First what the uplink kind does about the interface (rc/uplink.h: the
 * bridge uplink creates it in the jail unless it exists, the WireGuard
 * uplink's was moved in by jail(8) and is only checked).
 * Then /etc/IF.conf is applied: `wgjail sync` when wgjail is installed in
 * the jail (sends only what differs), else the base system's (or the
 * port's) `wg syncconf`. */
#include "util/err.h"
#include "rc/gen.h"
#include "rc/names.h"
#include "rc/uplink.h"
#include "util/sbuf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

char *rc_start_if(const struct rc_jail *j, size_t *len, struct wj_err *e)
{
	struct wj_sbuf b = {0};
	char ifn[24], var[24], *out;

	rc_wg_ifname(j, ifn, sizeof(ifn));
	rc_if_var(ifn, var, sizeof(var));
	if (rc_word_check(ifn, "interface", e) < 0 || rc_word_check(j->name, "jail name", e) < 0)
		return NULL;
	wj_sb_printf(&b,
		     "# WireGuard interface %s of jail %s: written by `wgjail provision %s`\n"
		     "# (wgjail(8)); edits are overwritten.  Sourced by rc before\n"
		     "# ifconfig_%s is applied: plain sh, no exit, run in a subshell.\n"
		     "(\n"
		     "\tPATH=$PATH:/usr/local/sbin:/usr/local/bin\n",
		     ifn, j->name, j->name, var);
	j->uplink->start_if(&b, ifn);
	wj_sb_printf(&b,
		     "\t%s command -v wgjail >/dev/null 2>&1; then\n"
		     "\t\twgjail sync %s /etc/%s.conf\n"
		     "\telse\n"
		     "\t\twg syncconf %s /etc/%s.conf\n"
		     "\tfi\n"
		     ")\n",
		     j->uplink->start_if_sync, ifn, ifn, ifn, ifn);
	out = wj_sb_take(&b, len);
	if (!out)
		wj_errnof(e, ENOMEM, "start_if.%s", ifn);
	return out;
}

bool rc_start_if_is_ours(const char *text, size_t len)
{
	static const char head[] = "# WireGuard interface ";
	const char *nl = memchr(text, '\n', len);
	size_t first = nl ? (size_t)(nl - text) : len;

	return len > sizeof(head) && !memcmp(text, head, sizeof(head) - 1) &&
	       memmem(text, first, "written by `wgjail provision", 28) != NULL;
}
