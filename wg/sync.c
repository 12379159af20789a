/* The sync engine (see wg/sync.h). */
#include "wg/sync.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/util/err.h"
#include "agent/util/fsutil.h"
#include "agent/util/log.h"
#include "wg/backend.h"
#include "wg/plan.h"
#include "wg/resolve.h"

/* ---- endpoint memory -------------------------------------------------
 * One text file per (network namespace, interface): lines
 * "PUBLICKEY_BASE64 ENDPOINT", the endpoints wgjail configured last.
 * Public data only.  Losing it is harmless: differing endpoints are then
 * sent once (the file is authoritative). */

static int state_path(const char *ifname, char *out, size_t outsz)
{
	const char *dir = getenv("WGJAIL_STATEDIR");
	struct stat st;
	unsigned long long ns = 0;
	int n;

	if (!dir || !*dir)
		dir = "/run/wgjail";
	/* Interface names repeat across namespaces (every jail has its wg0). */
	if (stat("/proc/self/ns/net", &st) == 0)
		ns = (unsigned long long)st.st_ino;
	n = snprintf(out, outsz, "%s/endpoints/%llu-%s", dir, ns, ifname);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static struct wg_device *state_load(const char *path)
{
	struct wg_device *d = wg_device_new();
	struct wj_err e;
	char *buf = NULL, *line, *next;
	size_t len;

	if (!d)
		return NULL;
	if (wj_read_file(path, 64u << 20, false, &buf, &len, &e) < 0)
		return d; /* none yet (or unreadable): no memory */
	for (line = buf; line && *line; line = next) {
		char *nl = strchr(line, '\n'), *sp;
		uint8_t key[WG_KEY_LEN];
		union wg_sockaddr sa;
		struct wg_peer *p;

		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		sp = strchr(line, ' ');
		if (!sp || !key_from_base64_n(key, line, (size_t)(sp - line)) ||
		    wg_endpoint_parse_numeric(sp + 1, strlen(sp + 1), &sa) < 0)
			continue; /* ignore damage: it only costs a re-send */
		if (wg_device_find_peer(d, key))
			continue;
		if (!(p = wg_device_add_peer(d, key)))
			break;
		p->endpoint_addr = sa;
	}
	wj_free_file(buf, len, false);
	return d;
}

struct strbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct strbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *ns;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(ns = realloc(b->s, cap))) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static bool is_skipped(const struct wg_device *skipped, const uint8_t key[WG_KEY_LEN])
{
	return skipped && wg_device_find_peer(skipped, key);
}

static bool has_ep(const union wg_sockaddr *a)
{
	return a->sa.sa_family == AF_INET || a->sa.sa_family == AF_INET6;
}

/* New memory: the desired endpoints of the peers that were applied, the
 * old entries of skipped peers.  Written only if it changed. */
static void state_save(const char *path, const struct wg_device *desired, const struct wg_device *prev,
		       const struct wg_device *skipped)
{
	struct strbuf b = {NULL, 0, 0, false};
	char kb[WG_KEY_B64_LEN + 1], ep[80], *old = NULL, dir[PATH_MAX];
	size_t oldlen = 0;
	struct wj_err e;

	for (size_t i = 0; i < desired->n_peers; i++) {
		const struct wg_peer *p = &desired->peers[i];
		const union wg_sockaddr *a = &p->endpoint_addr;
		if (is_skipped(skipped, p->public_key)) {
			const struct wg_peer *pp = prev ? wg_device_find_peer(prev, p->public_key) : NULL;
			if (!pp)
				continue;
			a = &pp->endpoint_addr;
		}
		if (!has_ep(a))
			continue;
		key_to_base64(kb, p->public_key);
		sb_add(&b, kb);
		sb_add(&b, " ");
		sb_add(&b, wg_sockaddr_fmt(a, ep, sizeof(ep)));
		sb_add(&b, "\n");
	}
	if (b.oom)
		goto out;
	if (wj_read_file(path, 64u << 20, false, &old, &oldlen, &e) == 0 && oldlen == b.len &&
	    (b.len == 0 || memcmp(old, b.s, b.len) == 0))
		goto out;
	snprintf(dir, sizeof(dir), "%s", path);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	if (wj_mkdirs(dir, 0755, &e) < 0 || wj_write_atomic(path, b.len ? b.s : "", b.len, 0644, &e) < 0)
		log_warnx("cannot keep the endpoint memory (a roamed peer may be pulled back next time): %s", e.msg);
out:
	if (old)
		wj_free_file(old, oldlen, false);
	free(b.s);
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
		if (o && o->report)
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

int wg_sync_with(const struct wg_backend *backend, const char *ifname, const struct wg_device *current,
		 struct wg_device *desired, const struct wg_sync_opts *o, struct wg_sync_result *r,
		 struct wj_err *e)
{
	static const struct wg_sync_opts defaults;
	struct wg_device *skipped = NULL, *prev = NULL, *plan = NULL;
	struct wg_plan_counts c;
	char spath[PATH_MAX];
	bool use_state;
	int ret = -1;

	if (!o)
		o = &defaults;
	if (r)
		memset(r, 0, sizeof(*r));
	use_state = !o->no_state && state_path(ifname, spath, sizeof(spath)) == 0;
	if (resolve_peers(desired, o, &skipped, e) < 0)
		goto out;
	if (use_state && !(prev = state_load(spath))) {
		wj_errnof(e, ENOMEM, "%s", ifname);
		goto out;
	}
	if (!(plan = wg_plan_ex(current, desired, prev, e))) {
		wj_err_prefix(e, "%s", ifname);
		goto out;
	}
	/* A skipped peer is left exactly as it is: not added, not changed and
	 * not removed (a peer that works must not be cut off by a DNS outage). */
	if (skipped)
		wg_device_remove_peers_if(plan, in_skipped, skipped);
	wg_plan_count(plan, &c);
	if (r) {
		r->added = c.added;
		r->removed = c.removed;
		r->changed = c.changed;
		r->device_changed = c.device_changed;
		r->unresolved = skipped ? skipped->n_peers : 0;
	}
	if (o->report)
		wg_plan_print(o->report, ifname, plan, o->show_keys);
	if (!o->dry_run && !wg_plan_is_empty(plan) && backend->set(ifname, plan, e) < 0)
		goto out;
	if (!o->dry_run && use_state)
		state_save(spath, desired, prev, skipped);
	if (o->report) {
		if (wg_plan_is_empty(plan))
			fprintf(o->report, "%s: no change%s", ifname, o->dry_run ? " (dry run)" : "");
		else
			fprintf(o->report, "%s: %s%zu added, %zu removed, %zu changed%s%s", ifname,
				o->dry_run ? "dry run, would have " : "", c.added, c.removed, c.changed,
				c.device_changed ? ", interface changed" : "", o->dry_run ? ", nothing applied" : "");
		if (skipped)
			fprintf(o->report, ", %zu skipped (unresolved endpoint)", skipped->n_peers);
		fputc('\n', o->report);
	}
	ret = skipped ? 1 : 0;
out:
	wg_device_free(plan);
	wg_device_free(prev);
	wg_device_free(skipped);
	return ret;
}

int wg_sync(const char *ifname, struct wg_device *desired, const struct wg_sync_opts *o, struct wg_sync_result *r,
	    struct wj_err *e)
{
	const struct wg_backend *b = wg_backend_for(ifname, e);
	struct wg_device *cur = NULL;
	int ret;

	if (r)
		memset(r, 0, sizeof(*r));
	if (!b)
		return -1;
	if (b->get(ifname, &cur, e) < 0)
		return -1;
	ret = wg_sync_with(b, ifname, cur, desired, o, r, e);
	wg_device_free(cur);
	return ret;
}
