#include "agent/jail_linux.h"
#include "agent/jailcall.h"
#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/jailwg.h"
#include "agent/jailstate.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/stores.h"
#include "agent/wggo_linux.h"
#include "netconf/addr.h"
#include "netconf/link.h"
#include "netconf/netns.h"
#include "netconf/route.h"
#include "wg/applied.h"
#include "wg/config.h"
#include "wg/sync.h"
#include "wg/uapi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct up {
	const struct jail_spec *s;
	const struct jail_up_opts *o;
	struct jail_state st;
	struct nc host, jail;
	int nsfd;
	bool fresh;              /* dry run, the namespace does not exist yet */
	unsigned extra_changes;  /* processes started, sync changes */
	struct wg_device *conf;
	struct wg_ipmask addr[2 * JAIL_MAX_ADDRS];
	size_t n_addr;
	unsigned mtu;
	char uapi_dir[512];
	char wggo_dir[512];
	char log_path[512];
};

static void note(void *arg, const char *where, const char *what)
{
	const struct up *u = arg;

	fprintf(u->o->out, "%s%s: %s\n", u->o->dry ? "would: " : "", where, what);
}

static void say(struct up *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct up *u, const char *fmt, ...)
{
	va_list ap;

	u->extra_changes++;
	fputs(u->o->dry ? "would: " : "", u->o->out);
	va_start(ap, fmt);
	vfprintf(u->o->out, fmt, ap);
	va_end(ap);
	fputc('\n', u->o->out);
}

static int save(struct up *u, struct wj_err *e)
{
	return u->o->dry ? 0 : jailstate_save(u->s->name, &u->st, e);
}

/* Open C's socket inside the namespace NSFD. */
static int nc_open_in(struct nc *c, int nsfd, const char *where, struct wj_err *e)
{
	int saved, r;

	if (netns_enter_fd(nsfd, &saved, e) < 0)
		return -1;
	r = nc_open(c, where, e);
	netns_leave(saved);
	return r;
}

/* ---- pieces ---------------------------------------------------------- */

static int up_namespace(struct up *u, struct wj_err *e)
{
	const char *name = u->s->name;

	if (!netns_exists(name)) {
		if (u->o->dry) {
			say(u, "host: create network namespace %s", name);
			u->fresh = true;
			u->nsfd = netns_new_anonymous(e);
			return u->nsfd < 0 ? -1 : 0;
		}
		bool created;
		/* Recorded before it exists: a failure half-way still lets
		 * `down` remove it. */
		u->st.netns_created = true;
		if (save(u, e) < 0)
			return -1;
		if (netns_create(name, &created, e) < 0) {
			/* Nothing was made: leave no state behind either, unless
			 * an earlier up recorded something `down` must remove. */
			struct wj_err ignored;
			u->st.netns_created = false;
			if (!u->st.hostif[0] && !u->st.jailif[0] && !u->st.bridge[0] && !u->st.wggo_pid)
				jailstate_remove(name, &ignored);
			return -1;
		}
		if (created)
			say(u, "host: create network namespace %s", name);
	}
	u->nsfd = netns_open(name, e);
	return u->nsfd < 0 ? -1 : 0;
}

static const struct wg_ipmask *jail_addr_of(const struct jail_spec *s, int family)
{
	for (size_t i = 0; i < s->n_jail_addr; i++)
		if (s->jail_addr[i].family == family)
			return &s->jail_addr[i];
	return NULL;
}

static void default_dst(struct wg_ipmask *d, int family)
{
	memset(d, 0, sizeof(*d));
	d->family = (uint16_t)family;
}

/* The host-side name PREFIX+id: ours if this jail's state has it, else it
 * must not exist (another jail with the same id in another configuration
 * directory, or someone else's link: never adopted, so never deleted). */
static int claim_hostif(struct up *u, const char *prefix, struct wj_err *e)
{
	char name[WJ_IFNAME_MAX + 1];
	struct link_info li = {0};
	int r;

	snprintf(name, sizeof(name), "%s%u", prefix, u->s->id);
	if (!strcmp(u->st.hostif, name))
		return 0;
	r = link_get(&u->host, name, &li, e);
	if (r < 0)
		return -1;
	if (r == 1)
		return wj_errf(e, "jail %s: link %s exists on the host and is not this jail's (another jail with id %u?)",
			       u->s->name, name, u->s->id);
	snprintf(u->st.hostif, sizeof(u->st.hostif), "%s", name);
	return 0;
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
static int check_bridge(struct up *u, const struct link_info *li, bool exists, struct wj_err *e)
{
	const struct jail_spec *s = u->s;
	struct wg_ipmask *have = NULL;
	size_t n = 0;
	char a[64], b[64];
	int r = 0;

	if (!exists)
		return 0;
	if (strcmp(li->kind, "bridge"))
		return wj_errf(e, "jail %s: bridge %s exists on the host and is not a bridge (%s link): nothing "
				  "changed; name a bridge with --bridge",
			       s->name, s->bridge, li->kind[0] ? li->kind : "a plain");
	if (addr_list(&u->host, li->index, &have, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_gateway && r == 0; i++) {
		struct wg_ipmask g = gateway_on_bridge(s, i);
		for (size_t k = 0; k < n; k++)
			if (have[k].family == g.family && !memcmp(&have[k].addr, &g.addr, g.family == AF_INET6 ? 16 : 4) &&
			    have[k].cidr != g.cidr) {
				r = wj_errf(e, "jail %s: bridge %s holds %s, the spec's gateway wants %s: nothing changed; "
					       "make them agree",
					    s->name, s->bridge, wg_ipmask_fmt(&have[k], a, sizeof(a)),
					    wg_ipmask_fmt(&g, b, sizeof(b)));
				break;
			}
	}
	free(have);
	return r;
}

/* Add G to the bridge, recording it first if it is not there yet (so
 * that `down` can remove it even after a failure half-way). */
static int bridge_add_gateway(struct up *u, struct bridge_rec *rec, const struct wg_ipmask *g, struct wj_err *e)
{
	struct wg_ipmask *have = NULL;
	struct link_info li = {0};
	size_t n = 0;
	bool there = false, known = false;

	if (u->o->dry)
		return addr_add(&u->host, u->s->bridge, g, e);
	if (link_get(&u->host, u->s->bridge, &li, e) < 0 || addr_list(&u->host, li.index, &have, &n, e) < 0)
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
			return wj_errf(e, "jail %s: too many gateway addresses on bridge %s", u->s->name, u->s->bridge);
		rec->addr[rec->n++] = *g;
		if (jailstate_bridge_save(u->s->bridge, rec, e) < 0)
			return -1;
	}
	return addr_add(&u->host, u->s->bridge, g, e);
}

static int up_bridge_uplink(struct up *u, struct wj_err *e)
{
	const struct jail_spec *s = u->s;
	struct link_info li = {0};
	struct bridge_rec rec = {0};
	char marker[512];
	int r, lockfd = -1;

	/* The bridge, on the host, holding the gateway addresses: checked
	 * first, then what is added to a bridge wgjail did not create is
	 * recorded (STATEDIR/bridges), under a lock shared by every jail. */
	r = link_get(&u->host, s->bridge, &li, e);
	if (r < 0 || check_bridge(u, &li, r == 1, e) < 0)
		return -1;
	if (!u->o->dry && (jailstate_bridges_lock(&lockfd, e) < 0 || jailstate_bridge_load(s->bridge, &rec, e) < 0)) {
		wj_unlock(lockfd);
		return -1;
	}
	if (r == 0) {
		if (link_create(&u->host, s->bridge, "bridge", e) < 0)
			goto fail;
		if (!u->o->dry) {
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
		if (bridge_add_gateway(u, &rec, &g, e) < 0)
			goto fail;
	}
	if (!u->o->dry && r == 1 && !(li.flags & IFF_UP) && !rec.set_up) {
		rec.set_up = true; /* recorded before it is done */
		if (jailstate_bridge_save(s->bridge, &rec, e) < 0)
			goto fail;
	}
	if (link_set_up(&u->host, s->bridge, true, e) < 0)
		goto fail;
	wj_unlock(lockfd);

	/* The veth pair: host end on the bridge, jail end inside. */
	if (claim_hostif(u, "wj", e) < 0)
		return -1;
	snprintf(u->st.jailif, sizeof(u->st.jailif), "%s", JAIL_VETH_INSIDE);
	snprintf(u->st.bridge, sizeof(u->st.bridge), "%s", s->bridge);
	if (save(u, e) < 0)
		return -1;
	if (link_create_veth(&u->host, u->st.hostif, JAIL_VETH_INSIDE, u->nsfd, e) < 0 ||
	    link_set_master(&u->host, u->st.hostif, s->bridge, e) < 0 ||
	    link_set_up(&u->host, u->st.hostif, true, e) < 0)
		return -1;
	if (link_set_up(&u->jail, JAIL_VETH_INSIDE, true, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_jail_addr; i++)
		if (addr_add(&u->jail, JAIL_VETH_INSIDE, &s->jail_addr[i], e) < 0)
			return -1;
	for (size_t i = 0; i < s->n_gateway; i++) {
		struct wg_ipmask d;
		default_dst(&d, s->gateway[i].family);
		if (route_add(&u->jail, &d, &s->gateway[i], JAIL_VETH_INSIDE, e) < 0)
			return -1;
	}
	return 0;
fail:
	wj_unlock(lockfd);
	return -1;
}

static int start_wggo(struct up *u, const char *ifname, int nsfd, struct wj_err *e)
{
	if (u->o->dry) {
		say(u, "%s: start %s for %s", nsfd >= 0 ? "jail" : "host", wj_wireguard_go(), ifname);
		return 0;
	}
	char target[64], sock[600];

	if (wj_mkdirs(u->uapi_dir, 0700, e) < 0 || wj_mkdirs(u->wggo_dir, 0700, e) < 0)
		return -1;
	snprintf(u->st.impl, sizeof(u->st.impl), "userspace");
	snprintf(u->st.uapi_name, sizeof(u->st.uapi_name), "%s", ifname);
	if (wggo_start(ifname, nsfd, u->wggo_dir, u->log_path, &u->st.wggo_pid, &u->st.wggo_start, e) < 0)
		return -1;
	/* wireguard-go's own directory holds its socket, named after the
	 * interface it created; the jail's UAPI directory names it after
	 * the jail's interface.  (A symbolic link: wireguard-go watches its
	 * socket file with inotify and shuts down on any event, so the
	 * socket itself is never touched.) */
	snprintf(target, sizeof(target), "../wireguard-go/%s.sock", ifname);
	snprintf(sock, sizeof(sock), "%s/%s.sock", u->uapi_dir, u->s->ifname);
	unlink(sock);
	if (symlink(target, sock) < 0)
		return wj_errnof(e, errno, "jail %s: %s", u->s->name, sock);
	say(u, "%s: started %s for %s (pid %d)", nsfd >= 0 ? "jail" : "host", wj_wireguard_go(), ifname,
	    (int)u->st.wggo_pid);
	return save(u, e);
}

/* Create the WireGuard link NAME through C (kernel), or, when the kernel
 * has no WireGuard and the spec allows it, start wireguard-go for it (in
 * the namespace NSFD, -1 = C's, which must then be the current one). */
static int create_wg(struct up *u, struct nc *c, const char *name, int nsfd, struct wj_err *e)
{
	enum jail_impl impl = u->s->impl;

	if (impl != IMPL_USERSPACE) {
		if (u->o->dry) {
			if (impl == IMPL_AUTO)
				say(u, "%s: create WireGuard interface %s (kernel, or %s if the kernel has none)",
				    c->where, name, wj_wireguard_go());
			else
				return link_create(c, name, "wireguard", e);
			return 0;
		}
		/* Tried quietly: the kernel may have no WireGuard. */
		void (*saved_note)(void *, const char *, const char *) = c->note;
		int r;
		c->note = NULL;
		r = link_create(c, name, "wireguard", e);
		c->note = saved_note;
		c->changes--;
		if (r == 0) {
			nc_note(c, "create kernel WireGuard link %s", name);
			snprintf(u->st.impl, sizeof(u->st.impl), "kernel");
			return save(u, e);
		}
		if (impl == IMPL_KERNEL || (e->code != EOPNOTSUPP && e->code != ENOTSUP))
			return -1;
		wj_err_clear(e);
	}
	return start_wggo(u, name, nsfd, e);
}

/* The WireGuard interface exists in the jail already: which kind? */
static int existing_wg(struct up *u, const struct link_info *li, struct wj_err *e)
{
	if (!strcmp(li->kind, "wireguard")) {
		snprintf(u->st.impl, sizeof(u->st.impl), "kernel");
		return 0;
	}
	if (!strcmp(li->kind, "tun") && u->st.wggo_pid && wggo_alive(u->st.wggo_pid, u->st.wggo_start))
		return 0;
	return wj_errf(e, "jail %s: %s exists but is neither a kernel WireGuard link nor served by a wireguard-go "
			  "that wgjail started (take the jail down first)",
		       u->s->name, li->name);
}

static int up_wg_link(struct up *u, struct wj_err *e)
{
	const struct jail_spec *s = u->s;
	struct link_info li = {0};
	int r = link_get(&u->jail, s->ifname, &li, e);

	if (r < 0)
		return -1;
	snprintf(u->st.ifname, sizeof(u->st.ifname), "%s", s->ifname);
	if (r == 1)
		return existing_wg(u, &li, e);
	if (s->impl == IMPL_KERNEL && !strcmp(u->st.impl, "userspace"))
		u->st.impl[0] = '\0';
	if (s->uplink == UPLINK_BRIDGE)
		return create_wg(u, &u->jail, s->ifname, u->nsfd, e);

	/* Uplink wireguard: born in the host (its socket stays there) under
	 * a name of its own, then moved into the jail and renamed. */
	if (claim_hostif(u, "wjw", e) < 0 || save(u, e) < 0 || create_wg(u, &u->host, u->st.hostif, -1, e) < 0)
		return -1;
	/* The MTU while wireguard-go can still see it (its netlink listener
	 * stays in the host namespace). */
	if (link_set_mtu(&u->host, u->st.hostif, u->mtu, e) < 0 ||
	    link_move(&u->host, u->st.hostif, u->nsfd, s->ifname, e) < 0)
		return -1;
	return 0;
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

/* A growable list of prefixes. */
struct plist {
	struct wg_ipmask *v;
	size_t n, cap;
};

static int plist_add(struct plist *l, const struct wg_ipmask *m, struct wj_err *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct wg_ipmask *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return wj_errnof(e, ENOMEM, "routes");
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = *m;
	return 0;
}

/* Route DST through the WireGuard interface, remembered in KEEP. */
static int wg_route(struct up *u, struct plist *keep, const struct wg_ipmask *dst, struct wj_err *e)
{
	if (plist_add(keep, dst, e) < 0)
		return -1;
	return route_add(&u->jail, dst, NULL, u->s->ifname, e);
}

/* A full tunnel (AllowedIPs /0) in a bridge jail: the two halves of the
 * address space through the tunnel (more specific than the default route,
 * which stays), and a host route to every peer's endpoint via the gateway,
 * so that the tunnel's own packets still leave through the bridge.  (An
 * endpoint that roams later is not followed.) */
static int full_tunnel(struct up *u, struct plist *keep, struct plist *keep_eth, int family, struct wj_err *e)
{
	const struct jail_spec *s = u->s;
	const struct wg_ipmask *gw = NULL;
	struct wg_ipmask half;

	for (size_t i = 0; i < s->n_gateway; i++)
		if (s->gateway[i].family == family)
			gw = &s->gateway[i];
	memset(&half, 0, sizeof(half));
	half.family = (uint16_t)family;
	half.cidr = 1;
	if (wg_route(u, keep, &half, e) < 0)
		return -1;
	if (family == AF_INET)
		half.addr.ip4.s_addr = htonl(0x80000000u);
	else
		half.addr.ip6.s6_addr[0] = 0x80;
	if (wg_route(u, keep, &half, e) < 0)
		return -1;
	for (size_t p = 0; gw && p < u->conf->n_peers; p++) {
		const union wg_sockaddr *ep = &u->conf->peers[p].endpoint_addr;
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
		if (plist_add(keep_eth, &host, e) < 0 || route_add(&u->jail, &host, gw, JAIL_VETH_INSIDE, e) < 0)
			return -1;
	}
	return 0;
}

static int up_routes(struct up *u, struct wj_err *e)
{
	const struct jail_spec *s = u->s;
	struct plist keep = {0}, keep_eth = {0};
	bool fam[2] = {false, false}, full[2] = {false, false};
	int r = -1;

	if (s->uplink == UPLINK_WIREGUARD) {
		/* Everything goes through the tunnel: a default route for
		 * every family the tunnel has an address of. */
		for (size_t i = 0; i < u->n_addr; i++)
			fam[u->addr[i].family == AF_INET6] = true;
		for (int v6 = 0; v6 < 2; v6++) {
			struct wg_ipmask d;
			default_dst(&d, v6 ? AF_INET6 : AF_INET);
			if (fam[v6] && wg_route(u, &keep, &d, e) < 0)
				goto out;
		}
		r = route_prune(&u->jail, s->ifname, keep.v, keep.n, e);
		goto out;
	}
	for (size_t p = 0; p < u->conf->n_peers; p++) {
		const struct wg_peer *peer = &u->conf->peers[p];
		for (size_t i = 0; i < peer->n_aips; i++) {
			const struct wg_ipmask *aip = &peer->aips[i];
			if (aip->cidr == 0)
				full[aip->family == AF_INET6] = true;
			else if (!within(u->addr, u->n_addr, aip) && wg_route(u, &keep, aip, e) < 0)
				goto out;
		}
	}
	for (int v6 = 0; v6 < 2; v6++)
		if (full[v6] && full_tunnel(u, &keep, &keep_eth, v6 ? AF_INET6 : AF_INET, e) < 0)
			goto out;
	/* The default routes via the gateways are wgjail's too: kept. */
	for (size_t i = 0; i < s->n_gateway; i++) {
		struct wg_ipmask d;
		default_dst(&d, s->gateway[i].family);
		if (plist_add(&keep_eth, &d, e) < 0)
			goto out;
	}
	if (route_prune(&u->jail, s->ifname, keep.v, keep.n, e) < 0 ||
	    route_prune(&u->jail, JAIL_VETH_INSIDE, keep_eth.v, keep_eth.n, e) < 0)
		goto out;
	r = 0;
out:
	free(keep.v);
	free(keep_eth.v);
	return r;
}

static int up_sync(struct up *u, struct wj_err *e)
{
	struct wg_sync_result res = {0};
	int r;

	if (u->fresh || (u->o->dry && !link_get(&u->jail, u->s->ifname, &(struct link_info){0}, e))) {
		say(u, "jail: configure %s from its file (%zu peer%s)", u->s->ifname, u->conf->n_peers,
		    u->conf->n_peers == 1 ? "" : "s");
		return 0;
	}
	/* Inside the jail (agent/jailcall.h): the UAPI socket (wireguard-go)
	 * is in the jail's own directory; a kernel link is reached over
	 * generic netlink from inside. */
	r = jail_dev_sync(u->s->name, u->s->ifname, u->conf, u->o->dry, u->o->out, &res, e);
	if (r < 0)
		return -1;
	u->extra_changes += (unsigned)(res.added + res.removed + res.changed + (res.device_changed ? 1 : 0));
	return r;
}

static int load_conf(struct up *u, struct wj_err *e)
{
	const struct jail_spec *s = u->s;

	if (jailwg_load(s->name, s->ifname, &u->conf, e) < 0)
		return -1;
	/* Tunnel addresses: the spec's, else the file's Address lines. */
	for (size_t i = 0; i < s->n_address; i++)
		u->addr[u->n_addr++] = s->address[i];
	for (size_t i = 0; !s->n_address && i < u->conf->quick.n_address && u->n_addr < 2 * JAIL_MAX_ADDRS; i++)
		u->addr[u->n_addr++] = u->conf->quick.address[i];
	u->mtu = s->mtu ? s->mtu : u->conf->quick.mtu ? u->conf->quick.mtu : JAIL_DEFAULT_MTU;
	return 0;
}

int jail_up(const struct jail_spec *s, const struct jail_up_opts *o, struct wj_err *e)
{
	struct up u = {.s = s, .o = o, .nsfd = -1};
	char lock[PATH_MAX];
	int lockfd = -1, r = -1, synced = 0;

	if (jailspec_validate(s, e) < 0)
		return -1;
	if (jail_uapi_dir(s->name, u.uapi_dir, sizeof(u.uapi_dir)) < 0 ||
	    jail_run_path(u.log_path, sizeof(u.log_path), s->name, "wireguard-go.log") < 0 ||
	    jail_run_path(u.wggo_dir, sizeof(u.wggo_dir), s->name, "wireguard-go") < 0 ||
	    jail_path(lock, sizeof(lock), s->name, ".lock") < 0)
		return wj_errf(e, "jail %s: path too long", s->name);
	if (jail_lock(s->name, &lockfd, e) < 0)
		return -1;
	if (load_conf(&u, e) < 0 || jailstate_load(s->name, &u.st, e) < 0 || jailstate_check_host(s->name, &u.st, e) < 0)
		goto out;
	u.st.hostns = jailstate_current_netns();
	if (u.st.uplink[0] && strcmp(u.st.uplink, uplink_name(s->uplink))) {
		wj_errf(e, "jail %s is up with a %s uplink; the spec now says otherwise: take it down first", s->name,
			u.st.uplink);
		goto out;
	}
	snprintf(u.st.uplink, sizeof(u.st.uplink), "%s", uplink_name(s->uplink));
	if (u.st.ifname[0] && strcmp(u.st.ifname, s->ifname)) {
		wj_errf(e, "jail %s is up with interface %s; the spec now says %s: take it down first", s->name,
			u.st.ifname, s->ifname);
		goto out;
	}
	u.host.dry = u.jail.dry = o->dry;
	u.host.note = u.jail.note = note;
	u.host.arg = u.jail.arg = &u;
	if (nc_open(&u.host, "host", e) < 0 || up_namespace(&u, e) < 0 || nc_open_in(&u.jail, u.nsfd, "jail", e) < 0)
		goto out;
	if (link_set_up(&u.jail, "lo", true, e) < 0)
		goto out;
	if (s->uplink == UPLINK_BRIDGE && up_bridge_uplink(&u, e) < 0)
		goto out;
	if (up_wg_link(&u, e) < 0 || link_set_mtu(&u.jail, s->ifname, u.mtu, e) < 0)
		goto out;
	for (size_t i = 0; i < u.n_addr; i++)
		if (addr_add(&u.jail, s->ifname, &u.addr[i], e) < 0)
			goto out;
	if ((synced = up_sync(&u, e)) < 0)
		goto out;
	if (link_set_up(&u.jail, s->ifname, true, e) < 0 || up_routes(&u, e) < 0)
		goto out;
	if (save(&u, e) < 0)
		goto out;
	r = synced;
	if (u.host.changes + u.jail.changes + u.extra_changes == 0)
		fprintf(o->out, "jail %s: up to date, nothing changed\n", s->name);
	else if (o->dry)
		fprintf(o->out, "jail %s: nothing changed (dry run)\n", s->name);
	else
		fprintf(o->out, "jail %s: up (%s uplink, %s WireGuard %s)\n", s->name, u.st.uplink,
			u.st.impl[0] ? u.st.impl : impl_name(s->impl), s->ifname);
out:
	nc_close(&u.jail);
	nc_close(&u.host);
	if (u.nsfd >= 0)
		close(u.nsfd);
	wg_device_free(u.conf);
	jail_unlock(lockfd);
	return r;
}

/* ---- down ------------------------------------------------------------ */

static void down_note(void *arg, const char *where, const char *what)
{
	fprintf(arg, "%s: %s\n", where, what);
}

/* Once no jail is on BRIDGE any more: remove what `up` added to it (the
 * bridge itself if wgjail created it, else the gateway addresses it added
 * and the "up" it set), and nothing else. */
static int down_bridge(struct nc *host, const char *bridge, struct wj_err *e)
{
	struct link_info li = {0};
	struct bridge_rec rec;
	char marker[512];
	int got, ports = 0, lockfd = -1, r = -1;
	bool created;

	if (jailstate_bridge_marker(bridge, marker, sizeof(marker)) < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	if (jailstate_bridges_lock(&lockfd, e) < 0)
		return -1;
	created = wj_exists(marker);
	if (jailstate_bridge_load(bridge, &rec, e) < 0)
		goto out;
	if (!created && !rec.n && !rec.set_up) {
		r = 0;
		goto out;
	}
	got = link_get(host, bridge, &li, e);
	if (got < 0 || (got == 1 && (ports = link_count_ports(host, li.index, e)) < 0))
		goto out;
	if (ports > 0) { /* another jail (or the host) still uses it */
		r = 0;
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
	r = 0;
out:
	wj_unlock(lockfd);
	return r;
}

int jail_down(const char *name, FILE *out, struct wj_err *e)
{
	struct jail_state st;
	struct nc host = {.note = down_note, .arg = out};
	char lock[PATH_MAX], q[80];
	const char *why = wj_jail_name_invalid(name);
	unsigned long long ns_ino;
	int lockfd = -1, r = -1, found;

	if (why)
		return wj_errf(e, "jail name '%s': %s", wj_quote(name, q, sizeof(q)), why);
	if (jail_path(lock, sizeof(lock), name, NULL) < 0)
		return wj_errf(e, "jail %s: path too long", name);
	if (wj_exists(lock) && jail_lock(name, &lockfd, e) < 0)
		return -1;
	if ((found = jailstate_load(name, &st, e)) < 0)
		goto out;
	if (!found) {
		fprintf(out, "jail %s: not up (no state in %s/jails), nothing to do\n", name, wj_statedir());
		r = 0;
		goto out;
	}
	if (jailstate_check_host(name, &st, e) < 0)
		goto out;
	if (st.wggo_pid && wggo_alive(st.wggo_pid, st.wggo_start)) {
		if (wggo_stop(st.wggo_pid, st.wggo_start, e) < 0)
			goto out;
		fprintf(out, "host: stopped %s (pid %d)\n", wj_wireguard_go(), (int)st.wggo_pid);
	}
	if (nc_open(&host, "host", e) < 0)
		goto out;
	if (netns_exists(name) && st.ifname[0] && !strcmp(st.impl, "kernel")) {
		struct nc jail = {.note = down_note, .arg = out};
		int saved;
		if (netns_enter(name, &saved, e) < 0)
			goto out;
		r = nc_open(&jail, "jail", e);
		netns_leave(saved);
		if (r < 0 || link_delete(&jail, st.ifname, e) < 0) {
			nc_close(&jail);
			r = -1;
			goto out;
		}
		nc_close(&jail);
		r = -1;
	}
	if (st.hostif[0] && link_delete(&host, st.hostif, e) < 0)
		goto out;
	if (st.bridge[0] && down_bridge(&host, st.bridge, e) < 0)
		goto out;
	ns_ino = netns_inode(name);
	if (st.netns_created && netns_exists(name)) {
		if (netns_delete(name, e) < 0)
			goto out;
		fprintf(out, "host: delete network namespace %s\n", name);
	}
	/* What was kept about the jail's interface (the record of the last
	 * sync, the endpoint memory) describes nothing any more. */
	if (ns_ino)
		wj_stores_forget(WJ_FORGET_DOWN, &(struct wj_store_scope){
			.jail = name, .ifname = st.netns_created ? NULL : st.ifname, .ns = ns_ino});
	if (jailstate_remove(name, e) < 0)
		goto out;
	fprintf(out, "jail %s: down\n", name);
	r = 0;
out:
	nc_close(&host);
	jail_unlock(lockfd);
	return r;
}
