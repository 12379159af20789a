/* The sync engine (see wg/sync.h). */
#include "wg/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/paths.h"
#include "wg/applied.h"
#include "wg/backend.h"
#include "wg/plan.h"
#include "wg/resolve.h"
#include "wg/uapi.h"

/* ---- endpoint memory -------------------------------------------------
 * Per (network namespace, interface) a file that says, for each peer
 * wgjail gave an endpoint, WHICH endpoint: a sorted array of 64-bit
 * fingerprints of (public key, endpoint).  8 bytes a peer, public data
 * only.  Losing it is harmless: differing endpoints are then sent once
 * (the file is authoritative). */

#define EP_MAGIC "wgjail endpoint memory 1\n"

struct ep_mem {
	uint64_t *v;
	size_t n;
	/* or the file mapped (a delta looks up a few peers: the memory is
	 * not read whole) */
	const unsigned char *map;
	size_t maplen;
};

static uint64_t ep_fingerprint(const uint8_t key[WG_KEY_LEN], const union wg_sockaddr *a)
{
	static const unsigned char fpkey[crypto_shorthash_KEYBYTES] = "wgjail-endpoint";
	unsigned char buf[WG_KEY_LEN + 2 + 2 + 16 + 4], out[crypto_shorthash_BYTES];
	size_t n = 0;
	uint64_t h;

	memcpy(buf, key, WG_KEY_LEN);
	n = WG_KEY_LEN;
	buf[n++] = (unsigned char)a->sa.sa_family;
	buf[n++] = 0;
	if (a->sa.sa_family == AF_INET) {
		memcpy(buf + n, &a->in.sin_port, 2);
		memcpy(buf + n + 2, &a->in.sin_addr, 4);
		n += 6;
	} else {
		memcpy(buf + n, &a->in6.sin6_port, 2);
		memcpy(buf + n + 2, &a->in6.sin6_addr, 16);
		memcpy(buf + n + 18, &a->in6.sin6_scope_id, 4);
		n += 22;
	}
	crypto_shorthash(out, buf, n, fpkey);
	memcpy(&h, out, sizeof(h));
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* qsort only when needed: glibc's merge sort is O(n log n) even on sorted
 * input, and a memory of 50,000 peers is sorted almost every time. */
static void sort_u64(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1] > v[i]) {
			qsort(v, n, sizeof(*v), cmp_u64);
			return;
		}
}

/* Binary search in the mapped file (its fingerprints are not aligned). */
static bool map_has(const struct ep_mem *m, uint64_t h)
{
	const unsigned char *v = m->map + sizeof(EP_MAGIC) - 1;
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t x;
		memcpy(&x, v + mid * sizeof(x), sizeof(x));
		if (x == h)
			return true;
		if (x < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool mem_same(const void *arg, const uint8_t key[WG_KEY_LEN], const union wg_sockaddr *ep)
{
	const struct ep_mem *m = arg;
	uint64_t h = ep_fingerprint(key, ep);

	if (m->map)
		return map_has(m, h);
	return m->n && bsearch(&h, m->v, m->n, sizeof(*m->v), cmp_u64) != NULL;
}

/* The memory mapped, for lookups only (a missing or damaged file: empty). */
static void state_map(const char *path, struct ep_mem *m)
{
	size_t hl = sizeof(EP_MAGIC) - 1;
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	memset(m, 0, sizeof(*m));
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > hl &&
	    ((size_t)st.st_size - hl) % sizeof(uint64_t) == 0 &&
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) != MAP_FAILED) {
		if (memcmp(map, EP_MAGIC, hl) == 0) {
			m->map = map;
			m->maplen = (size_t)st.st_size;
			m->n = (m->maplen - hl) / sizeof(uint64_t);
		} else {
			munmap(map, (size_t)st.st_size);
		}
	}
	close(fd);
}

static void state_free(struct ep_mem *m)
{
	if (m->map)
		munmap((void *)(uintptr_t)m->map, m->maplen);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* A missing or damaged file is an empty memory. */
static void state_load(const char *path, struct ep_mem *m)
{
	struct wj_err e;
	char *buf = NULL;
	size_t len = 0, hl = sizeof(EP_MAGIC) - 1;

	m->v = NULL;
	m->n = 0;
	if (wj_read_file(path, (size_t)64 << 20, false, &buf, &len, &e) < 0)
		return;
	if (len >= hl && memcmp(buf, EP_MAGIC, hl) == 0 && (len - hl) % sizeof(uint64_t) == 0 && len > hl &&
	    (m->v = malloc(len - hl))) {
		m->n = (len - hl) / sizeof(uint64_t);
		memcpy(m->v, buf + hl, len - hl);
		sort_u64(m->v, m->n); /* never trust a file */
	}
	wj_free_file(buf, len, false);
}

static bool is_skipped(const struct wg_device *skipped, const uint8_t key[WG_KEY_LEN])
{
	return skipped && wg_device_find_peer(skipped, key);
}

static bool has_ep(const union wg_sockaddr *a)
{
	return a->sa.sa_family == AF_INET || a->sa.sa_family == AF_INET6;
}

/* Write memory M (consumed) if it differs from OLD. */
static void state_write(const char *path, struct ep_mem *m, const struct ep_mem *old)
{
	struct wj_err e;
	char dir[PATH_MAX], *slash, *buf = NULL;
	size_t hl = sizeof(EP_MAGIC) - 1;

	sort_u64(m->v, m->n);
	if (m->n == old->n && (m->n == 0 || memcmp(m->v, old->v, m->n * sizeof(*m->v)) == 0))
		goto out;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	if (!(buf = malloc(hl + m->n * sizeof(*m->v))))
		goto out;
	memcpy(buf, EP_MAGIC, hl);
	if (m->n)
		memcpy(buf + hl, m->v, m->n * sizeof(*m->v));
	if (wj_mkdirs(dir, 0755, &e) < 0 || wj_write_atomic(path, buf, hl + m->n * sizeof(*m->v), 0644, &e) < 0)
		log_warnx("cannot keep the endpoint memory (a roamed peer may be pulled back next time): %s", e.msg);
out:
	free(buf);
	free(m->v);
	m->v = NULL;
}

/* The new memory: the desired endpoints of the peers that were applied.
 * (A skipped peer is forgotten: once it resolves again, its endpoint is
 * sent if it differs from the device's.)  Written only if it changed. */
static void state_save(const char *path, const struct wg_device *desired, const struct ep_mem *old,
		       const struct wg_device *skipped)
{
	struct ep_mem m = {0};

	if (!(m.v = malloc((desired->n_peers ? desired->n_peers : 1) * sizeof(*m.v))))
		return;
	for (size_t i = 0; i < desired->n_peers; i++) {
		const struct wg_peer *p = &desired->peers[i];
		if (has_ep(&p->endpoint_addr) && !is_skipped(skipped, p->public_key))
			m.v[m.n++] = ep_fingerprint(p->public_key, &p->endpoint_addr);
	}
	state_write(path, &m, old);
}

/* After a delta (wg_sync_delta): the old memory without the endpoints of
 * BEFORE's peers, with those of AFTER's.  Other peers were not touched:
 * when the endpoints of these are the same, nothing is read or written. */
static void state_update(const char *path, const struct wg_device *before, const struct wg_device *after)
{
	struct ep_mem m = {0}, gone = {0}, add = {0}, all = {0};
	const struct ep_mem *old = &all;
	size_t j = 0;

	if (!(gone.v = malloc((before->n_peers + 1) * sizeof(*gone.v))) ||
	    !(add.v = malloc((after->n_peers + 1) * sizeof(*add.v))))
		goto out;
	for (size_t k = 0; k < before->n_peers; k++)
		if (has_ep(&before->peers[k].endpoint_addr))
			gone.v[gone.n++] = ep_fingerprint(before->peers[k].public_key, &before->peers[k].endpoint_addr);
	for (size_t k = 0; k < after->n_peers; k++)
		if (has_ep(&after->peers[k].endpoint_addr))
			add.v[add.n++] = ep_fingerprint(after->peers[k].public_key, &after->peers[k].endpoint_addr);
	sort_u64(gone.v, gone.n);
	sort_u64(add.v, add.n);
	if (gone.n == add.n && (!gone.n || !memcmp(gone.v, add.v, gone.n * sizeof(*gone.v))))
		goto out;
	state_load(path, &all);
	if (!(m.v = malloc((old->n + after->n_peers + 1) * sizeof(*m.v))))
		goto out;
	/* OLD (sorted) without GONE, merged with ADD: linear, stays sorted */
	for (size_t k = 0; k < old->n; k++) {
		if (gone.n && bsearch(&old->v[k], gone.v, gone.n, sizeof(*gone.v), cmp_u64))
			continue;
		while (j < add.n && add.v[j] < old->v[k])
			m.v[m.n++] = add.v[j++];
		m.v[m.n++] = old->v[k];
	}
	while (j < add.n)
		m.v[m.n++] = add.v[j++];
	state_write(path, &m, old);
out:
	free(gone.v);
	free(add.v);
	free(m.v);
	state_free(&all);
}

/* ---- engine ---------------------------------------------------------- */

/* Resolve the peers' endpoints that the parser could not (host names).
 * Peers that fail go into *SKIPPED (a device holding their keys). */
static int resolve_peers(struct wg_device *desired, const struct wg_sync_opts *o, struct wg_device **skipped,
			 struct wj_err *e)
{
	struct wg_resolve_opts ro;
	char kb[WG_KEY_B64_LEN + 1];

	*skipped = NULL;
	wg_resolve_opts_default(&ro);
	for (size_t i = 0; i < desired->n_peers; i++) {
		struct wg_peer *p = &desired->peers[i];
		struct wj_err re;

		if (!p->endpoint || has_ep(&p->endpoint_addr))
			continue;
		wj_err_clear(&re);
		if (wg_resolve_endpoint(p->endpoint, &p->endpoint_addr, &ro, &re) == 0)
			continue;
		key_to_base64(kb, p->public_key);
		if (o->report)
			fprintf(o->report, "skip   %s: %s; peer left as it is\n", kb, re.msg);
		if (!*skipped && !(*skipped = wg_device_new()))
			return wj_errnof(e, ENOMEM, "resolving endpoints");
		if (!wg_device_add_peer(*skipped, p->public_key))
			return wj_errnof(e, ENOMEM, "resolving endpoints");
	}
	return 0;
}

static bool in_skipped(const struct wg_peer *p, void *arg)
{
	return is_skipped(arg, p->public_key);
}

struct engine {
	const char *ifname;
	const struct wg_sync_opts *o;
	struct wg_device *desired;  /* the caller's */
	const struct wg_device *before; /* wg_sync_delta: the config known to be applied, or NULL */
	struct wg_device *filtered; /* DESIRED without the skipped peers, or NULL */
	struct wg_device *skipped;  /* peers whose endpoint did not resolve, or NULL */
	bool use_state;
	char spath[PATH_MAX];
	struct ep_mem mem;
	struct wg_ep_memory memif;
	struct wg_planner *pl;
};

static void engine_free(struct engine *en)
{
	wg_planner_free(en->pl);
	wg_device_free(en->filtered);
	wg_device_free(en->skipped);
	state_free(&en->mem);
}

/* Resolve, set skipped peers aside, load the endpoint memory, start a
 * planner. */
static int engine_start(struct engine *en, const char *ifname, struct wg_device *desired, const struct wg_sync_opts *o,
			bool delta, struct wj_err *e)
{
	memset(en, 0, sizeof(*en));
	en->ifname = ifname;
	en->o = o;
	en->desired = desired;
	en->use_state = !o->no_state && wj_state_path("endpoints", ifname, "", en->spath, sizeof(en->spath)) == 0;
	if (resolve_peers(desired, o, &en->skipped, e) < 0)
		return -1;
	/* A skipped peer is left exactly as it is: not added, not changed and
	 * not removed (a peer that works must not be cut off by a DNS outage).
	 * So it is planned without (a copy of) DESIRED's entry, and the
	 * removal that this plans is dropped afterwards. */
	if (en->skipped) {
		if (!(en->filtered = wg_device_clone(desired)))
			return wj_errnof(e, ENOMEM, "%s", ifname);
		wg_device_remove_peers_if(en->filtered, in_skipped, en->skipped);
	}
	if (en->use_state && delta)
		state_map(en->spath, &en->mem);
	else if (en->use_state)
		state_load(en->spath, &en->mem);
	en->memif.same = mem_same;
	en->memif.arg = &en->mem;
	en->pl = wg_planner_new(en->filtered ? en->filtered : desired, &en->memif, e);
	return en->pl ? 0 : -1;
}

static void report_no_change(const struct wg_sync_opts *o, const char *ifname)
{
	fprintf(o->report, "%s: no change%s", ifname, o->dry_run ? " (dry run)" : "");
}

/* Finish the plan, report it, apply it, remember the endpoints. */
static int engine_apply(struct engine *en, const struct wg_backend *backend, struct wg_sync_result *r,
			struct wj_err *e)
{
	const struct wg_sync_opts *o = en->o;
	struct wg_device *plan;
	struct wg_plan_counts c;
	size_t nskip = en->skipped ? en->skipped->n_peers : 0;
	int ret = -1;

	plan = wg_planner_finish(en->pl, e);
	en->pl = NULL;
	if (!plan)
		return -1;
	if (en->skipped)
		wg_device_remove_peers_if(plan, in_skipped, en->skipped);
	wg_plan_count(plan, &c);
	if (r) {
		r->added = c.added;
		r->removed = c.removed;
		r->changed = c.changed;
		r->device_changed = c.device_changed;
		r->unresolved = nskip;
	}
	if (o->report)
		wg_plan_print(o->report, en->ifname, plan, o->show_keys);
	if (!o->dry_run && !wg_plan_is_empty(plan) &&
	    (o->holds_record ? backend->set(en->ifname, plan, e) : wg_device_set(backend, en->ifname, plan, e)) < 0)
		goto out;
	if (!o->dry_run && en->use_state && en->before)
		state_update(en->spath, en->before, en->desired);
	else if (!o->dry_run && en->use_state)
		state_save(en->spath, en->desired, &en->mem, en->skipped);
	if (o->report) {
		if (wg_plan_is_empty(plan))
			report_no_change(o, en->ifname);
		else
			fprintf(o->report, "%s: %s%zu added, %zu removed, %zu changed%s%s", en->ifname,
				o->dry_run ? "dry run, would have " : "", c.added, c.removed, c.changed,
				c.device_changed ? ", interface changed" : "", o->dry_run ? ", nothing applied" : "");
		if (nskip)
			fprintf(o->report, ", %zu skipped (unresolved endpoint)", nskip);
		fputc('\n', o->report);
	}
	ret = nskip ? 1 : 0;
out:
	wg_device_free(plan);
	return ret;
}

static const struct wg_sync_opts sync_defaults;

/* O, or the defaults when NULL; R (may be NULL) cleared.  Every entry
 * point starts so. */
static const struct wg_sync_opts *sync_begin(const struct wg_sync_opts *o, struct wg_sync_result *r)
{
	if (r)
		memset(r, 0, sizeof(*r));
	return o ? o : &sync_defaults;
}

/* Plan DESIRED against CURRENT held whole and apply.  DELTA: CURRENT is a
 * configuration known to be on the device (wg_sync_delta), not the
 * device. */
static int sync_held(const struct wg_backend *backend, const char *ifname, const struct wg_device *current,
		     bool delta, struct wg_device *desired, const struct wg_sync_opts *o, struct wg_sync_result *r,
		     struct wj_err *e)
{
	struct engine en;
	int ret = -1;

	o = sync_begin(o, r);
	if (engine_start(&en, ifname, desired, o, delta, e) < 0)
		goto out;
	if (delta && en.skipped) {
		ret = wj_errf(e, "%s: a delta cannot hold unresolved endpoints", ifname);
		goto out;
	}
	en.before = delta ? current : NULL;
	if (wg_planner_device(en.pl, current, e) < 0)
		goto out;
	for (size_t i = 0; i < current->n_peers; i++)
		if (wg_planner_peer(en.pl, &current->peers[i], e) < 0)
			goto out;
	ret = engine_apply(&en, backend, r, e);
out:
	if (ret < 0 && !strstr(e->msg, ifname))
		wj_err_prefix(e, "%s", ifname);
	engine_free(&en);
	return ret;
}

void wg_sync_unchanged(const char *ifname, const struct wg_sync_opts *o, struct wg_sync_result *r)
{
	o = sync_begin(o, r);
	if (o->report) {
		report_no_change(o, ifname);
		fputc('\n', o->report);
	}
}

int wg_sync_with(const struct wg_backend *backend, const char *ifname, const struct wg_device *current,
		 struct wg_device *desired, const struct wg_sync_opts *o, struct wg_sync_result *r,
		 struct wj_err *e)
{
	return sync_held(backend, ifname, current, false, desired, o, r, e);
}

int wg_sync_delta(const struct wg_backend *backend, const char *ifname, const struct wg_device *before,
		  struct wg_device *after, const struct wg_sync_opts *o, struct wg_sync_result *r, struct wj_err *e)
{
	return sync_held(backend, ifname, before, true, after, o, r, e);
}

/* UAPI: plan while the reply streams in, never holding the whole current
 * device (50,000 peers would cost some 10 MB more). */
static int stream_peer(void *arg, const struct wg_device *dev, const struct wg_peer *peer, struct wj_err *e)
{
	struct engine *en = arg;

	if (wg_planner_device(en->pl, dev, e) < 0)
		return -1;
	return wg_planner_peer(en->pl, peer, e);
}

int wg_sync(const char *ifname, struct wg_device *desired, const struct wg_sync_opts *o, struct wg_sync_result *r,
	    struct wj_err *e)
{
	const struct wg_backend *b = wg_backend_for(ifname, e);
	struct wg_device *cur = NULL;
	struct engine en;
	int ret = -1;

	o = sync_begin(o, r);
	if (!b)
		return -1;
	if (b != &wg_backend_uapi) {
		if (b->get(ifname, &cur, e) < 0)
			return -1;
		ret = wg_sync_with(b, ifname, cur, desired, o, r, e);
		wg_device_free(cur);
		return ret;
	}
	if (engine_start(&en, ifname, desired, o, false, e) < 0)
		goto out;
	if (wg_uapi_get_stream(ifname, stream_peer, &en, &cur, e) < 0)
		goto out;
	if (wg_planner_device(en.pl, cur, e) < 0) /* a device without peers */
		goto out;
	ret = engine_apply(&en, b, r, e);
out:
	if (ret < 0 && !strstr(e->msg, ifname))
		wj_err_prefix(e, "%s", ifname);
	wg_device_free(cur);
	engine_free(&en);
	return ret;
}
