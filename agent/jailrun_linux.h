/* Inside `up` and `down` on Linux (agent/jail_linux.h): the state of one
 * run, shared by the steps (agent/jail_linux.c) and the uplink kinds'
 * live parts (agent/uplink_bridge_linux.c, agent/uplink_wireguard_linux.c),
 * and the helpers they have in common (agent/jailrun_linux.c). */
#ifndef WGJAIL_JAILRUN_LINUX_H
#define WGJAIL_JAILRUN_LINUX_H

#include <stdbool.h>
#include <stdio.h>

#include "agent/jail_linux.h"
#include "agent/jailspec.h"
#include "agent/jailstate.h"
#include "agent/uplink.h"
#include "netconf/link.h"
#include "wg/model.h"

/* One `up`. */
struct jail_run {
	const struct jail_spec *s;
	const struct uplink_kind *kind;  /* s's uplink */
	const struct jail_up_opts *o;
	struct jail_state st;            /* what this jail has, saved after every change */
	struct nc host, jail;            /* rtnetlink in the host's and the jail's namespace */
	int nsfd;                        /* the jail's namespace */
	bool fresh;                      /* dry run, the namespace does not exist yet */
	unsigned extra_changes;          /* processes started, sync changes */
	struct wg_device *conf;          /* the jail's WireGuard config */
	struct wg_ipmask addr[2 * JAIL_MAX_ADDRS]; /* tunnel addresses */
	size_t n_addr;
	unsigned mtu;
	char uapi_dir[512];              /* the jail's private UAPI directory */
	char wggo_dir[512];              /* wireguard-go's own (agent/wggo_linux.h) */
	char log_path[512];
};

/* One `down`, or the undoing of a failed `up`: from the state alone. */
struct jail_undo {
	const char *name;
	const struct uplink_kind *kind;  /* the state's uplink */
	struct jail_state st;
	struct nc *host;                 /* notes print "where: what" to OUT */
	FILE *out;
};

/* A change that is not a link, address or route: counted and printed
 * ("would: " first in a dry run). */
void run_say(struct jail_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Save the jail's state (not in a dry run). */
int run_save(struct jail_run *r, struct wj_err *e);
/* The host-side link name PREFIX+id, recorded as the state's hostif: ours
 * if the state has it, else it must not exist. */
int run_claim_hostif(struct jail_run *r, const char *prefix, struct wj_err *e);
/* Create the WireGuard link NAME through C (kernel), or start wireguard-go
 * for it (in the namespace NSFD, -1 = C's, which must be the current
 * one), as the spec's implementation allows. */
int run_create_wg(struct jail_run *r, struct nc *c, const char *name, int nsfd, struct wj_err *e);

/* The default route's destination of FAMILY. */
void run_default_dst(struct wg_ipmask *d, int family);

/* A growable list of prefixes: the routes to keep when pruning. */
struct plist {
	struct wg_ipmask *v;
	size_t n, cap;
};
int plist_add(struct plist *l, const struct wg_ipmask *m, struct wj_err *e);
/* Route DST through the jail's WireGuard interface, remembered in KEEP. */
int run_wg_route(struct jail_run *r, struct plist *keep, const struct wg_ipmask *dst, struct wj_err *e);

#endif
