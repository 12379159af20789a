/* The live half of the peer operations: one backend set inside the
 * running jail (see agent/peer.h, agent/jailcall.h). */
#include "agent/peer.h"

#include <stdio.h>
#include <string.h>

#include "agent/jailcall.h"
#include "agent/jailspec.h"
#include "agent/platform.h"
#include "util/err.h"
#include "wg/resolve.h"

int peer_jail_target(const struct jail_spec *s, struct peer_target *t, struct wj_err *e)
{
	(void)e;
	memset(t, 0, sizeof(*t));
	if (!wj_platform()->is_up(s->name))
		return 0;
	snprintf(t->jail, sizeof(t->jail), "%s", s->name);
	wj_platform()->jail_ifname(s, t->ifname, sizeof(t->ifname));
	return 1;
}

int peer_live_set(const struct peer_target *t, struct wg_device *changes, struct wj_err *e)
{
	/* Hostnames are resolved here, outside the jail: the jail may have
	 * no resolver of its own. */
	for (size_t i = 0; i < changes->n_peers; i++) {
		struct wg_peer *p = &changes->peers[i];
		if ((p->flags & WGPEER_HAS_ENDPOINT) && p->endpoint && p->endpoint_addr.sa.sa_family == AF_UNSPEC &&
		    wg_resolve_endpoint(p->endpoint, &p->endpoint_addr, NULL, e) < 0)
			return -1;
	}
	snprintf(changes->name, sizeof(changes->name), "%s", t->ifname);
	return jail_dev_set(t->jail, t->ifname, changes, e);
}

int peer_live_get(const struct peer_target *t, struct wg_device **out, struct wj_err *e)
{
	return jail_dev_get(t->jail, t->ifname, out, e);
}

int peer_live_get_start(const struct peer_target *t, struct jail_call *c, struct wj_err *e)
{
	return jail_dev_get_start(t->jail, t->ifname, c, e);
}

int peer_live_get_finish(const struct peer_target *t, struct jail_call *c, struct wg_device **out, struct wj_err *e)
{
	return jail_dev_get_finish(c, t->ifname, out, e);
}
