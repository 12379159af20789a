/* Reaching a jail's WireGuard interface from outside the jail.  Between
 * jail_ctx_enter and jail_ctx_leave the calling thread is in the jail's
 * network namespace and wg_backend_for(c->ifname) answers for the jail's
 * interface: a kernel link, or wireguard-go behind the jail's private UAPI
 * socket directory when `up` recorded that it runs one there (see
 * agent/jailstate.h); without such a record (a namespace made by hand) the
 * default socket directory is used, as wg(8) would.  Used by the peer
 * commands, `show JAIL` and the agent.
 * Linux: agent/jailctx_linux.c.  FreeBSD: agent/jailctx_freebsd.c. */
#ifndef WGJAIL_JAILCTX_H
#define WGJAIL_JAILCTX_H

#include <stdbool.h>

#include "util/strutil.h"

struct wj_err;

struct jail_ctx {
	int saved_ns;                   /* namespace to return to, -1 if none */
	bool uapi_dir_set;
	char ifname[WJ_IFNAME_MAX + 1]; /* the interface's name inside the jail */
};

/* Is jail NAME up here (its network namespace exists)? */
bool jail_ctx_is_up(const char *name);
/* Enter jail NAME to reach its interface IFNAME.  Fails, saying so, if the
 * jail is not up; C is then safe to pass to jail_ctx_leave. */
int jail_ctx_enter(const char *name, const char *ifname, struct jail_ctx *c, struct wj_err *e);
void jail_ctx_leave(struct jail_ctx *c);

/* Did the userspace daemon that `up` started for jail NAME die?  true and
 * *PID (its pid) if the jail's state names one that is gone. */
bool jail_ctx_daemon_died(const char *name, long *pid);

#endif
