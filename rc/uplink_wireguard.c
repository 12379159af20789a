/* The WireGuard uplink's part of the FreeBSD files (rc/uplink_kind.h): the
 * WireGuard interface is created on the host as wgjN (N = the jail's id;
 * its UDP socket lives in the vnet of its creator, the host: everything
 * the jail sends leaves encrypted or not at all) and keeps that name
 * inside the jail (rc/names.h says why).
 *
 * jail.conf: exec.prestart destroys a stale wgjN, then creates it;
 *   vnet.interface passes it in; the move resets it (sessions cleared,
 *   link down), so the jail's rc configures it (start_if) and brings it up
 *   (ifconfig_wgjN); exec.poststop destroys it.
 * rc.conf: the default routes go through it (defaultrouter="-interface
 *   wgjN"): the tunnel is the jail's only way out.
 * start_if: it is never created here (a jail-made one would have no way
 *   out); a missing interface is reported. */
#include "rc/uplink_kind.h"

#include <stdio.h>

#include "rc/jail.h"
#include "rc/names.h"

static void wg_ifname(const struct rc_jail *j, char *buf, size_t sz)
{
	snprintf(buf, sz, "wgj%u", j->id);
}

static int jail_conf(struct wj_sbuf *b, const struct rc_jail *j, struct wj_err *e)
{
	char wg[24];
	struct rc_cmds c = {b, "exec.prestart", true};

	(void)e;
	rc_wg_ifname(j, wg, sizeof(wg));
	wj_sb_printf(b, "\tvnet;\n\tvnet.interface = \"%s\";\n", wg);
	rc_cmd(&c, "/sbin/ifconfig %s destroy 2>/dev/null || true", wg);
	rc_cmd(&c, "/sbin/ifconfig wg create name %s", wg);
	rc_cmd(&c, "/sbin/ifconfig %s description wgjail:%s", wg, j->name);
	wj_sb_printf(b, "\texec.start = \"/bin/sh /etc/rc\";\n");
	wj_sb_printf(b, "\texec.stop = \"/bin/sh /etc/rc.shutdown\";\n");
	wj_sb_printf(b, "\texec.poststop = \"/sbin/ifconfig %s destroy\";\n", wg);
	return 0;
}

static void start_if(struct wj_sbuf *b, const char *ifn)
{
	wj_sb_printf(b, "\t\tfail \"%s is missing (the host creates it in exec.prestart)\"\n", ifn);
}

static const char *const modules[] = {NULL};

/* The WireGuard kind's row of rc/uplink_kind.h (rc/uplink_bridge.c fills
 * the same fields: the records look alike by design). */
const struct rc_uplink rc_uplink_wireguard = {
	.describe = "the WireGuard interface, created on the host, as the only interface",
	.wg_ifname = wg_ifname,
	.check_ifname = NULL,
	.jail_conf = jail_conf,
	.loader_modules = modules,
	.default_route_via_wg = true,
	.start_if = start_if,
};
