/* Runtime state of a jail that is up (Linux): what `up` created, so that
 * `down` removes exactly that.  Kept in STATEDIR/jails/NAME/state (STATEDIR
 * = util/paths.h wj_statedir()), a key=value file written atomically
 * after every step, so that even an `up` that failed half-way can be taken
 * down.  The same directory holds the jail's private UAPI socket directory
 * (wireguard/) and wireguard-go's log. */
#ifndef WGJAIL_JAILSTATE_H
#define WGJAIL_JAILSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/strutil.h"
#include "wg/model.h"

struct wj_err;

struct jail_state {
	bool netns_created;                 /* the namespace is ours to delete */
	char uplink[16];                    /* "bridge" | "wireguard" */
	char impl[16];                      /* "kernel" | "userspace" | "" */
	char ifname[WJ_IFNAME_MAX + 1];     /* WireGuard interface in the jail */
	char hostif[WJ_IFNAME_MAX + 1];     /* veth host end, or the host name of the wg link before the move */
	char jailif[WJ_IFNAME_MAX + 1];     /* veth jail end */
	char bridge[WJ_IFNAME_MAX + 1];     /* bridge the veth is attached to */
	char uapi_name[WJ_IFNAME_MAX + 1];  /* name of wireguard-go's socket (wireguard uplink: host name) */
	unsigned long long hostns;          /* inode of the host side's network namespace */
	pid_t wggo_pid;
	unsigned long long wggo_start;
	/* Reaching the jail (agent/jailreach_linux.h). */
	bool nft_host;                      /* its chains may be in the host's table inet wgjail */
	char nat_if[WJ_IFNAME_MAX + 1];     /* the NAT interface they use */
	char hostlink_if[WJ_IFNAME_MAX + 1]; /* host end of the host link */
};

/* The jail's private UAPI socket directory (where its wireguard-go is
 * reached: agent/platform_linux.c). */
int jail_uapi_dir(const char *name, char *buf, size_t sz);

/* 1 and *S filled if NAME has a state file, 0 if not, -1 on error. */
int jailstate_load(const char *name, struct jail_state *s, struct wj_err *e);
int jailstate_save(const char *name, const struct jail_state *s, struct wj_err *e);
/* Inode of the calling thread's network namespace (0 if unknown). */
unsigned long long jailstate_current_netns(void);
/* Fail, naming both, unless S was made from the current namespace. */
int jailstate_check_host(const char *name, const struct jail_state *s, struct wj_err *e);
/* Remove the jail's runtime directory and everything in it. */
int jailstate_remove(const char *name, struct wj_err *e);

/* What `up` added to a host bridge, so that `down` removes exactly that
 * once no jail is on the bridge any more: STATEDIR/bridges/BRIDGE.added
 * (the gateway addresses it added, whether it set the bridge up), shared
 * by the jails on that bridge; and STATEDIR/bridges/BRIDGE, which says
 * that wgjail created the bridge itself.  Changed under
 * STATEDIR/bridges/.lock (jailstate_bridges_lock). */
#define BRIDGE_REC_MAX 8
struct bridge_rec {
	struct wg_ipmask addr[BRIDGE_REC_MAX];
	size_t n;
	bool set_up;
};
int jailstate_bridges_lock(int *fd, struct wj_err *e);
/* 1 and *R if BRIDGE has a record, 0 if not (R empty), -1 on error. */
int jailstate_bridge_load(const char *bridge, struct bridge_rec *r, struct wj_err *e);
int jailstate_bridge_save(const char *bridge, const struct bridge_rec *r, struct wj_err *e);
void jailstate_bridge_forget(const char *bridge);
/* STATEDIR/bridges/BRIDGE, the mark of a bridge wgjail created. */
int jailstate_bridge_marker(const char *bridge, char *buf, size_t sz);

#endif
