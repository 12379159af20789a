/* Boot's platform part on Linux: `up` (see agent/boot.h). */
#include "agent/boot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "agent/jail_linux.h"
#include "agent/jailspec.h"
#include "agent/jailstate.h"
#include "netconf/netns.h"
#include "wg/uapi.h"

const char boot_platform_done[] = "up";

int boot_platform_up(const struct jail_spec *s, FILE *out, struct wj_err *e)
{
	struct jail_up_opts o = {.dry = false, .out = out};
	FILE *null = NULL;
	int r;

	if (!out && !(o.out = null = fopen("/dev/null", "we")))
		return wj_errnof(e, errno, "/dev/null");
	r = jail_up(s, &o, e);
	if (null)
		fclose(null);
	return r;
}

int jail_ctx_enter(const struct jail_spec *s, struct jail_ctx *c, struct wj_err *e)
{
	char dir[PATH_MAX];

	c->saved_ns = -1;
	snprintf(c->ifname, sizeof(c->ifname), "%s", s->ifname);
	if (jail_uapi_dir(s->name, dir, sizeof(dir)) < 0)
		return wj_errf(e, "jail %s: path too long", s->name);
	if (!netns_exists(s->name))
		return wj_errf(e, "jail %s is not up (no network namespace)", s->name);
	if (netns_enter(s->name, &c->saved_ns, e) < 0) {
		c->saved_ns = -1;
		return wj_err_prefix(e, "jail %s", s->name);
	}
	/* wireguard-go's socket is in the jail's own directory; a kernel
	 * link answers over generic netlink from inside the namespace. */
	wg_uapi_set_dir(dir);
	return 0;
}

void jail_ctx_leave(struct jail_ctx *c)
{
	wg_uapi_set_dir(NULL);
	if (c->saved_ns >= 0)
		netns_leave(c->saved_ns);
	c->saved_ns = -1;
}
