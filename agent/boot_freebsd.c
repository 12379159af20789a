/* Boot's platform part on FreeBSD (see agent/boot.h): the jail is started
 * by jail(8) from the generated jail.conf.d file, and its rc loads the wg
 * config (start_if.IF); boot only gives the jail its key (done before this
 * is called).  The agent cannot reach a device inside a vnet jail from the
 * host without attaching to the jail, which a process can do only once:
 * entering is reported as unsupported, so the agent keeps keys and the
 * status of what it can see and logs the rest. */
#include "agent/boot.h"

#include <errno.h>
#include <stdio.h>

#include "agent/jailspec.h"

const char boot_platform_done[] = "ready";

int boot_platform_up(const struct jail_spec *s, FILE *out, struct wj_err *e)
{
	(void)e;
	if (out)
		fprintf(out, "jail %s: key and config ready; jail(8) starts it\n", s->name);
	return 0;
}

int jail_ctx_enter(const struct jail_spec *s, struct jail_ctx *c, struct wj_err *e)
{
	c->saved_ns = -1;
	snprintf(c->ifname, sizeof(c->ifname), "%s", s->ifname);
	return wj_errnof(e, ENOTSUP, "jail %s: reaching a vnet jail's interface from the agent", s->name);
}

void jail_ctx_leave(struct jail_ctx *c)
{
	c->saved_ns = -1;
}
