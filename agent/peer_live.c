/* The live half of the peer operations: one backend set inside the
 * jail's network namespace (see agent/peer.h). */
#include "agent/peer.h"

#include <stdio.h>
#include <string.h>

#include "agent/util/err.h"
#include "netconf/netns.h"
#include "wg/backend.h"
#include "wg/resolve.h"

const char *peer_jail_netns(const char *jail)
{
#if defined(__linux__)
	return netns_exists(jail) ? jail : NULL;
#else
	(void)jail;
	return NULL;
#endif
}

/* Run FN(IFNAME, ARG) inside NETNS (or here if NULL). */
static int in_netns(const char *netns, const char *ifname,
		    int (*fn)(const struct wg_backend *, const char *, void *, struct wj_err *), void *arg,
		    struct wj_err *e)
{
	const struct wg_backend *be;
	int saved = -1, r;

#if defined(__linux__)
	if (netns && netns_enter(netns, &saved, e) < 0)
		return -1;
#else
	if (netns)
		return wj_errf(e, "network namespaces exist only on Linux");
#endif
	be = wg_backend_for(ifname, e);
	r = be ? fn(be, ifname, arg, e) : -1;
#if defined(__linux__)
	if (saved >= 0)
		netns_leave(saved);
#endif
	if (r < 0 && netns)
		wj_err_prefix(e, "namespace %s", netns);
	return r;
}

static int do_set(const struct wg_backend *be, const char *ifname, void *arg, struct wj_err *e)
{
	return be->set(ifname, arg, e);
}

static int do_get(const struct wg_backend *be, const char *ifname, void *arg, struct wj_err *e)
{
	return be->get(ifname, arg, e);
}

int peer_live_set(const char *netns, const char *ifname, struct wg_device *changes, struct wj_err *e)
{
	/* Hostnames are resolved here, before entering the jail: the jail
	 * may have no resolver of its own. */
	for (size_t i = 0; i < changes->n_peers; i++) {
		struct wg_peer *p = &changes->peers[i];
		if ((p->flags & WGPEER_HAS_ENDPOINT) && p->endpoint && p->endpoint_addr.sa.sa_family == AF_UNSPEC &&
		    wg_resolve_endpoint(p->endpoint, &p->endpoint_addr, NULL, e) < 0)
			return -1;
	}
	snprintf(changes->name, sizeof(changes->name), "%s", ifname);
	return in_netns(netns, ifname, do_set, changes, e);
}

int peer_live_get(const char *netns, const char *ifname, struct wg_device **out, struct wj_err *e)
{
	*out = NULL;
	return in_netns(netns, ifname, do_get, out, e);
}
