/* The WireGuard uplink on Linux (agent/uplink.h): the WireGuard interface
 * is created in the host namespace under a name of its own, wjwN (a
 * kernel link, or wireguard-go started there), so its socket stays in the
 * host; then it is moved into the jail and renamed to the spec's name.
 * The jail holds only lo and it, with the default routes through it: what
 * the jail sends leaves encrypted or not at all. */
#include "agent/jailrun_linux.h"

#include <stdlib.h>

#include "netconf/route.h"
#include "util/err.h"

/* Born in the host (its socket stays there), then moved and renamed. */
static int wg_create(struct jail_run *r, struct wj_err *e)
{
	if (run_claim_hostif(r, "wjw", e) < 0 || run_save(r, e) < 0 ||
	    run_create_wg(r, &r->host, r->st.hostif, -1, e) < 0)
		return -1;
	/* The MTU while wireguard-go can still see it (its netlink listener
	 * stays in the host namespace). */
	if (link_set_mtu(&r->host, r->st.hostif, r->mtu, e) < 0 ||
	    link_move(&r->host, r->st.hostif, r->nsfd, r->s->ifname, e) < 0)
		return -1;
	return 0;
}

/* The link if it never left the host (an `up` that failed before the
 * move); once moved, it is the jail's interface and goes with it. */
static int wg_down(struct jail_undo *d, struct wj_err *e)
{
	if (d->st.hostif[0] && link_delete(d->host, d->st.hostif, e) < 0)
		return -1;
	return 0;
}

/* Everything goes through the tunnel: a default route for every family
 * the tunnel has an address of. */
static int routes(struct jail_run *r, struct wj_err *e)
{
	struct plist keep = {0};
	bool fam[2] = {false, false};
	int rc = -1;

	for (size_t i = 0; i < r->n_addr; i++)
		fam[r->addr[i].family == AF_INET6] = true;
	for (int v6 = 0; v6 < 2; v6++) {
		struct wg_ipmask d;
		run_default_dst(&d, v6 ? AF_INET6 : AF_INET);
		if (fam[v6] && run_wg_route(r, &keep, &d, e) < 0)
			goto out;
	}
	rc = route_prune(&r->jail, r->s->ifname, keep.v, keep.n, e);
out:
	free(keep.v);
	return rc;
}

/* The WireGuard kind's live operations (agent/uplink.h), the same record
 * as agent/uplink_bridge_linux.c's by design. */
const struct uplink_live uplink_live_wireguard = {
	.up = NULL,
	.down = NULL,
	.wg_create = wg_create,
	.wg_down = wg_down,
	.routes = routes,
};
