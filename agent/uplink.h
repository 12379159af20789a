/* Uplink kinds as data: how a jail reaches the world.
 *
 * One record per kind, indexed by enum jail_uplink (agent/jailspec.h).
 * Nothing outside this record decides between kinds: code that differs by
 * kind is an entry of the record, and a new kind is a new row (plus its
 * functions), not an edit of existing code paths.
 *
 *   rc     what it writes into FreeBSD's files (jail.conf commands, the
 *          jail's rc.conf and start_if, loader.conf modules, the
 *          interface's name inside the jail): rc/uplink_kind.h
 *   live   this platform's way to bring it up and tear it down, and the
 *          jail's routes (Linux: agent/jailrun_linux.h; FreeBSD has none:
 *          jail(8) starts the jail from the jail.conf that `provision`
 *          wrote from `rc`)
 *
 *   bridge     a virtual cable to a host bridge (Linux veth wjN <-> eth0,
 *              FreeBSD epairN); the WireGuard interface is created inside
 *              the jail, so its UDP socket lives there.
 *   wireguard  the WireGuard interface itself, created on the host (its
 *              socket stays there) and moved into the jail, where it is
 *              the only interface besides the loopback. */
#ifndef WGJAIL_UPLINK_H
#define WGJAIL_UPLINK_H

#include "agent/jailspec.h"

struct rc_uplink;
struct jail_run;
struct jail_undo;
struct wj_err;

/* One platform's live part of an uplink kind.  Every function is
 * idempotent (a no-op where its target already holds) and prints what it
 * changes through the run's notes; the *_down functions work from the
 * jail's state alone (agent/jailstate.h), never from the spec. */
struct uplink_live {
	/* The way out, made before the WireGuard link (NULL: nothing). */
	int (*up)(struct jail_run *r, struct wj_err *e);
	int (*down)(struct jail_undo *d, struct wj_err *e);
	/* The WireGuard link, created where this kind wants its socket and
	 * left in the jail under the spec's interface name. */
	int (*wg_create)(struct jail_run *r, struct wj_err *e);
	/* What wg_create left outside the jail (NULL: nothing). */
	int (*wg_down)(struct jail_undo *d, struct wj_err *e);
	/* The jail's routes, once the tunnel is configured and up. */
	int (*routes)(struct jail_run *r, struct wj_err *e);
};

/* Its name is the spec's (uplink_name, agent/jailspec_keys.h). */
struct uplink_kind {
	const struct rc_uplink *rc;
	const struct uplink_live *live;
};

/* The record of U (a valid enum value). */
const struct uplink_kind *uplink_kind(enum jail_uplink u);
/* The record called NAME, NULL if none (a state file's uplink). */
const struct uplink_kind *uplink_kind_named(const char *name);
/* "bridge or wireguard", for messages. */
const char *uplink_choices(void);

/* The platform's live parts (agent/uplink_*_linux.c; agent/uplink_freebsd.c). */
extern const struct uplink_live uplink_live_bridge, uplink_live_wireguard;

#endif
