/* The live half of the peer operations: one backend set inside the
 * jail's network namespace (see agent/peer.h). */
#include "agent/peer.h"

#include <stdio.h>
#include <string.h>

#include "agent/jailctx.h"
#include "util/err.h"
#include "wg/applied.h"
#include "wg/backend.h"
#include "wg/resolve.h"

int peer_jail_target(const char *jail, const char *ifname, struct peer_target *t, struct wj_err *e)
{
	(void)e;
	memset(t, 0, sizeof(*t));
	if (!jail_ctx_is_up(jail))
		return 0;
	snprintf(t->jail, sizeof(t->jail), "%s", jail);
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	return 1;
}

/* Run FN on T's interface, inside the jail. */
static int at_target(const struct peer_target *t,
		     int (*fn)(const struct wg_backend *, const char *, void *, struct wj_err *), void *arg,
		     struct wj_err *e)
{
	const struct wg_backend *be;
	struct jail_ctx c;
	int r;

	if (jail_ctx_enter(t->jail, t->ifname, &c, e) < 0)
		return -1;
	be = wg_backend_for(c.ifname, e);
	r = be ? fn(be, c.ifname, arg, e) : -1;
	jail_ctx_leave(&c);
	if (r < 0)
		wj_err_prefix(e, "jail %s", t->jail);
	return r;
}

static int do_set(const struct wg_backend *be, const char *name, void *arg, struct wj_err *e)
{
	return wg_device_set(be, name, arg, e);
}

static int do_get(const struct wg_backend *be, const char *name, void *arg, struct wj_err *e)
{
	return be->get(name, arg, e);
}

int peer_live_set(const struct peer_target *t, struct wg_device *changes, struct wj_err *e)
{
	/* Hostnames are resolved here, before entering the jail: the jail
	 * may have no resolver of its own. */
	for (size_t i = 0; i < changes->n_peers; i++) {
		struct wg_peer *p = &changes->peers[i];
		if ((p->flags & WGPEER_HAS_ENDPOINT) && p->endpoint && p->endpoint_addr.sa.sa_family == AF_UNSPEC &&
		    wg_resolve_endpoint(p->endpoint, &p->endpoint_addr, NULL, e) < 0)
			return -1;
	}
	snprintf(changes->name, sizeof(changes->name), "%s", t->ifname);
	return at_target(t, do_set, changes, e);
}

int peer_live_get(const struct peer_target *t, struct wg_device **out, struct wj_err *e)
{
	*out = NULL;
	return at_target(t, do_get, out, e);
}
