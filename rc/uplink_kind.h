/* What an uplink kind writes into FreeBSD's files: one record per kind,
 * the `rc` part of the agent's uplink record (agent/uplink.h).  The
 * generators (rc/gen.h) write what every jail has and take the rest from
 * here, so none of them decides between kinds. */
#ifndef WGJAIL_RC_UPLINK_KIND_H
#define WGJAIL_RC_UPLINK_KIND_H

#include <stdbool.h>
#include <stddef.h>

#include "util/sbuf.h"

struct rc_jail;
struct wj_err;

struct rc_uplink {
	/* jail.conf's "# Uplink: ..." line. */
	const char *describe;
	/* The WireGuard interface's name inside the jail (rc/names.h). */
	void (*wg_ifname)(const struct rc_jail *j, char *buf, size_t sz);
	/* Refuse a spec interface name the jail has another use for (NULL:
	 * every valid name is free). */
	int (*check_ifname)(const struct rc_jail *j, struct wj_err *e);
	/* jail.conf: vnet, the vnet interface, exec.prestart, exec.start,
	 * exec.stop and exec.poststop. */
	int (*jail_conf)(struct wj_sbuf *b, const struct rc_jail *j, struct wj_err *e);
	/* loader.conf: the modules the host loads for it besides if_wg
	 * (NULL-terminated "NAME_load" keys). */
	const char *const *loader_modules;
	/* rc.conf: the jail's default routes go through the WireGuard
	 * interface (defaultrouter="-interface IF"). */
	bool default_route_via_wg;
	/* start_if (rc/startif_sh.c): the lines run when the interface IFN
	 * does not exist, in a subshell where `fail "WHY"` reports WHY and
	 * gives up (the interface is then left down). */
	void (*start_if)(struct wj_sbuf *b, const char *ifn);
};

extern const struct rc_uplink rc_uplink_bridge, rc_uplink_wireguard;

/* Helpers for the jail.conf part: PARAM = "line" the first time, then
 * PARAM += "line". */
struct rc_cmds {
	struct wj_sbuf *b;
	const char *param;
	bool first;
};
void rc_cmd(struct rc_cmds *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
