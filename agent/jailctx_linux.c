/* Reaching a jail's interface on Linux (see agent/jailctx.h). */
#include "agent/jailctx.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "agent/jailstate.h"
#include "agent/wggo_linux.h"
#include "util/err.h"
#include "util/paths.h"
#include "netconf/netns.h"
#include "wg/uapi.h"

bool jail_ctx_is_up(const char *name)
{
	return netns_exists(name);
}

int jail_ctx_enter(const char *name, const char *ifname, struct jail_ctx *c, struct wj_err *e)
{
	struct jail_state st;
	char dir[PATH_MAX];
	int have;

	c->saved_ns = -1;
	c->uapi_dir_set = false;
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	if (!netns_exists(name))
		return wj_errf(e, "jail %s is not up (no network namespace; start it with: wgjail up %s)", name,
			       name);
	have = jailstate_load(name, &st, e);
	if (have < 0)
		return -1;
	/* wireguard-go: the jail's private UAPI directory names the socket
	 * after the jail's interface, whatever wireguard-go called it (see
	 * start_wggo in agent/jail_linux.c). */
	if (have == 1 && !strcmp(st.impl, "userspace")) {
		if (jail_uapi_dir(name, dir, sizeof(dir)) < 0)
			return wj_errf(e, "jail %s: the path of its UAPI socket directory is too long", name);
		wj_set_uapi_dir(dir);
		c->uapi_dir_set = true;
	}
	if (netns_enter(name, &c->saved_ns, e) < 0) {
		c->saved_ns = -1;
		jail_ctx_leave(c);
		return wj_err_prefix(e, "jail %s", name);
	}
	return 0;
}

void jail_ctx_leave(struct jail_ctx *c)
{
	if (c->uapi_dir_set)
		wj_set_uapi_dir(NULL);
	c->uapi_dir_set = false;
	if (c->saved_ns >= 0)
		netns_leave(c->saved_ns);
	c->saved_ns = -1;
}

bool jail_ctx_daemon_died(const char *name, long *pid)
{
	struct jail_state st;
	struct wj_err ignored;

	if (jailstate_load(name, &st, &ignored) != 1 || strcmp(st.impl, "userspace") || !st.wggo_pid)
		return false;
	*pid = (long)st.wggo_pid;
	return !wggo_alive(st.wggo_pid, st.wggo_start);
}
