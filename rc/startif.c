/* The jail's /etc/start_if.IF (its text, and what rc does with it:
 * rc/startif_sh.c).
 *
 * First what the uplink kind does about a missing interface (rc/uplink_kind.h:
 * the bridge uplink creates it in the jail, the WireGuard uplink's was
 * moved in by jail(8) and is only reported missing).  Then /etc/IF.conf is
 * applied: `wgjail sync` when wgjail is installed in the jail (sends only
 * what differs), else or when that fails the base system's (or the
 * port's) `wg syncconf`; when nothing configures it, it is left down. */
#include "util/err.h"
#include "rc/gen.h"
#include "rc/names.h"
#include "rc/startif_sh.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

char *rc_start_if(const struct rc_jail *j, size_t *len, struct wj_err *e)
{
	char ifn[24], var[24], *out;

	rc_wg_ifname(j, ifn, sizeof(ifn));
	rc_if_var(ifn, var, sizeof(var));
	if (rc_word_check(ifn, "interface", e) < 0 || rc_word_check(j->name, "jail name", e) < 0)
		return NULL;
	out = rc_start_if_sh(ifn, var, j->name, j->uplink, len);
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
