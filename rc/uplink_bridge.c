/* The bridge uplink's part of the FreeBSD files (rc/uplink_kind.h): a virtual
 * cable epairN (N = the jail's id) between the host's bridge and the
 * jail; the WireGuard interface is the spec's `interface`, created inside
 * the jail by the jail (its socket in the jail's own stack).
 *
 * jail.conf:
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
 * start_if: the interface is created unless it exists already (service
 *   netif restart): `ifconfig wgN create` for a name of the cloner's form
 *   wgN, else `ifconfig wg create name IF`. */
#include "rc/uplink_kind.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "rc/jail.h"
#include "rc/names.h"
#include "util/err.h"

static void wg_ifname(const struct rc_jail *j, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s", j->ifname);
}

static bool prefix_digits(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(name, prefix, n) || !name[n])
		return false;
	for (const char *p = name + n; *p; p++)
		if ((*p < '0' || *p > '9') && !(p[1] == '\0' && p != name + n && (*p == 'a' || *p == 'b')))
			return false;
	return true;
}

/* lo0 (network_interfaces starts with it) and the epair ends are taken. */
static int check_ifname(const struct rc_jail *j, struct wj_err *e)
{
	if (prefix_digits(j->ifname, "lo") || prefix_digits(j->ifname, "epair"))
		return wj_errf(e, "jail %s: interface '%s' is taken inside the jail (loopback or epair); "
			       "choose another, e.g. wg0", j->name, j->ifname);
	return 0;
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

static int jail_conf(struct wj_sbuf *b, const struct rc_jail *j, struct wj_err *e)
{
	char pair[24], a[24], jb[24], addr[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN + 24];
	struct rc_cmds c = {b, "exec.prestart", true};
	bool had4 = false, had6 = false;

	rc_epair(j, pair, a, jb, sizeof(pair));
	if (rc_word_check(j->bridge, "bridge", e) < 0)
		return -1;
	wj_sb_printf(b, "\tvnet;\n\tvnet.interface = \"%s\";\n", jb);
	rc_cmd(&c, "/sbin/ifconfig %s destroy 2>/dev/null || true", a);
	rc_cmd(&c, "/sbin/ifconfig %s create", pair);
	rc_cmd(&c, "/sbin/ifconfig %s description wgjail:%s up", a, j->name);
	rc_cmd(&c, "/sbin/ifconfig %s addm %s", j->bridge, a);

	c = (struct rc_cmds){b, "exec.start", true};
	for (size_t i = 0; i < j->n_jail_addr; i++) {
		const struct wg_ipmask *ip = &j->jail_addr[i];
		wg_ipmask_fmt(ip, addr, sizeof(addr));
		if (rc_word_check(addr, "jail address", e) < 0)
			return -1;
		if (ip->family == AF_INET) {
			rc_cmd(&c, "/sbin/ifconfig %s inet %s%s", jb, addr, had4 ? " alias" : "");
			had4 = true;
		} else {
			/* Clear a possible ifdisabled before the first address. */
			if (!had6)
				rc_cmd(&c, "/sbin/ifconfig %s inet6 -ifdisabled", jb);
			rc_cmd(&c, "/sbin/ifconfig %s inet6 %s", jb, addr);
			had6 = true;
		}
	}
	rc_cmd(&c, "/sbin/ifconfig %s up", jb);
	for (size_t i = 0; i < j->n_gateway; i++) {
		gateway_str(&j->gateway[i], jb, gw, sizeof(gw));
		if (rc_word_check(gw, "gateway", e) < 0)
			return -1;
		rc_cmd(&c, "/sbin/route -n add -%s default %s", j->gateway[i].family == AF_INET6 ? "inet6" : "inet",
		       gw);
	}
	rc_cmd(&c, "/bin/sh /etc/rc");
	wj_sb_printf(b, "\texec.stop = \"/bin/sh /etc/rc.shutdown\";\n");
	c = (struct rc_cmds){b, "exec.poststop", true};
	rc_cmd(&c, "/sbin/ifconfig %s deletem %s 2>/dev/null || true", j->bridge, a);
	rc_cmd(&c, "/sbin/ifconfig %s destroy", a);
	return 0;
}

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

static void start_if(struct wj_sbuf *b, const char *ifn)
{
	if (cloner_form(ifn))
		wj_sb_printf(b, "\t\tifconfig %s create", ifn);
	else
		wj_sb_printf(b, "\t\tifconfig wg create name %s", ifn);
	wj_sb_printf(b, " || fail \"cannot create %s (if_wg not loaded?)\"\n", ifn);
}

static const char *const modules[] = {"if_epair_load", "if_bridge_load", NULL};

/* The bridge kind's row of rc/uplink_kind.h (rc/uplink_wireguard.c fills
 * the same fields: the records look alike by design). */
const struct rc_uplink rc_uplink_bridge = {
	.describe = "a virtual cable (epair) to the host's bridge",
	.wg_ifname = wg_ifname,
	.check_ifname = check_ifname,
	.jail_conf = jail_conf,
	.loader_modules = modules,
	.default_route_via_wg = false,
	.start_if = start_if,
};
