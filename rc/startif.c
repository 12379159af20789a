/* The jail's /etc/start_if.IF (its text and what rc does with it:
 * rc/startif_sh.c).
 *
 * Bridge uplink: the interface is created in the jail, by the jail (its
 *   socket in the jail's own stack, reaching out through epairNb), unless
 *   it exists already (service netif restart): `ifconfig wgN create` for
 *   a name of the cloner's form wgN, else `ifconfig wg create name IF`.
 * WireGuard uplink: the host created it and jail(8) moved it in; it is
 *   never created here (a jail-made one would have no way out); a
 *   missing interface is reported.
 * Then /etc/IF.conf is applied: `wgjail sync` when wgjail is installed in
 * the jail (sends only what differs), else or when that fails the base
 * system's (or the port's) `wg syncconf`. */
#include "util/err.h"
#include "rc/gen.h"
#include "rc/names.h"
#include "rc/startif_sh.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool cloner_form(const char *ifn)
{
	const char *p = ifn + 2;

	if (strncmp(ifn, "wg", 2) || !*p || (*p == '0' && p[1]))
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

char *rc_start_if(const struct jail_spec *s, size_t *len, struct wj_err *e)
{
	char ifn[24], var[24], create[64], *out;

	rc_wg_ifname(s, ifn, sizeof(ifn));
	rc_if_var(ifn, var, sizeof(var));
	if (rc_word_check(ifn, "interface", e) < 0 || rc_word_check(s->name, "jail name", e) < 0)
		return NULL;
	if (s->uplink == UPLINK_BRIDGE)
		snprintf(create, sizeof(create), cloner_form(ifn) ? "ifconfig %s create" : "ifconfig wg create name %s",
			 ifn);
	out = rc_start_if_sh(ifn, var, s->name, s->uplink == UPLINK_BRIDGE ? create : NULL, len);
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
