/* `wgjail sync IFACE FILE` (see wg_sync_file in wg/sync.h).
 *
 * The fast path.  Reading a device costs what the device costs: a
 * 50,000-peer wireguard-go takes ~0.2 s only to build its GET reply, and
 * parsing a 50,000-peer file takes ~0.06 s.  When the record of the last
 * sync (wg/applied.h) was made for this very device instance, neither is
 * needed: the file is cut into sections, every [Peer] section that is
 * byte for byte the one applied last is known to be on the device, and
 * only the others - and both [Interface] parts - are parsed, into a
 * "before" and an "after" that wg_sync_delta plans and applies.
 *
 * Whatever the cut is not sure about (wg/conf_sections.h), a section that
 * does not parse (its error is then reported with the right line by the
 * full parse), a host name anywhere: the whole file is parsed and the
 * device read, as without a record. */
#include "wg/sync.h"

#include <sodium.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "wg/applied.h"
#include "wg/backend.h"
#include "wg/conf_delta.h"
#include "wg/conf_sections.h"
#include "wg/config.h"
#include "wg/config_private.h"

/* A text assembled from spans of another (secret memory). */
struct mini {
	char *buf;
	size_t len, cap;
};

static void mini_add(struct mini *m, const char *src, size_t off, size_t len)
{
	if (!len)
		return;
	memcpy(m->buf + m->len, src + off, len);
	m->len += len;
	if (src[off + len - 1] != '\n')
		m->buf[m->len++] = '\n';
}

static int mini_alloc(struct mini *m, size_t bytes, size_t parts)
{
	m->cap = bytes + parts + 1;
	m->len = 0;
	return (m->buf = sodium_malloc(m->cap)) ? 0 : -1;
}

static void mini_free(struct mini *m)
{
	if (m->buf)
		sodium_free(m->buf);
	m->buf = NULL;
}

/* The [Interface] parts of S (of TEXT), then its [Peer] spans listed in
 * IDX. */
static int build_mini(const char *text, const struct conf_sections *s, const size_t *idx, size_t n, struct mini *m)
{
	size_t bytes = 0, parts = n;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind != CONF_PEER) {
			bytes += s->v[i].len;
			parts++;
		}
	for (size_t i = 0; i < n; i++)
		bytes += s->v[idx[i]].len;
	if (mini_alloc(m, bytes, parts) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind != CONF_PEER)
			mini_add(m, text, s->v[i].off, s->v[i].len);
	for (size_t i = 0; i < n; i++)
		mini_add(m, text, s->v[idx[i]].off, s->v[idx[i]].len);
	return 0;
}

static bool has_hostname(const struct wg_device *d)
{
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer *p = &d->peers[i];
		if (p->endpoint && p->endpoint_addr.sa.sa_family != AF_INET && p->endpoint_addr.sa.sa_family != AF_INET6)
			return true;
	}
	return false;
}

struct job {
	const char *ifname, *path;
	const char *text;
	size_t len;
	struct wg_sync_opts o; /* the caller's, with holds_record */
	struct wg_sync_result *r;
	const struct wg_backend *b;
	char id[128];
	const char *why; /* why the device is read (for -v) */
};

static void record(struct job *j, const struct conf_sections *cut)
{
	struct wj_err e;

	wj_err_clear(&e);
	if (wg_applied_save(j->ifname, j->id, j->text, j->len, cut->v, cut->n * sizeof(*cut->v), &e) < 0) {
		log_warnx("%s: cannot keep the record of this sync (the next one reads the device): %s", j->ifname,
			  e.msg);
		wg_applied_forget(j->ifname);
	}
}

/* 1: done (*RET set); 0: not applicable, do the full sync. */
static int fast(struct job *j, int *ret, struct wj_err *e)
{
	struct wg_applied rec;
	struct conf_sections os, ns;
	struct conf_delta d;
	struct mini om = {0}, nm = {0};
	struct wg_device *before = NULL, *after = NULL;
	struct wj_err pe;
	bool same;
	int done = 0;

	memset(&ns, 0, sizeof(ns));
	memset(&os, 0, sizeof(os));
	memset(&d, 0, sizeof(d));
	j->why = "no record of a sync to this device instance";
	if (!wg_applied_load(j->ifname, j->id, &rec))
		return 0;
	j->why = "the file is not one the fast comparison is sure about";
	if (wg_conf_sections_unpack(rec.cut, rec.cutlen, rec.len, &os) != WG_SECTIONS_OK ||
	    wg_conf_delta(rec.text, rec.len, &os, j->text, j->len, &ns, &d) != WG_SECTIONS_OK)
		goto out;
	j->why = "the file names hosts, resolved again at every sync";
	if (ns.hostname)
		goto out;
	j->why = "out of memory";
	if (build_mini(j->text, &ns, d.new_idx, d.n_new, &nm) < 0 ||
	    build_mini(rec.text, &os, d.old_idx, d.n_old, &om) < 0)
		goto out;
	wj_err_clear(&pe);
	j->why = "a changed section does not parse";
	if (wg_config_parse(nm.buf, nm.len, j->path, &after, &pe) < 0 ||
	    wg_config_parse(om.buf, om.len, "(the record of the last sync)", &before, &pe) < 0)
		goto out;
	j->why = "the file names hosts, resolved again at every sync";
	if (has_hostname(after) || has_hostname(before))
		goto out;
	if (j->o.verbose && j->o.report)
		fprintf(j->o.report,
			"%s: compared with the record of the last sync: %zu of %zu peer sections new or changed, "
			"%zu gone; the device was not read\n",
			j->ifname, d.n_new, ns.n_peers, d.n_gone);
	same = !d.n_new && !d.n_old && rec.len == j->len && !memcmp(rec.text, j->text, j->len);
	if (!j->o.dry_run && !same)
		wg_applied_forget(j->ifname);
	*ret = wg_sync_delta(j->b, j->ifname, before, after, &j->o, j->r, e);
	if (*ret == 0 && !j->o.dry_run && !same)
		record(j, &ns); /* (the same text keeps its record) */
	done = 1;
out:
	wg_device_free(before);
	wg_device_free(after);
	mini_free(&om);
	mini_free(&nm);
	wg_conf_delta_free(&d);
	wg_conf_sections_free(&os);
	wg_conf_sections_free(&ns);
	wg_applied_free(&rec);
	return done;
}

static int full(struct job *j, bool can_record, struct wj_err *e)
{
	struct wg_device *desired = NULL;
	struct conf_sections cut;
	bool recordable;
	int ret;

	if (wg_config_parse(j->text, j->len, j->path, &desired, e) < 0)
		return -1;
	if (j->o.verbose && j->o.report)
		fprintf(j->o.report, "%s: reading the device (%s)\n", j->ifname,
			j->why ? j->why : (j->o.full ? "--full" : "no state directory for a record"));
	/* Only a file the fast path can compare next time is recorded: a
	 * record never holds a public key twice, or a host name. */
	recordable = can_record && !j->o.dry_run && !has_hostname(desired) &&
		     wg_conf_sections(j->text, j->len, true, &cut) == WG_SECTIONS_OK;
	if (recordable && cut.hostname) {
		wg_conf_sections_free(&cut);
		recordable = false;
	}
	if (can_record && !j->o.dry_run)
		wg_applied_forget(j->ifname);
	ret = wg_sync(j->ifname, desired, &j->o, j->r, e);
	wg_device_free(desired);
	if (ret == 0 && recordable && (j->b || (j->b = wg_backend_for(j->ifname, e))) &&
	    wg_applied_identity(j->b, j->ifname, true, j->id, sizeof(j->id)) == 0)
		record(j, &cut);
	if (recordable)
		wg_conf_sections_free(&cut);
	return ret;
}

int wg_sync_file(const char *ifname, const char *path, const struct wg_sync_opts *o, struct wg_sync_result *r,
		 struct wj_err *e)
{
	struct job j;
	struct stat st;
	bool mapped;
	char *text = NULL;
	int lock = -1, ret = -1;

	memset(&j, 0, sizeof(j));
	/* A regular file is read into a mapping (no fill, one wipe); a pipe
	 * (`<(wg-quick strip wg0)`) into secret memory. */
	mapped = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	if (mapped ? wj_read_mapped(path, WG_CONFIG_MAX_SIZE, 0, &text, &j.len, NULL, e) < 0
		   : wj_read_file(path, WG_CONFIG_MAX_SIZE, true, &text, &j.len, e) < 0)
		return -1;
	j.ifname = ifname;
	j.path = path;
	j.text = text;
	j.o = *o;
	j.r = r;
	if (!o->no_state)
		lock = wg_applied_lock(ifname);
	j.o.holds_record = lock >= 0;
	if (lock >= 0 && !o->full) {
		struct wj_err be;
		wj_err_clear(&be);
		j.why = "no record of a sync to this device instance";
		j.b = wg_backend_for(ifname, &be); /* if none, the full sync says so */
		if (j.b && wg_applied_identity(j.b, ifname, false, j.id, sizeof(j.id)) == 0 && fast(&j, &ret, e))
			goto out;
		j.b = NULL;
	}
	ret = full(&j, lock >= 0, e);
out:
	wg_applied_unlock(lock);
	if (mapped)
		wj_free_mapped(text, j.len);
	else
		wj_free_file(text, j.len, true);
	return ret;
}
