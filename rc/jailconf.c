/* Host /etc/jail.conf.d/NAME.conf: one vnet jail, whole file (owned by
 * wgjail; rewritten by every provision).
 *
 * Bridge uplink (epairN, N = the spec's id):
 *   exec.prestart  destroys a stale epairN left by an unclean stop (jail -R,
 *                  a crash, or a start that failed after exec.prestart:
 *                  jail(8) then unwinds without running exec.poststop;
 *                  and it refuses to create a running jail before any
 *                  command runs, so this never touches a live jail),
 *                  creates epairN, brings epairNa up with the description
 *                  wgjail:NAME and adds it to the bridge.  The bridge is
 *                  NOT created: it is the host's uplink, configured in the
 *                  host's rc.conf (cloned_interfaces, addm); a bridge made
 *                  on the fly would carry no uplink member and fail
 *                  silently, a missing one stops the jail with an error.
 *   vnet.interface epairNb.
 *   exec.start     gives epairNb its addresses and default routes, then
 *                  runs /etc/rc.  The jail's rc.conf leaves epairNb out of
 *                  network_interfaces so rc never reconfigures it.
 *   exec.poststop  removes epairNa from the bridge and destroys the pair.
 * WireGuard uplink: exec.prestart destroys a stale wgjN, then creates it
 *   on the host (its UDP socket lives in the vnet of its creator, the
 *   host: everything the jail sends leaves encrypted or not at all);
 *   vnet.interface passes it in; the move resets it (sessions cleared,
 *   link down), so the jail's rc configures it (start_if) and brings it
 *   up (ifconfig_wgjN); exec.poststop destroys it.  See rc/names.h for why
 *   it keeps the name wgjN inside the jail.
 * Both: persist (kernel WireGuard needs no process, and a jail without
 * processes would otherwise be removed right after exec.start),
 * mount.devfs with devfs_ruleset (5, the vnet ruleset, by default),
 * exec.clean, exec.consolelog, host.hostname, path.
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
#include "util/sbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct cmds {
	struct wj_sbuf *b;
	const char *param;
	bool first;
};

static void cmd(struct cmds *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cmd(struct cmds *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	wj_sb_printf(c->b, "\t%s %s \"%s\";\n", c->param, c->first ? "=" : "+=", line);
	c->first = false;
}

/* Address of a gateway, with %IF for an IPv6 link-local one. */
static void gateway_str(const struct wg_ipmask *g, const char *ifname, char *out, size_t sz)
{
	char ip[INET6_ADDRSTRLEN];
	const uint8_t *a = g->addr.ip6.s6_addr;

	inet_ntop(g->family, &g->addr, ip, sizeof(ip));
	if (g->family == AF_INET6 && a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		snprintf(out, sz, "%s%%%s", ip, ifname);
	else
		snprintf(out, sz, "%s", ip);
}

static int bridge_cmds(struct wj_sbuf *b, const struct jail_spec *s, struct wj_err *e)
{
	char pair[24], a[24], jb[24], addr[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN + 24];
	struct cmds c = {b, "exec.prestart", true};
	bool had4 = false, had6 = false;

	rc_epair(s, pair, a, jb, sizeof(pair));
	if (rc_word_check(s->bridge, "bridge", e) < 0)
		return -1;
	wj_sb_printf(b, "\tvnet;\n\tvnet.interface = \"%s\";\n", jb);
	cmd(&c, "/sbin/ifconfig %s destroy 2>/dev/null || true", a);
	cmd(&c, "/sbin/ifconfig %s create", pair);
	cmd(&c, "/sbin/ifconfig %s description wgjail:%s up", a, s->name);
	cmd(&c, "/sbin/ifconfig %s addm %s", s->bridge, a);

	c = (struct cmds){b, "exec.start", true};
	for (size_t i = 0; i < s->n_jail_addr; i++) {
		const struct wg_ipmask *ip = &s->jail_addr[i];
		wg_ipmask_fmt(ip, addr, sizeof(addr));
		if (rc_word_check(addr, "jail address", e) < 0)
			return -1;
		if (ip->family == AF_INET) {
			cmd(&c, "/sbin/ifconfig %s inet %s%s", jb, addr, had4 ? " alias" : "");
			had4 = true;
		} else {
			/* Clear a possible ifdisabled before the first address. */
			if (!had6)
				cmd(&c, "/sbin/ifconfig %s inet6 -ifdisabled", jb);
			cmd(&c, "/sbin/ifconfig %s inet6 %s", jb, addr);
			had6 = true;
		}
	}
	cmd(&c, "/sbin/ifconfig %s up", jb);
	for (size_t i = 0; i < s->n_gateway; i++) {
		gateway_str(&s->gateway[i], jb, gw, sizeof(gw));
		if (rc_word_check(gw, "gateway", e) < 0)
			return -1;
		cmd(&c, "/sbin/route -n add -%s default %s", s->gateway[i].family == AF_INET6 ? "inet6" : "inet",
		    gw);
	}
	cmd(&c, "/bin/sh /etc/rc");
	wj_sb_printf(b, "\texec.stop = \"/bin/sh /etc/rc.shutdown\";\n");
	c = (struct cmds){b, "exec.poststop", true};
	cmd(&c, "/sbin/ifconfig %s deletem %s 2>/dev/null || true", s->bridge, a);
	cmd(&c, "/sbin/ifconfig %s destroy", a);
	return 0;
}

static void wireguard_cmds(struct wj_sbuf *b, const struct jail_spec *s)
{
	char wg[24];
	struct cmds c = {b, "exec.prestart", true};

	rc_wg_ifname(s, wg, sizeof(wg));
	wj_sb_printf(b, "\tvnet;\n\tvnet.interface = \"%s\";\n", wg);
	cmd(&c, "/sbin/ifconfig %s destroy 2>/dev/null || true", wg);
	cmd(&c, "/sbin/ifconfig wg create name %s", wg);
	cmd(&c, "/sbin/ifconfig %s description wgjail:%s", wg, s->name);
	wj_sb_printf(b, "\texec.start = \"/bin/sh /etc/rc\";\n");
	wj_sb_printf(b, "\texec.stop = \"/bin/sh /etc/rc.shutdown\";\n");
	wj_sb_printf(b, "\texec.poststop = \"/sbin/ifconfig %s destroy\";\n", wg);
}

char *rc_jail_conf(const struct jail_spec *s, size_t *len, struct wj_err *e)
{
	struct wj_sbuf b = {0};
	char root[PATH_MAX], *out;
	const char *host = jail_hostname(s);

	jail_root(s, root, sizeof(root));
	if (rc_word_check(s->name, "jail name", e) < 0 || rc_word_check(root, "jail root", e) < 0 ||
	    rc_word_check(host, "hostname", e) < 0)
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
		     s->name, s->name,
		     s->uplink == UPLINK_BRIDGE ? "a virtual cable (epair) to the host's bridge"
						: "the WireGuard interface, created on the host, as the only interface",
		     s->name, root, host, s->devfs_ruleset, s->name);
	if (s->uplink == UPLINK_BRIDGE) {
		if (bridge_cmds(&b, s, e) < 0) {
			wj_sb_free(&b);
			return NULL;
		}
	} else {
		wireguard_cmds(&b, s);
	}
	wj_sb_printf(&b, "}\n");
	out = wj_sb_take(&b, len);
	if (!out)
		wj_errnof(e, ENOMEM, "jail.conf for %s", s->name);
	return out;
}
