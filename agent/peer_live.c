/* The live half of the peer operations: one backend set inside the
 * jail's network namespace (see agent/peer.h). */
#include "agent/peer.h"

#include <stdio.h>
#include <string.h>

#include "agent/jailstate.h"
#include "agent/util/err.h"
#include "netconf/netns.h"
#include "wg/backend.h"
#include "wg/resolve.h"
#include "wg/uapi.h"

int peer_jail_target(const char *jail, const char *ifname, struct peer_target *t, struct wj_err *e)
{
#if defined(__linux__)
	struct jail_state st;
	int have;

	memset(t, 0, sizeof(*t));
	if (!netns_exists(jail))
		return 0;
	snprintf(t->netns, sizeof(t->netns), "%s", jail);
	snprintf(t->name, sizeof(t->name), "%s", ifname);
	have = jailstate_load(jail, &st, e);
	if (have < 0)
		return -1;
	/* wireguard-go: the jail's private UAPI directory names the socket
	 * after the jail's interface, whatever wireguard-go called it (see
	 * start_wggo in agent/jail_linux.c). */
	if (have == 1 && !strcmp(st.impl, "userspace") &&
	    jail_uapi_dir(jail, t->uapi_dir, sizeof(t->uapi_dir)) < 0)
		return wj_errf(e, "jail %s: the path of its UAPI socket directory is too long", jail);
	return 1;
#else
	(void)jail;
	(void)ifname;
	(void)e;
	memset(t, 0, sizeof(*t));
	return 0;
#endif
}

/* Run FN inside T's namespace, with T's UAPI directory. */
static int at_target(const struct peer_target *t,
		     int (*fn)(const struct wg_backend *, const char *, void *, struct wj_err *), void *arg,
		     struct wj_err *e)
{
	const struct wg_backend *be;
	int saved = -1, r;

#if defined(__linux__)
	if (t->netns[0] && netns_enter(t->netns, &saved, e) < 0)
		return -1;
#else
	if (t->netns[0])
		return wj_errf(e, "network namespaces exist only on Linux");
#endif
	if (t->uapi_dir[0])
		wg_uapi_set_dir(t->uapi_dir);
	be = wg_backend_for(t->name, e);
	r = be ? fn(be, t->name, arg, e) : -1;
	if (t->uapi_dir[0])
		wg_uapi_set_dir(NULL);
#if defined(__linux__)
	if (saved >= 0)
		netns_leave(saved);
#endif
	if (r < 0 && t->netns[0])
		wj_err_prefix(e, "namespace %s", t->netns);
	return r;
}

static int do_set(const struct wg_backend *be, const char *name, void *arg, struct wj_err *e)
{
	return be->set(name, arg, e);
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
	snprintf(changes->name, sizeof(changes->name), "%s", t->name);
	return at_target(t, do_set, changes, e);
}

int peer_live_get(const struct peer_target *t, struct wg_device **out, struct wj_err *e)
{
	*out = NULL;
	return at_target(t, do_get, out, e);
}
