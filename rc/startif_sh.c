/* The jail's /etc/start_if.IF, as text.  What FreeBSD's rc does with it
 * (network.subr, checked with the real scripts in
 * tests/freebsd/test_rc_netif.sh):
 *
 *   ifn_start IF runs ifscript_up, which sources the file into rc's own
 *   shell (`. /etc/start_if.IF`) and returns 0 whatever the file did;
 *   then ifconfig_up applies ifconfig_IF (the address) and, having
 *   applied something, `ifconfig IF up`; then the aliases and IPv6.
 *
 * So a failure here cannot stop rc by a status, and an `exit` would end
 * the whole netif run (every interface after this one unconfigured).
 * Instead, when nothing could configure the interface -- it could not be
 * created, or neither `wgjail sync` nor `wg syncconf` is installed or
 * succeeds -- the file says so on the console (the jail's exec.consolelog
 * keeps it) and to syslog (logger -t wgjail; at boot syslogd may not run
 * yet, `service netif restart` reaches it), takes the interface down, and
 * empties the rc variables that would give it its addresses and bring it
 * up (ifconfig_IF, _ipv6, _alias0, _aliases: set and empty, so neither
 * ifconfig_DEFAULT nor later aliases apply) for the rest of this netif
 * run.  The interface stays down without addresses instead of up with an
 * address and no keys; the jail's rc.conf is untouched, so the next
 * `service netif restart` (after installing wg(8), say) tries again.
 *
 * Everything else runs in a subshell: nothing (PATH, variables) leaks
 * into rc.  /etc/rc sets PATH=/sbin:/bin:/usr/sbin:/usr/bin; wgjail and
 * the ports' wg(8) live under /usr/local, appended (base tools keep
 * precedence).  Plain POSIX sh (FreeBSD's sh runs it). */
#include "rc/startif_sh.h"
#include "rc/uplink_kind.h"
#include "util/sbuf.h"

char *rc_start_if_sh(const char *ifn, const char *var, const char *jail, const struct rc_uplink *uplink,
		     size_t *len)
{
	struct wj_sbuf b = {0};

	wj_sb_printf(&b,
		     "# WireGuard interface %s of jail %s: written by `wgjail provision %s`\n"
		     "# (wgjail(8)); edits are overwritten.  Sourced by rc before ifconfig_%s;\n"
		     "# rc goes on whatever happens here: if nothing configures %s, that is\n"
		     "# logged and %s is left down, without its addresses.\n"
		     "if ! (\n"
		     "\tPATH=$PATH:/usr/local/sbin:/usr/local/bin\n"
		     "\tfail() {\n"
		     "\t\tfor m in \"$1\" \"jail %s: %s left down, without its addresses\"; do\n"
		     "\t\t\techo \"start_if.%s: $m\" >&2\n"
		     "\t\t\tlogger -t wgjail -p daemon.err \"start_if.%s: $m\"\n"
		     "\t\tdone\n"
		     "\t\texit 1\n"
		     "\t}\n"
		     "\tif ! ifconfig %s >/dev/null 2>&1; then\n",
		     ifn, jail, jail, var, ifn, ifn, jail, ifn, ifn, ifn, ifn);
	uplink->start_if(&b, ifn);
	wj_sb_printf(&b,
		     "\tfi\n"
		     "\tw=\n"
		     "\tif command -v wgjail >/dev/null 2>&1; then\n"
		     "\t\twgjail sync %s /etc/%s.conf && exit 0\n"
		     "\t\tw=\"wgjail sync failed\"\n"
		     "\tfi\n"
		     "\tif command -v wg >/dev/null 2>&1; then\n"
		     "\t\twg syncconf %s /etc/%s.conf && exit 0\n"
		     "\t\tw=\"${w:+$w; }wg syncconf failed\"\n"
		     "\tfi\n"
		     "\tfail \"${w:-neither wgjail nor wg(8) is installed}\"\n"
		     "); then\n"
		     "\tifconfig %s down 2>/dev/null\n"
		     "\tifconfig_%s= ifconfig_%s_ipv6= ifconfig_%s_alias0= ifconfig_%s_aliases=\n"
		     "fi\n",
		     ifn, ifn, ifn, ifn, ifn, var, var, var, var);
	return wj_sb_take(&b, len);
}
