/* `wgjail sync IFACE FILE` (see wg_sync_file in wg/sync.h).
 *
 * The fast path.  Reading a device costs what the device costs: a
 * 50,000-peer wireguard-go takes ~0.2 s only to build its GET reply, and
 * parsing a 50,000-peer file takes ~0.06 s.  When the record of the last
 * sync (wg/applied.h) was made for this very device instance, neither is
 * needed: the file is compared with the recorded text (both read once, in
 * chunks, never whole into memory), the sections around the difference
 * are cut again, every [Peer] section that is byte for byte the one applied
 * last is known to be on the device, and only the others - and both
 * [Interface] parts - are parsed, into a "before" and an "after" that
 * wg_sync_delta plans and applies.  The record then grows by the sections
 * replaced (wg_applied_edit): the whole cost is one read of the two texts
 * plus what the edit touches.  A file that is the recorded text itself is
 * not even parsed, and the daemon is contacted only to send a change
 * (wg_backend_quiet): waking it costs more than the rest when it is idle.
 *
 * Whatever the cut is not sure about (wg/conf_sections.h), a section that
 * does not parse (its error is then reported with the right line by the
 * full parse), a host name anywhere, a file that changes while it is read:
 * the whole file is parsed and the device read, as without a record. */
#include "wg/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/secmem.h"
#include "wg/applied.h"
#include "wg/backend.h"
#include "wg/conf_delta.h"
#include "wg/conf_sections.h"
#include "wg/config.h"
#include "wg/config_private.h"

#define CHUNK 65536 /* two of them stay in the (L2) cache */

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
	int fd;           /* the file, if regular: read in chunks by the fast path */
	struct stat st;   /* ... as it was opened */
	char *text;       /* the whole file in memory (a pipe; the full path) */
	size_t len;
	bool mapped;      /* TEXT is wj_read_mapped's */
	struct wg_sync_opts o; /* the caller's, with holds_record */
	struct wg_sync_result *r;
	const struct wg_backend *b;
	char id[128];
	const char *why; /* why the device is read (for -v) */
};

/* Bytes [AT, AT + N) of the file. */
static int file_read(const struct job *j, size_t at, size_t n, char *buf)
{
	if (j->text) {
		memcpy(buf, j->text + at, n);
		return 0;
	}
	return wj_pread_all(j->fd, buf, n, at);
}

/* The file against the recorded text OLD: the longest common prefix and
 * suffix, in chunks from either end, and the part between them read into
 * *MID (secret memory).  0, or -1 (a failed read, out of memory). */
static int compare_file(const struct job *j, const struct conf_view *old, struct conf_newtext *nt, char **mid)
{
	size_t olen = old->len, nlen = j->len, min = olen < nlen ? olen : nlen, at = 0, s = 0, lim;
	char *buf = wj_secret_alloc(2 * CHUNK);
	long long k = 0;
	int r = -1;

	*mid = NULL;
	if (!buf)
		return -1;
	while (at < min) {
		size_t n = min - at < CHUNK ? min - at : CHUNK;
		if (file_read(j, at, n, buf) < 0 || (k = conf_view_cmp(old, at, buf, n, buf + CHUNK)) < 0)
			goto out;
		at += (size_t)k;
		if ((size_t)k < n)
			break;
	}
	for (lim = min - at; s < lim;) {
		size_t n = lim - s < CHUNK ? lim - s : CHUNK;
		if (file_read(j, nlen - s - n, n, buf) < 0 || (k = conf_view_rcmp(old, olen - s, buf, n, buf + CHUNK)) < 0)
			goto out;
		s += (size_t)k;
		if ((size_t)k < n)
			break;
	}
	nt->pre = at;
	nt->suf = s;
	nt->len = nlen;
	if (!(*mid = wj_secret_alloc(nlen - at - s)) || file_read(j, at, nlen - at - s, *mid) < 0)
		goto out;
	nt->mid = *mid;
	r = 0;
out:
	wj_secret_free(buf);
	return r;
}

/* The file did not change while it was read. */
static bool file_same(const struct job *j)
{
	struct stat st;

	return j->text || (fstat(j->fd, &st) == 0 && st.st_ino == j->st.st_ino && st.st_dev == j->st.st_dev &&
			   st.st_size == j->st.st_size && st.st_mtim.tv_sec == j->st.st_mtim.tv_sec &&
			   st.st_mtim.tv_nsec == j->st.st_mtim.tv_nsec && st.st_ctim.tv_sec == j->st.st_ctim.tv_sec &&
			   st.st_ctim.tv_nsec == j->st.st_ctim.tv_nsec);
}

static void record(struct job *j, const struct conf_sections *cut)
{
	struct wj_err e;

	wj_err_clear(&e);
	if (wg_applied_save(j->ifname, j->id, j->text, j->len, cut->v, cut->n, &e) < 0) {
		log_warnx("%s: cannot keep the record of this sync (the next one reads the device): %s", j->ifname,
			  e.msg);
		wg_applied_forget(j->ifname);
	}
}

static void record_failed(const struct job *j, const struct wj_err *e)
{
	log_warnx("%s: cannot keep the record of this sync (the next one reads the device): %s", j->ifname, e->msg);
	wg_applied_forget(j->ifname);
}

/* -v: what the comparison with the record found. */
static void compared(const struct job *j, size_t n_new, size_t n_peers, size_t n_gone)
{
	if (j->o.verbose && j->o.report)
		fprintf(j->o.report,
			"%s: compared with the record of the last sync: %zu of %zu peer sections new or changed, "
			"%zu gone; the device was not read\n",
			j->ifname, n_new, n_peers, n_gone);
}

/* 1: done (*RET set); 0: not applicable, do the full sync. */
static int fast(struct job *j, int *ret, struct wj_err *e)
{
	struct wg_applied rec;
	struct conf_newtext nt;
	struct conf_delta d;
	struct wg_device *before = NULL, *after = NULL;
	struct wj_err we;
	char *mid = NULL;
	bool same, change;
	int done = 0;

	memset(&d, 0, sizeof(d));
	j->why = "no record of a sync to this device instance";
	if (!wg_applied_load(j->ifname, j->id, &rec))
		return 0;
	j->why = "the file is not one the fast comparison is sure about";
	if (compare_file(j, &rec.view, &nt, &mid) < 0)
		goto out;
	same = nt.pre == rec.view.len && nt.pre == nt.len;
	if (!same && wg_conf_delta(&rec.view, &nt, &d) != WG_SECTIONS_OK)
		goto out;
	j->why = "the file changed while it was read";
	if (!file_same(j))
		goto out;
	if (same) {
		/* The recorded text itself, cut when it was recorded (and never
		 * naming a host): nothing to cut, parse, plan or send. */
		compared(j, 0, rec.view.n_peers, 0);
		wg_sync_unchanged(j->ifname, &j->o, j->r);
		*ret = 0;
		done = 1;
		goto out;
	}
	j->why = "the file names hosts, resolved again at every sync";
	if (d.cut.hostname)
		goto out;
	wj_err_clear(&we);
	j->why = "a changed section does not parse";
	if (wg_conf_delta_parse(&rec.view, &d, j->path, &before, &after, &we) < 0)
		goto out;
	j->why = "the file names hosts, resolved again at every sync";
	if (has_hostname(after) || has_hostname(before))
		goto out;
	compared(j, d.n_new, d.n_peers, d.n_gone);
	change = !j->o.dry_run;
	wj_err_clear(&we);
	/* The record says "changing" until the edit is appended. */
	if (change && wg_applied_begin(&rec, &we) < 0) {
		record_failed(j, &we);
		change = false;
	}
	*ret = wg_sync_delta(j->b, j->ifname, before, after, &j->o, j->r, e);
	if (change && *ret != 0)
		wg_applied_forget(j->ifname);
	else if (change && wg_applied_edit(j->ifname, &rec, d.oa, d.ob, d.region, d.region_len, d.cut.v, d.cut.n,
					   &we) < 0)
		record_failed(j, &we);
	done = 1;
out:
	wg_device_free(before);
	wg_device_free(after);
	wg_applied_free(&rec); /* (before D: its spans are the record's last edit) */
	wg_conf_delta_free(&d);
	wj_secret_free(mid);
	return done;
}

static int full(struct job *j, bool can_record, struct wj_err *e)
{
	struct wg_device *desired = NULL;
	struct conf_sections cut;
	bool recordable;
	int ret;

	if (!j->text) {
		if (wj_read_mapped(j->path, WG_CONFIG_MAX_SIZE, 0, &j->text, &j->len, NULL, e) < 0)
			return -1;
		j->mapped = true;
	}
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
	/* The backend wg_sync just used (its probe removed a stale socket):
	 * seen again without waking the daemon a second time. */
	if (ret == 0 && recordable && (j->b = wg_backend_quiet(j->ifname)) &&
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
	int lock = -1, ret = -1;

	memset(&j, 0, sizeof(j));
	j.fd = -1;
	/* A regular file is compared in chunks (fast path) or read into a
	 * mapping (no fill, one wipe); a pipe (`<(wg-quick strip wg0)`) is read
	 * into secret memory first. */
	if (stat(path, &j.st) == 0 && S_ISREG(j.st.st_mode)) {
		if ((j.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return wj_errnof(e, errno, "%s", path);
		if (fstat(j.fd, &j.st) < 0 || !S_ISREG(j.st.st_mode) || (size_t)j.st.st_size > WG_CONFIG_MAX_SIZE) {
			wj_errf(e, "%s: not a regular file of at most %u bytes", path, WG_CONFIG_MAX_SIZE);
			goto out;
		}
		j.len = (size_t)j.st.st_size;
	} else if (wj_read_file(path, WG_CONFIG_MAX_SIZE, true, &j.text, &j.len, e) < 0) {
		return -1;
	}
	j.ifname = ifname;
	j.path = path;
	j.o = *o;
	j.r = r;
	if (!o->no_state)
		lock = wg_applied_lock(ifname);
	j.o.holds_record = lock >= 0;
	if (lock >= 0 && !o->full) {
		j.why = "no record of a sync to this device instance";
		j.b = wg_backend_quiet(ifname); /* if none, the full sync says so */
		if (j.b && wg_applied_identity(j.b, ifname, false, j.id, sizeof(j.id)) == 0 && fast(&j, &ret, e))
			goto out;
		j.b = NULL;
	}
	ret = full(&j, lock >= 0, e);
out:
	wg_applied_unlock(lock);
	if (j.fd >= 0)
		close(j.fd);
	if (j.mapped)
		wj_free_mapped(j.text, j.len);
	else if (j.text)
		wj_free_file(j.text, j.len, true);
	return ret;
}
