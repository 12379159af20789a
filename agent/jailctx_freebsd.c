/* Reaching a jail's interface on FreeBSD (see agent/jailctx.h): a process
 * can attach to a jail only once (jail_attach(2)), so a long-running host
 * process cannot visit vnet jails in turn.  Reported as unsupported; the
 * peer commands then edit the file only and the jail's rc applies it. */
#include "agent/jailctx.h"

#include <errno.h>
#include <stdio.h>

#include "util/err.h"

bool jail_ctx_is_up(const char *name)
{
	(void)name;
	return false;
}

int jail_ctx_enter(const char *name, const char *ifname, struct jail_ctx *c, struct wj_err *e)
{
	c->saved_ns = -1;
	c->uapi_dir_set = false;
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	return wj_errnof(e, ENOTSUP, "jail %s: reaching a vnet jail's interface from the host", name);
}

void jail_ctx_leave(struct jail_ctx *c)
{
	c->saved_ns = -1;
}

bool jail_ctx_daemon_died(const char *name, long *pid)
{
	(void)name;
	(void)pid;
	return false; /* if_wg: no daemon */
}
