/* The bridge uplink on Linux (agent/uplink.h): a veth pair wjN (host end,
 * on the bridge; the bridge is created if missing and holds the gateway
 * addresses) and eth0 (inside, the jail's addresses and default routes via
 * the gateways); the WireGuard interface is created inside the jail, so
 * its socket lives there.  What `up` adds to a bridge wgjail did not
 * create is recorded (agent/jailstate.h: STATEDIR/bridges) and removed by
 * the `down` of the last jail on it. */
#include "agent/jailrun_linux.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netconf/addr.h"
#include "netconf/route.h"
#include "util/err.h"
#include "util/paths.h"
#include "util/fsutil.h"

static const struct wg_ipmask *jail_addr_of(const struct jail_spec *s, int family)
{
	for (size_t i = 0; i < s->n_jail_addr; i++)
		if (s->jail_addr[i].family == family)
			return &s->jail_addr[i];
	return NULL;
}

/* A gateway address as the bridge holds it: the prefix length of the
 * jail address of its family. */
static struct wg_ipmask gateway_on_bridge(const struct jail_spec *s, size_t i)
{
	struct wg_ipmask g = s->gateway[i];
	const struct wg_ipmask *ja = jail_addr_of(s, g.family);

	g.cidr = ja ? ja->cidr : (g.family == AF_INET6 ? 128 : 32);
	return g;
}

/* Before anything is changed: BRIDGE must be a bridge (or missing), and
 * must not hold a gateway address with another prefix length (changing
 * the host's own address is not ours to do). */
static int check_bridge(struct jail_run *r, const struct link_info *li, bool exists, struct wj_err *e)
{
	const struct jail_spec *s = r->s;
	struct wg_ipmask *have = NULL;
	size_t n = 0;
	char a[64], b[64];
	int rc = 0;

	if (!exists)
		return 0;
	if (strcmp(li->kind, "bridge"))
		return wj_errf(e, "jail %s: bridge %s exists on the host and is not a bridge (%s link): nothing "
				  "changed; name a bridge with --bridge",
			       s->name, s->bridge, li->kind[0] ? li->kind : "a plain");
	if (addr_list(&r->host, li->index, &have, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_gateway && rc == 0; i++) {
		struct wg_ipmask g = gateway_on_bridge(s, i);
		for (size_t k = 0; k < n; k++)
			if (have[k].family == g.family && !memcmp(&have[k].addr, &g.addr, g.family == AF_INET6 ? 16 : 4) &&
			    have[k].cidr != g.cidr) {
				rc = wj_errf(e, "jail %s: bridge %s holds %s, the spec's gateway wants %s: nothing changed; "
						"make them agree",
					     s->name, s->bridge, wg_ipmask_fmt(&have[k], a, sizeof(a)),
					     wg_ipmask_fmt(&g, b, sizeof(b)));
				break;
			}
	}
	free(have);
	return rc;
}

/* Add G to the bridge, recording it first if it is not there yet (so
 * that `down` can remove it even after a failure half-way). */
static int bridge_add_gateway(struct jail_run *r, struct bridge_rec *rec, const struct wg_ipmask *g,
			      struct wj_err *e)
{
	struct wg_ipmask *have = NULL;
	struct link_info li = {0};
	size_t n = 0;
	bool there = false, known = false;

	if (r->o->dry)
		return addr_add(&r->host, r->s->bridge, g, e);
	if (link_get(&r->host, r->s->bridge, &li, e) < 0 || addr_list(&r->host, li.index, &have, &n, e) < 0)
		return -1;
	for (size_t k = 0; k < n; k++)
		there |= have[k].family == g->family && have[k].cidr == g->cidr &&
			 !memcmp(&have[k].addr, &g->addr, g->family == AF_INET6 ? 16 : 4);
	free(have);
	if (there)
		return 0; /* the host's, or recorded already */
	for (size_t k = 0; k < rec->n; k++)
		known |= !memcmp(&rec->addr[k], g, sizeof(*g));
	if (!known) {
		if (rec->n == BRIDGE_REC_MAX)
			return wj_errf(e, "jail %s: too many gateway addresses on bridge %s", r->s->name, r->s->bridge);
		rec->addr[rec->n++] = *g;
		if (jailstate_bridge_save(r->s->bridge, rec, e) < 0)
			return -1;
	}
	return addr_add(&r->host, r->s->bridge, g, e);
}

/* The bridge, on the host, holding the gateway addresses: checked first,
 * then what is added to a bridge wgjail did not create is recorded
 * (STATEDIR/bridges), under a lock shared by every jail. */
static int bridge_up(struct jail_run *r, struct wj_err *e)
{
	const struct jail_spec *s = r->s;
	struct link_info li = {0};
	struct bridge_rec rec = {0};
	char marker[512];
	int got, lockfd = -1;

	got = link_get(&r->host, s->bridge, &li, e);
	if (got < 0 || check_bridge(r, &li, got == 1, e) < 0)
		return -1;
	/* Recorded before it is touched: a failure half-way still lets
	 * `down` undo what was added to it. */
	snprintf(r->st.bridge, sizeof(r->st.bridge), "%s", s->bridge);
	if (run_save(r, e) < 0)
		return -1;
	if (!r->o->dry && (jailstate_bridges_lock(&lockfd, e) < 0 || jailstate_bridge_load(s->bridge, &rec, e) < 0))
		goto fail;
	if (got == 0) {
		if (link_create(&r->host, s->bridge, "bridge", e) < 0)
			goto fail;
		if (!r->o->dry) {
			int fd;
			if (jailstate_bridge_marker(s->bridge, marker, sizeof(marker)) < 0) {
				wj_errf(e, "%s: state path too long", wj_statedir());
				goto fail;
			}
			fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
			if (fd >= 0)
				close(fd);
		}
	}
	for (size_t i = 0; i < s->n_gateway; i++) {
		struct wg_ipmask g = gateway_on_bridge(s, i);
		if (bridge_add_gateway(r, &rec, &g, e) < 0)
			goto fail;
	}
	if (!r->o->dry && got == 1 && !(li.flags & IFF_UP) && !rec.set_up) {
		rec.set_up = true; /* recorded before it is done */
		if (jailstate_bridge_save(s->bridge, &rec, e) < 0)
			goto fail;
	}
	if (link_set_up(&r->host, s->bridge, true, e) < 0)
		goto fail;
	wj_unlock(lockfd);
	return 0;
fail:
	wj_unlock(lockfd);
	return -1;
}

/* The bridge, then the veth pair: host end on the bridge, jail end inside
 * with the jail's addresses and default routes via the gateways. */
static int up(struct jail_run *r, struct wj_err *e)
{
	const struct jail_spec *s = r->s;

	if (bridge_up(r, e) < 0 || run_claim_hostif(r, "wj", e) < 0)
		return -1;
	snprintf(r->st.jailif, sizeof(r->st.jailif), "%s", JAIL_VETH_INSIDE);
	if (run_save(r, e) < 0)
		return -1;
	if (link_create_veth(&r->host, r->st.hostif, JAIL_VETH_INSIDE, r->nsfd, e) < 0 ||
	    link_set_master(&r->host, r->st.hostif, s->bridge, e) < 0 ||
	    link_set_up(&r->host, r->st.hostif, true, e) < 0)
		return -1;
	if (link_set_up(&r->jail, JAIL_VETH_INSIDE, true, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_jail_addr; i++)
		if (addr_add(&r->jail, JAIL_VETH_INSIDE, &s->jail_addr[i], e) < 0)
			return -1;
	for (size_t i = 0; i < s->n_gateway; i++) {
		struct wg_ipmask d;
		run_default_dst(&d, s->gateway[i].family);
		if (route_add(&r->jail, &d, &s->gateway[i], JAIL_VETH_INSIDE, e) < 0)
			return -1;
	}
	return 0;
}

/* Once no jail is on BRIDGE any more: remove what `up` added to it (the
 * bridge itself if wgjail created it, else the gateway addresses it added
 * and the "up" it set), and nothing else. */
static int down_bridge(struct nc *host, const char *bridge, struct wj_err *e)
{
	struct link_info li = {0};
	struct bridge_rec rec;
	char marker[512];
	int got, ports = 0, lockfd = -1, rc = -1;
	bool created;

	if (jailstate_bridge_marker(bridge, marker, sizeof(marker)) < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	if (jailstate_bridges_lock(&lockfd, e) < 0)
		return -1;
	created = wj_exists(marker);
	if (jailstate_bridge_load(bridge, &rec, e) < 0)
		goto out;
	if (!created && !rec.n && !rec.set_up) {
		rc = 0;
		goto out;
	}
	got = link_get(host, bridge, &li, e);
	if (got < 0 || (got == 1 && (ports = link_count_ports(host, li.index, e)) < 0))
		goto out;
	if (ports > 0) { /* another jail (or the host) still uses it */
		rc = 0;
		goto out;
	}
	if (got == 1 && created) {
		if (link_delete(host, bridge, e) < 0)
			goto out;
	} else if (got == 1 && strcmp(li.kind, "bridge") == 0) {
		for (size_t i = 0; i < rec.n; i++)
			if (addr_del(host, bridge, &rec.addr[i], e) < 0)
				goto out;
		if (rec.set_up && link_set_up(host, bridge, false, e) < 0)
			goto out;
	}
	unlink(marker);
	jailstate_bridge_forget(bridge);
	rc = 0;
out:
	wj_unlock(lockfd);
	return rc;
}

static int down(struct jail_undo *d, struct wj_err *e)
{
	if (d->st.hostif[0] && link_delete(d->host, d->st.hostif, e) < 0)
		return -1;
	if (d->st.bridge[0] && down_bridge(d->host, d->st.bridge, e) < 0)
		return -1;
	return 0;
}

/* Inside the jail: its socket in the jail's own stack. */
static int wg_create(struct jail_run *r, struct wj_err *e)
{
	return run_create_wg(r, &r->jail, r->s->ifname, r->nsfd, e);
}

/* true if one of the prefixes of ADDR[0..N) holds AIP entirely. */
static bool within(const struct wg_ipmask *addr, size_t n, const struct wg_ipmask *aip)
{
	for (size_t i = 0; i < n; i++) {
		struct wg_ipmask a = addr[i], m = *aip;
		if (a.family != aip->family || aip->cidr < a.cidr)
			continue;
		m.cidr = a.cidr;
		wg_ipmask_mask(&a);
		wg_ipmask_mask(&m);
		if (!memcmp(&a.addr, &m.addr, a.family == AF_INET6 ? 16 : 4))
			return true;
	}
	return false;
}

/* A full tunnel (AllowedIPs /0) in a bridge jail: the two halves of the
 * address space through the tunnel (more specific than the default route,
 * which stays), and a host route to every peer's endpoint via the gateway,
 * so that the tunnel's own packets still leave through the bridge.  (An
 * endpoint that roams later is not followed.) */
static int full_tunnel(struct jail_run *r, struct plist *keep, struct plist *keep_eth, int family,
		       struct wj_err *e)
{
	const struct jail_spec *s = r->s;
	const struct wg_ipmask *gw = NULL;
	struct wg_ipmask half;

	for (size_t i = 0; i < s->n_gateway; i++)
		if (s->gateway[i].family == family)
			gw = &s->gateway[i];
	memset(&half, 0, sizeof(half));
	half.family = (uint16_t)family;
	half.cidr = 1;
	if (run_wg_route(r, keep, &half, e) < 0)
		return -1;
	if (family == AF_INET)
		half.addr.ip4.s_addr = htonl(0x80000000u);
	else
		half.addr.ip6.s6_addr[0] = 0x80;
	if (run_wg_route(r, keep, &half, e) < 0)
		return -1;
	for (size_t p = 0; gw && p < r->conf->n_peers; p++) {
		const union wg_sockaddr *ep = &r->conf->peers[p].endpoint_addr;
		struct wg_ipmask host;
		if (ep->sa.sa_family != family)
			continue;
		memset(&host, 0, sizeof(host));
		host.family = (uint16_t)family;
		host.cidr = family == AF_INET ? 32 : 128;
		if (family == AF_INET)
			host.addr.ip4 = ep->in.sin_addr;
		else
			host.addr.ip6 = ep->in6.sin6_addr;
		/* On the bridge's own subnet: its link route already wins. */
		if (within(s->jail_addr, s->n_jail_addr, &host))
			continue;
		if (plist_add(keep_eth, &host, e) < 0 || route_add(&r->jail, &host, gw, JAIL_VETH_INSIDE, e) < 0)
			return -1;
	}
	return 0;
}

/* A route through the tunnel for every peer's allowed IP outside the
 * tunnel's own prefixes (a full tunnel as above); the default routes stay
 * via the gateways.  wgjail's other routes out of either link go. */
static int routes(struct jail_run *r, struct wj_err *e)
{
	const struct jail_spec *s = r->s;
	struct plist keep = {0}, keep_eth = {0};
	bool full[2] = {false, false};
	int rc = -1;

	for (size_t p = 0; p < r->conf->n_peers; p++) {
		const struct wg_peer *peer = &r->conf->peers[p];
		for (size_t i = 0; i < peer->n_aips; i++) {
			const struct wg_ipmask *aip = &peer->aips[i];
			if (aip->cidr == 0)
				full[aip->family == AF_INET6] = true;
			else if (!within(r->addr, r->n_addr, aip) && run_wg_route(r, &keep, aip, e) < 0)
				goto out;
		}
	}
	for (int v6 = 0; v6 < 2; v6++)
		if (full[v6] && full_tunnel(r, &keep, &keep_eth, v6 ? AF_INET6 : AF_INET, e) < 0)
			goto out;
	/* The default routes via the gateways are wgjail's too: kept. */
	for (size_t i = 0; i < s->n_gateway; i++) {
		struct wg_ipmask d;
		run_default_dst(&d, s->gateway[i].family);
		if (plist_add(&keep_eth, &d, e) < 0)
			goto out;
	}
	if (route_prune(&r->jail, s->ifname, keep.v, keep.n, e) < 0 ||
	    route_prune(&r->jail, JAIL_VETH_INSIDE, keep_eth.v, keep_eth.n, e) < 0)
		goto out;
	rc = 0;
out:
	free(keep.v);
	free(keep_eth.v);
	return rc;
}

/* The bridge kind's live operations (agent/uplink.h), the same record as
 * agent/uplink_wireguard_linux.c's by design. */
const struct uplink_live uplink_live_bridge = {
	.up = up,
	.down = down,
	.wg_create = wg_create,
	.wg_down = NULL,
	.routes = routes,
};
