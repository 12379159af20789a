/* The diff planner (see wg/plan.h for the contract).
 *
 * Why each rule:
 *  - Absent is not "zero": wg setconf/syncconf send a zero private key,
 *    port 0 and fwmark 0 for a file that omits them, deleting the key and
 *    re-randomising the port.  Here an omitted device field is left alone.
 *  - wireguard-go closes and re-binds its UDP socket on ANY listen_port
 *    line, even an unchanged one, and a changed private key expires every
 *    session: both are sent only when they really differ.  Kernels and
 *    wireguard-go return the clamped private key, so the desired key is
 *    clamped before comparing (or the public keys are compared when the
 *    backend does not return the private key, as boringtun).
 *  - Peers missing from the file are removed one by one (remove=true);
 *    replace_peers would destroy every session.
 *  - Allowed IPs come back masked and in an order of the backend's
 *    choosing: both sides are masked, sorted and deduplicated before
 *    comparing.  When they differ the peer gets replace_allowed_ips and the
 *    full list (wireguard-go 0.0.20220316 and most kernels cannot remove a
 *    single prefix); the tiny window in which the peer has fewer prefixes
 *    only concerns that peer.
 *  - Endpoints: a device reports where the peer is NOW, which after
 *    roaming is not what was configured.  Re-sending the configured
 *    endpoint every time (as wg syncconf does) pulls a roamed peer back.
 *    So an existing peer's endpoint is sent only when the device has none,
 *    or when the configured endpoint changed since wgjail last set it
 *    (PREVIOUS, kept by the sync engine); without that memory, when it
 *    differs from the device's.
 *  - A desired peer with the device's own public key is ignored (the
 *    backends ignore it too: planning it would make every run "add" it). */
#include "wg/plan.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* Scratch space for canonical allowed-IP lists, reused across peers. */
struct scratch {
	struct wg_ipmask *v;
	size_t cap;
};

static const struct wg_ipmask no_aips;

static const struct wg_ipmask *canonical(struct scratch *s, const struct wg_peer *p, size_t *n)
{
	struct wg_peer tmp;

	if (p->n_aips > s->cap) {
		struct wg_ipmask *nv = realloc(s->v, p->n_aips * sizeof(*nv));
		if (!nv)
			return NULL;
		s->v = nv;
		s->cap = p->n_aips;
	}
	if (p->n_aips)
		memcpy(s->v, p->aips, p->n_aips * sizeof(*s->v));
	memset(&tmp, 0, sizeof(tmp));
	tmp.aips = s->v;
	tmp.n_aips = tmp.cap_aips = p->n_aips;
	wg_peer_canonical_aips(&tmp);
	*n = tmp.n_aips;
	return s->v ? s->v : &no_aips;
}

static int copy_aips(struct wg_peer *dst, const struct wg_ipmask *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (wg_peer_add_aip(dst, &v[i]) < 0)
			return -1;
	return 0;
}

static bool has_endpoint(const struct wg_peer *p)
{
	return p->endpoint_addr.sa.sa_family == AF_INET || p->endpoint_addr.sa.sa_family == AF_INET6;
}

static void set_endpoint(struct wg_peer *dst, const struct wg_peer *src)
{
	dst->endpoint_addr = src->endpoint_addr;
	dst->flags |= WGPEER_HAS_ENDPOINT;
}

static bool psk_set(const struct wg_peer *p)
{
	return (p->flags & WGPEER_HAS_PSK) && !key_is_zero(p->psk);
}

/* Device-level fields. */
static int plan_device(struct wg_device *plan, const struct wg_device *cur, const struct wg_device *des,
		       struct wj_err *e)
{
	if (des->flags & WGDEV_HAS_PRIVATE_KEY) {
		bool cur_has = (cur->private_key && !key_is_zero(cur->private_key)) ||
			       (cur->flags & WGDEV_HAS_PUBLIC_KEY);
		bool differ;
		uint8_t k[WG_KEY_LEN];

		if (!des->private_key || key_is_zero(des->private_key)) {
			differ = cur_has;
			memset(k, 0, sizeof(k));
		} else {
			memcpy(k, des->private_key, WG_KEY_LEN);
			key_clamp(k);
			if (cur->private_key && !key_is_zero(cur->private_key)) {
				uint8_t c[WG_KEY_LEN];
				memcpy(c, cur->private_key, WG_KEY_LEN);
				key_clamp(c);
				differ = !key_equal(k, c);
				sodium_memzero(c, sizeof(c));
			} else if ((cur->flags & WGDEV_HAS_PUBLIC_KEY) && (des->flags & WGDEV_HAS_PUBLIC_KEY)) {
				differ = !key_equal(cur->public_key, des->public_key);
			} else {
				differ = true;
			}
		}
		if (differ && wg_device_set_private_key(plan, k) < 0) {
			sodium_memzero(k, sizeof(k));
			return wj_errnof(e, ENOMEM, "planning the private key");
		}
		sodium_memzero(k, sizeof(k));
	}
	/* ListenPort = 0 asks for "any port": every device has one (or picks
	 * one when it comes up), so it is never sent. */
	if ((des->flags & WGDEV_HAS_LISTEN_PORT) && des->listen_port && des->listen_port != cur->listen_port) {
		plan->listen_port = des->listen_port;
		plan->flags |= WGDEV_HAS_LISTEN_PORT;
	}
	if ((des->flags & WGDEV_HAS_FWMARK) && des->fwmark != cur->fwmark) {
		plan->fwmark = des->fwmark;
		plan->flags |= WGDEV_HAS_FWMARK;
	}
	return 0;
}

/* wireguard-go reports IPv6 endpoints without their zone: a scope of 0 on
 * the device side matches any scope. */
static bool same_endpoint(const union wg_sockaddr *want, const union wg_sockaddr *have)
{
	union wg_sockaddr w = *want;

	if (w.sa.sa_family == AF_INET6 && have->sa.sa_family == AF_INET6 && have->in6.sin6_scope_id == 0)
		w.in6.sin6_scope_id = 0;
	return wg_sockaddr_equal(&w, have);
}

static bool endpoint_wanted(const struct wg_peer *cp, const struct wg_peer *dp, const struct wg_ep_memory *mem)
{
	if (!has_endpoint(dp))
		return false;
	if (!has_endpoint(cp))
		return true;
	if (same_endpoint(&dp->endpoint_addr, &cp->endpoint_addr))
		return false;
	/* The device's endpoint differs: the peer roamed if D is what wgjail
	 * configured last time; otherwise the file changed (or there is no
	 * memory) and D is sent. */
	return !(mem && mem->same(mem->arg, dp->public_key, &dp->endpoint_addr));
}

static struct wg_peer *plan_add(struct wg_device *plan, const uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	struct wg_peer *p = wg_device_add_peer(plan, key);

	if (!p)
		wj_errnof(e, errno ? errno : ENOMEM, "planning the peers");
	return p;
}

static int plan_new_peer(struct wg_device *plan, const struct wg_peer *dp, struct scratch *s, struct wj_err *e)
{
	const struct wg_ipmask *v;
	struct wg_peer *p;
	size_t n;

	if (!(v = canonical(s, dp, &n)))
		return wj_errnof(e, ENOMEM, "planning the peers");
	if (!(p = plan_add(plan, dp->public_key, e)))
		return -1;
	p->flags = WGPEER_NEW;
	if (psk_set(dp)) {
		memcpy(p->psk, dp->psk, WG_KEY_LEN);
		p->flags |= WGPEER_HAS_PSK;
	}
	if (dp->keepalive) {
		p->keepalive = dp->keepalive;
		p->flags |= WGPEER_HAS_KEEPALIVE;
	}
	if (has_endpoint(dp))
		set_endpoint(p, dp);
	/* replace_allowed_ips on a new peer is harmless and makes the result
	 * exact even if the peer appeared since the device was read. */
	p->flags |= WGPEER_REPLACE_AIPS | WGPEER_CHANGED_AIPS;
	if (copy_aips(p, v, n) < 0)
		return wj_errnof(e, ENOMEM, "planning the peers");
	return 0;
}

static int plan_changed_peer(struct wg_device *plan, const struct wg_peer *cp, const struct wg_peer *dp,
			     const struct wg_ep_memory *mem, struct scratch *sc, struct scratch *sd,
			     struct wj_err *e)
{
	const struct wg_ipmask *vc, *vd;
	size_t nc, nd;
	uint32_t fl = 0;
	struct wg_peer *p;
	bool dpsk = psk_set(dp), cpsk = psk_set(cp);

	if (dpsk != cpsk || (dpsk && !key_equal(dp->psk, cp->psk)))
		fl |= WGPEER_HAS_PSK;
	if (dp->keepalive != cp->keepalive)
		fl |= WGPEER_HAS_KEEPALIVE;
	if (endpoint_wanted(cp, dp, mem))
		fl |= WGPEER_HAS_ENDPOINT;
	if (!(vc = canonical(sc, cp, &nc)) || !(vd = canonical(sd, dp, &nd)))
		return wj_errnof(e, ENOMEM, "planning the peers");
	if (nc != nd || (nd && memcmp(vc, vd, nd * sizeof(*vd)) != 0))
		fl |= WGPEER_REPLACE_AIPS | WGPEER_CHANGED_AIPS;
	if (!fl)
		return 0;
	if (!(p = plan_add(plan, dp->public_key, e)))
		return -1;
	p->flags = fl;
	if (fl & WGPEER_HAS_PSK) {
		if (dpsk)
			memcpy(p->psk, dp->psk, WG_KEY_LEN); /* else stays zero: removal */
	}
	if (fl & WGPEER_HAS_KEEPALIVE)
		p->keepalive = dp->keepalive;
	if (fl & WGPEER_HAS_ENDPOINT)
		set_endpoint(p, dp);
	if ((fl & WGPEER_REPLACE_AIPS) && copy_aips(p, vd, nd) < 0)
		return wj_errnof(e, ENOMEM, "planning the peers");
	return 0;
}

/* ---- the incremental planner ----------------------------------------- */

struct wg_planner {
	const struct wg_device *des;
	const struct wg_ep_memory *mem;
	struct wg_device *plan;    /* device fields and removals (removals first) */
	struct wg_device *changes; /* changed peers, in device order */
	uint8_t *seen;             /* per desired peer: met on the device */
	uint8_t own[WG_KEY_LEN];   /* the interface's public key after the plan */
	bool has_own, device_done;
	struct scratch sc, sd;
};

void wg_planner_free(struct wg_planner *pl)
{
	if (!pl)
		return;
	wg_device_free(pl->plan);
	wg_device_free(pl->changes);
	free(pl->seen);
	free(pl->sc.v);
	free(pl->sd.v);
	free(pl);
}

struct wg_planner *wg_planner_new(const struct wg_device *des, const struct wg_ep_memory *mem, struct wj_err *e)
{
	struct wg_planner *pl = calloc(1, sizeof(*pl));

	if (!pl || !(pl->plan = wg_device_new()) || !(pl->changes = wg_device_new()) ||
	    !(pl->seen = calloc(des->n_peers ? des->n_peers : 1, 1))) {
		wg_planner_free(pl);
		return wj_errnof(e, ENOMEM, "planning"), NULL;
	}
	pl->des = des;
	pl->mem = mem;
	return pl;
}

int wg_planner_device(struct wg_planner *pl, const struct wg_device *cur, struct wj_err *e)
{
	const struct wg_device *des = pl->des;

	if (pl->device_done)
		return 0;
	pl->device_done = true;
	memcpy(pl->plan->name, cur->name[0] ? cur->name : des->name, sizeof(pl->plan->name));
	pl->plan->name[sizeof(pl->plan->name) - 1] = '\0';
	if (des->flags & WGDEV_HAS_PUBLIC_KEY) {
		memcpy(pl->own, des->public_key, WG_KEY_LEN);
		pl->has_own = true;
	} else if (!(des->flags & WGDEV_HAS_PRIVATE_KEY) && (cur->flags & WGDEV_HAS_PUBLIC_KEY)) {
		memcpy(pl->own, cur->public_key, WG_KEY_LEN);
		pl->has_own = true;
	}
	return plan_device(pl->plan, cur, des, e);
}

int wg_planner_peer(struct wg_planner *pl, const struct wg_peer *cp, struct wj_err *e)
{
	const struct wg_peer *dp = wg_device_find_peer(pl->des, cp->public_key);
	char kb[WG_KEY_B64_LEN + 1];
	struct wg_peer *p;

	if (!pl->device_done)
		return wj_errf(e, "planner: device fields must come before the peers");
	if (!dp) {
		if (wg_device_find_peer(pl->plan, cp->public_key))
			return 0; /* a device listing a peer twice */
		if (!(p = plan_add(pl->plan, cp->public_key, e)))
			return -1;
		p->flags = WGPEER_REMOVE;
		return 0;
	}
	if (pl->seen[dp - pl->des->peers]) {
		key_to_base64(kb, cp->public_key);
		return wj_errf(e, "the device lists peer %s twice", kb);
	}
	pl->seen[dp - pl->des->peers] = 1;
	if (pl->has_own && key_equal(pl->own, dp->public_key))
		return 0;
	if (dp->endpoint && !has_endpoint(dp)) {
		key_to_base64(kb, dp->public_key);
		return wj_errf(e, "peer %s: endpoint is not resolved", kb);
	}
	return plan_changed_peer(pl->changes, cp, dp, pl->mem, &pl->sc, &pl->sd, e);
}

/* Move every peer of SRC to the end of DST (ownership of their allowed
 * IPs and endpoint text goes along). */
static int move_peers(struct wg_device *dst, struct wg_device *src, struct wj_err *e)
{
	for (size_t i = 0; i < src->n_peers; i++) {
		struct wg_peer *p = plan_add(dst, src->peers[i].public_key, e);
		if (!p)
			return -1;
		*p = src->peers[i];
		src->peers[i].aips = NULL;
		src->peers[i].n_aips = src->peers[i].cap_aips = 0;
		src->peers[i].endpoint = NULL;
	}
	return 0;
}

struct wg_device *wg_planner_finish(struct wg_planner *pl, struct wj_err *e)
{
	const struct wg_device *des = pl->des;
	struct wg_device *plan = NULL;
	char kb[WG_KEY_B64_LEN + 1];

	if (!pl->device_done) {
		wj_errf(e, "planner: no device");
		goto out;
	}
	if (move_peers(pl->plan, pl->changes, e) < 0)
		goto out;
	for (size_t i = 0; i < des->n_peers; i++) {
		const struct wg_peer *dp = &des->peers[i];

		if (pl->seen[i])
			continue;
		if (wg_device_find_peer(des, dp->public_key) != dp) {
			key_to_base64(kb, dp->public_key);
			wj_errf(e, "peer %s appears more than once", kb);
			goto out;
		}
		if (pl->has_own && key_equal(pl->own, dp->public_key))
			continue;
		if (dp->endpoint && !has_endpoint(dp)) {
			key_to_base64(kb, dp->public_key);
			wj_errf(e, "peer %s: endpoint is not resolved", kb);
			goto out;
		}
		if (plan_new_peer(pl->plan, dp, &pl->sc, e) < 0)
			goto out;
	}
	plan = pl->plan;
	pl->plan = NULL;
out:
	wg_planner_free(pl);
	return plan;
}

/* ---- one-shot forms ------------------------------------------------------ */

static bool prev_same(const void *arg, const uint8_t key[WG_KEY_LEN], const union wg_sockaddr *ep)
{
	const struct wg_peer *pp = wg_device_find_peer(arg, key);

	return pp && has_endpoint(pp) && wg_sockaddr_equal(ep, &pp->endpoint_addr);
}

struct wg_device *wg_plan_mem(const struct wg_device *cur, const struct wg_device *des, const struct wg_ep_memory *mem,
			      struct wj_err *e)
{
	struct wg_planner *pl = wg_planner_new(des, mem, e);

	if (!pl)
		return NULL;
	if (wg_planner_device(pl, cur, e) < 0)
		goto fail;
	for (size_t i = 0; i < cur->n_peers; i++)
		if (wg_planner_peer(pl, &cur->peers[i], e) < 0)
			goto fail;
	return wg_planner_finish(pl, e);
fail:
	wg_planner_free(pl);
	return NULL;
}

struct wg_device *wg_plan_ex(const struct wg_device *cur, const struct wg_device *des,
			     const struct wg_device *previous, struct wj_err *e)
{
	struct wg_ep_memory mem = {prev_same, previous};

	return wg_plan_mem(cur, des, previous ? &mem : NULL, e);
}

struct wg_device *wg_plan(const struct wg_device *current, const struct wg_device *desired, struct wj_err *e)
{
	return wg_plan_mem(current, desired, NULL, e);
}

bool wg_plan_is_empty(const struct wg_device *plan)
{
	return plan->n_peers == 0 &&
	       !(plan->flags & (WGDEV_HAS_PRIVATE_KEY | WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK | WGDEV_REPLACE_PEERS));
}

void wg_plan_count(const struct wg_device *plan, struct wg_plan_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->device_changed = (plan->flags & (WGDEV_HAS_PRIVATE_KEY | WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK)) != 0;
	for (size_t i = 0; i < plan->n_peers; i++) {
		uint32_t f = plan->peers[i].flags;
		if (f & WGPEER_REMOVE)
			c->removed++;
		else if (f & WGPEER_NEW)
			c->added++;
		else
			c->changed++;
	}
}

static void print_aips(FILE *f, const struct wg_peer *p)
{
	char buf[64];

	fputs("allowed ips ", f);
	if (!p->n_aips)
		fputs("(none)", f);
	for (size_t i = 0; i < p->n_aips; i++)
		fprintf(f, "%s%s", i ? "," : "", wg_ipmask_fmt(&p->aips[i], buf, sizeof(buf)));
}

static void print_key(FILE *f, const char *what, const uint8_t k[WG_KEY_LEN], bool show)
{
	char b64[WG_KEY_B64_LEN + 1];

	if (key_is_zero(k)) {
		fprintf(f, "%s removed", what);
		return;
	}
	if (!show) {
		fprintf(f, "%s (hidden)", what);
		return;
	}
	key_to_base64(b64, k);
	fprintf(f, "%s %s", what, b64);
	sodium_memzero(b64, sizeof(b64));
}

/* One clause per field that the plan sends, device and peers alike: the
 * clauses look alike because the fields are printed the same way. */
void wg_plan_print(FILE *f, const char *ifname, const struct wg_device *plan, bool show_keys)
{
	char kb[WG_KEY_B64_LEN + 1], ep[80];

	if (plan->flags & (WGDEV_HAS_PRIVATE_KEY | WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK)) {
		const char *sep = "";
		fprintf(f, "interface %s: ", ifname);
		if (plan->flags & WGDEV_HAS_PRIVATE_KEY) {
			print_key(f, "private key", plan->private_key, show_keys);
			sep = ", ";
		}
		if (plan->flags & WGDEV_HAS_LISTEN_PORT) {
			fprintf(f, "%slisten port %u", sep, plan->listen_port);
			sep = ", ";
		}
		if (plan->flags & WGDEV_HAS_FWMARK) {
			if (plan->fwmark)
				fprintf(f, "%sfwmark 0x%x", sep, plan->fwmark);
			else
				fprintf(f, "%sfwmark off", sep);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < plan->n_peers; i++) {
		const struct wg_peer *p = &plan->peers[i];
		const char *sep = ": ";

		key_to_base64(kb, p->public_key);
		if (p->flags & WGPEER_REMOVE) {
			fprintf(f, "remove %s\n", kb);
			continue;
		}
		fprintf(f, "%s %s", (p->flags & WGPEER_NEW) ? "add   " : "change", kb);
		if (p->flags & WGPEER_HAS_ENDPOINT) {
			fprintf(f, "%sendpoint %s", sep, wg_sockaddr_fmt(&p->endpoint_addr, ep, sizeof(ep)));
			sep = ", ";
		}
		if (p->flags & WGPEER_CHANGED_AIPS) {
			fputs(sep, f);
			print_aips(f, p);
			sep = ", ";
		}
		if (p->flags & WGPEER_HAS_PSK) {
			fputs(sep, f);
			print_key(f, "preshared key", p->psk, show_keys);
			sep = ", ";
		}
		if (p->flags & WGPEER_HAS_KEEPALIVE) {
			if (p->keepalive)
				fprintf(f, "%skeepalive %u", sep, p->keepalive);
			else
				fprintf(f, "%skeepalive off", sep);
		}
		fputc('\n', f);
	}
}
