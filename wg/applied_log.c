/* The record of the last sync on disk: a base and a log of section
 * replacements (see wg/applied.h).
 *
 *   "wgjail applied 3\n" IDENTITY "\n" "TEXTLEN NSPANS NPEERS NOTHER\n",
 *       NUL bytes up to a multiple of 16                        the header
 *   NSPANS spans (struct conf_span: offsets into the text), then the
 *       indices (uint32) of the NOTHER spans that are not [Peer]   the cut
 *   TEXTLEN bytes of text                                       the base
 *   entries: struct entry, then for an edit N spans (offsets into its own
 *       text) and TLEN bytes of text                            the log
 * Every part starts at a multiple of 16 (NUL bytes in between), so that
 * spans are used where they lie in the mapping.  An entry's check value is
 * BLAKE2b-128 of the entry (check zeroed) and its payload, keyed with the
 * check value before it (for the first entry: the hash of the header).
 *
 * Loading reads the header, maps the file (only the spans that are looked
 * at are ever touched) and replays the log into a view (wg/conf_view.h):
 * the cost of a load is that of the log, not of the file.  The text is
 * read with pread where it is needed. */
#include "wg/applied.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/platform.h"
#include "util/secmem.h"
#include "wg/config_private.h"

#define REC_MAGIC "wgjail applied 3\n"
#define ENTRY_MAGIC 0x3145574au /* "JWE1" */
#define MAX_ENTRIES 1024        /* a longer log is not believed (compaction keeps it short) */
#define HEAD_MAX 512
#define CHUNK 65536

enum { E_BEGIN = 1, E_EDIT = 2 };

struct entry {
	uint32_t magic, type;
	uint32_t oa, ob; /* E_EDIT: spans [oa, ob) replaced */
	uint32_t n, tlen; /* ... by N spans over TLEN bytes of text */
	uint64_t seq;     /* 1, 2, ... */
	unsigned char check[16];
};

static const unsigned char zeros[16];

static size_t pad16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

static void check_of(const unsigned char prev[16], const struct entry *h, const void *payload, size_t plen,
		     unsigned char out[16])
{
	crypto_generichash_state st;
	struct entry z = *h;

	memset(z.check, 0, sizeof(z.check));
	crypto_generichash_init(&st, prev, 16, 16);
	crypto_generichash_update(&st, (const unsigned char *)&z, sizeof(z));
	crypto_generichash_update(&st, payload, plen);
	crypto_generichash_final(&st, out, 16);
}

/* The header for IDENTITY and a base of TEXTLEN bytes cut into N spans;
 * its length, padded (0 if it does not fit). */
static size_t header(char *out, const char *identity, size_t textlen, size_t n, size_t n_peers)
{
	int k = snprintf(out, HEAD_MAX, "%s%s\n%zu %zu %zu %zu\n", REC_MAGIC, identity, textlen, n, n_peers,
			 n - n_peers);

	if (k < 0 || (size_t)k > HEAD_MAX - 16 || strchr(identity, '\n'))
		return 0;
	memset(out + k, 0, pad16((size_t)k) - (size_t)k);
	return pad16((size_t)k);
}

/* ---- loading ----------------------------------------------------------- */

struct layout {
	size_t head, textlen, n, n_peers, n_other;
	uint64_t spans, other, text, log;
};

/* Parse the header HEAD[0..GOT) of a file of SIZE bytes made for IDENTITY. */
static int parse_header(const char *head, size_t got, const char *identity, uint64_t size, struct layout *l)
{
	size_t hl = sizeof(REC_MAGIC) - 1, il = strlen(identity), at = hl + il + 1;
	unsigned long long v[4];
	const char *nl;
	char *end;

	if (got < at || memcmp(head, REC_MAGIC, hl) || memcmp(head + hl, identity, il) || head[hl + il] != '\n' ||
	    !(nl = memchr(head + at, '\n', got - at)))
		return -1;
	for (int i = 0; i < 4; i++) {
		const char *p = head + at;
		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (errno || end > nl || (i < 3 ? *end != ' ' : end != nl))
			return -1;
		at = (size_t)(end - head) + 1;
	}
	l->head = pad16(at);
	if (l->head > got || memcmp(head + at, zeros, l->head - at) || v[0] > WG_CONFIG_MAX_SIZE ||
	    v[1] > WG_CONFIG_MAX_SIZE || v[2] + v[3] != v[1] || (v[1] == 0) != (v[0] == 0))
		return -1;
	l->textlen = (size_t)v[0];
	l->n = (size_t)v[1];
	l->n_peers = (size_t)v[2];
	l->n_other = (size_t)v[3];
	l->spans = l->head;
	l->other = l->spans + (uint64_t)l->n * sizeof(struct conf_span);
	l->text = pad16((size_t)(l->other + (uint64_t)l->n_other * 4));
	l->log = pad16((size_t)(l->text + l->textlen));
	return l->log <= size ? 0 : -1;
}

/* The base: the non-[Peer] list must be what it says (only those spans are
 * looked at); the cut must start at 0 and end at the text's end. */
static int load_base(struct wg_applied *a, const struct layout *l)
{
	const char *m = a->map;
	const struct conf_span *v = (const struct conf_span *)(const void *)(m + l->spans);
	const uint32_t *other = (const uint32_t *)(const void *)(m + l->other);

	if (l->n && (v[0].off != 0 || (uint64_t)v[l->n - 1].off + v[l->n - 1].len != l->textlen))
		return -1;
	for (size_t i = 0; i < l->n_other; i++)
		if (other[i] >= l->n || (i && other[i] <= other[i - 1]) || v[other[i]].kind == CONF_PEER)
			return -1;
	return conf_view_base(&a->view, l->text, v, l->n, l->textlen, l->n_peers, other, l->n_other);
}

/* Replay the log from POS: every entry whole, its check right, an edit
 * that fits the cut; the last entry not BEGIN. */
static int load_log(struct wg_applied *a, uint64_t pos)
{
	const char *m = a->map;
	bool pending = false;

	while (pos < a->size) {
		struct entry h;
		unsigned char want[16];
		const struct conf_span *v;
		uint64_t plen;

		if (a->size - pos < sizeof(h) || a->seq >= MAX_ENTRIES)
			return -1;
		memcpy(&h, m + pos, sizeof(h));
		plen = h.type == E_EDIT ? pad16((size_t)h.n * sizeof(*v) + h.tlen) : 0;
		if (h.magic != ENTRY_MAGIC || (h.type != E_BEGIN && h.type != E_EDIT) || h.seq != a->seq + 1 ||
		    h.n > WG_CONFIG_MAX_SIZE || h.tlen > WG_CONFIG_MAX_SIZE || plen > a->size - pos - sizeof(h))
			return -1;
		check_of(a->check, &h, m + pos + sizeof(h), (size_t)plen, want);
		if (sodium_memcmp(want, h.check, sizeof(want)) != 0)
			return -1;
		v = (const struct conf_span *)(const void *)(m + pos + sizeof(h));
		if (h.type == E_EDIT) {
			if (h.oa > h.ob || h.ob > a->view.n ||
			    wg_conf_spans_check(v, h.n, h.tlen, h.oa == 0) != WG_SECTIONS_OK ||
			    conf_view_edit(&a->view, h.oa, h.ob, pos + sizeof(h) + (uint64_t)h.n * sizeof(*v), v, h.n) < 0)
				return -1;
			a->edits++;
			a->log_bytes += sizeof(h) + plen;
		}
		pending = h.type == E_BEGIN;
		memcpy(a->check, h.check, sizeof(a->check));
		a->seq++;
		pos += sizeof(h) + plen;
	}
	return pending ? -1 : 0;
}

static int open_record(const char *ifname, char *path, size_t sz)
{
	/* read and write: the log is appended to through the same descriptor */
	return wj_state_path("applied", ifname, "", path, sz) < 0 ? -1 : open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
}

int wg_applied_load(const char *ifname, const char *identity, struct wg_applied *a)
{
	char path[PATH_MAX], head[HEAD_MAX];
	struct layout l;
	struct stat st;
	ssize_t got;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	conf_view_init_fd(&a->view, -1);
	if (strlen(identity) >= sizeof(a->ident) || (a->fd = open_record(ifname, path, sizeof(path))) < 0)
		return 0;
	snprintf(a->ident, sizeof(a->ident), "%s", identity);
	if (fstat(a->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
	    st.st_size < 32 || (unsigned long long)st.st_size > 4ull * WG_CONFIG_MAX_SIZE)
		goto bad;
	a->size = (uint64_t)st.st_size;
	do
		got = pread(a->fd, head, sizeof(head), 0);
	while (got < 0 && errno == EINTR);
	if (got < 0 || parse_header(head, (size_t)got, identity, a->size, &l) < 0)
		goto bad;
	crypto_generichash(a->check, sizeof(a->check), (const unsigned char *)head, l.head, NULL, 0);
	a->map = mmap(NULL, (size_t)a->size, PROT_READ, MAP_PRIVATE, a->fd, 0);
	if (a->map == MAP_FAILED) {
		a->map = NULL;
		goto bad;
	}
	a->maplen = (size_t)a->size;
#ifdef MADV_POPULATE_READ
	/* The log is read whole (its check values): its pages at once. */
	if (l.log < a->size)
		madvise((char *)a->map + (l.log & ~(uint64_t)4095), (size_t)(a->size - (l.log & ~(uint64_t)4095)),
			MADV_POPULATE_READ);
#endif
	a->view.fd = a->fd;
	a->base_len = l.textlen;
	if (load_base(a, &l) < 0 || load_log(a, l.log) < 0)
		goto bad;
	return 1;
bad:
	wg_applied_free(a);
	return 0;
}

void wg_applied_free(struct wg_applied *a)
{
	if (a->map)
		munmap(a->map, a->maplen);
	if (a->fd >= 0)
		close(a->fd);
	conf_view_free(&a->view);
	memset(a, 0, sizeof(*a));
	a->fd = -1;
}

/* ---- writing ----------------------------------------------------------- */

/* Rename a new record into place, its pages folded into huge ones first
 * where the kernel can (every sync reads it whole: util/platform_linux.c). */
static int commit(struct wj_atomic *w, struct wj_err *e)
{
	if (!w->err)
		wj_file_hugepages(w->fd);
	return wj_atomic_commit(w, e);
}

int wg_applied_save(const char *ifname, const char *identity, const char *text, size_t len,
		    const struct conf_span *v, size_t n, struct wj_err *e)
{
	char path[PATH_MAX], head[HEAD_MAX];
	struct iovec parts[6];
	struct wj_atomic w;
	size_t n_peers = 0, n_other = 0, hl, k = 0;
	uint32_t *other;
	int r = -1;

	if (wj_state_path("applied", ifname, "", path, sizeof(path)) < 0)
		return wj_errf(e, "%s: state path too long", ifname);
	if (wg_state_mkdir(path, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		n_peers += v[i].kind == CONF_PEER;
	if (!(hl = header(head, identity, len, n, n_peers)))
		return wj_errf(e, "%s: device identity too long", ifname);
	if (!(other = malloc((n - n_peers + 1) * sizeof(*other))))
		return wj_errnof(e, ENOMEM, "%s", path);
	for (size_t i = 0; i < n; i++)
		if (v[i].kind != CONF_PEER)
			other[n_other++] = (uint32_t)i;
	parts[k++] = (struct iovec){.iov_base = head, .iov_len = hl};
	parts[k++] = (struct iovec){.iov_base = (void *)(uintptr_t)v, .iov_len = n * sizeof(*v)};
	parts[k++] = (struct iovec){.iov_base = other, .iov_len = n_other * sizeof(*other)};
	parts[k++] = (struct iovec){.iov_base = (void *)(uintptr_t)zeros, .iov_len = pad16(n_other * 4) - n_other * 4};
	parts[k++] = (struct iovec){.iov_base = (void *)(uintptr_t)text, .iov_len = len};
	parts[k++] = (struct iovec){.iov_base = (void *)(uintptr_t)zeros, .iov_len = pad16(len) - len};
	if (wj_atomic_open(&w, path, 0600, e) == 0) {
		for (size_t i = 0; i < k; i++)
			wj_atomic_write(&w, parts[i].iov_base, parts[i].iov_len);
		r = commit(&w, e);
	}
	free(other);
	return r;
}

/* Append an entry; *TEXT_AT gets the file offset of an edit's text. */
static int append(struct wg_applied *a, uint32_t type, size_t oa, size_t ob, const struct conf_span *v, size_t n,
		  const char *text, size_t tlen, uint64_t *text_at, struct wj_err *e)
{
	struct entry h = {ENTRY_MAGIC, type, (uint32_t)oa, (uint32_t)ob, (uint32_t)n, (uint32_t)tlen, a->seq + 1, {0}};
	size_t plen = type == E_EDIT ? pad16(n * sizeof(*v) + tlen) : 0, done = 0;
	unsigned char *buf;

	if (a->fd < 0 || oa > UINT32_MAX || ob > UINT32_MAX || n > WG_CONFIG_MAX_SIZE || tlen > WG_CONFIG_MAX_SIZE)
		return wj_errf(e, "the record of the last sync cannot take this edit");
	if (!(buf = wj_secret_alloc(sizeof(h) + plen))) /* the text may hold keys */
		return wj_errnof(e, ENOMEM, "the record of the last sync");
	memset(buf, 0, sizeof(h) + plen);
	if (type == E_EDIT) {
		memcpy(buf + sizeof(h), v, n * sizeof(*v));
		memcpy(buf + sizeof(h) + n * sizeof(*v), text, tlen);
	}
	check_of(a->check, &h, buf + sizeof(h), plen, h.check);
	memcpy(buf, &h, sizeof(h));
	while (done < sizeof(h) + plen) {
		ssize_t k = pwrite(a->fd, buf + done, sizeof(h) + plen - done, (off_t)(a->size + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int err = k < 0 ? errno : EIO;
			wj_secret_free(buf);
			return wj_errnof(e, err, "the record of the last sync");
		}
		done += (size_t)k;
	}
	wj_secret_free(buf);
	if (text_at)
		*text_at = a->size + sizeof(h) + n * sizeof(*v);
	a->size += sizeof(h) + plen;
	a->seq++;
	memcpy(a->check, h.check, sizeof(a->check));
	return 0;
}

int wg_applied_begin(struct wg_applied *a, struct wj_err *e)
{
	struct stat st;

	/* Nothing else may have replaced or grown the file since it was read
	 * (the lock says so; this makes sure). */
	if (fstat(a->fd, &st) < 0 || (uint64_t)st.st_size != a->size || st.st_nlink == 0)
		return wj_errf(e, "the record of the last sync changed while it was used");
	return append(a, E_BEGIN, 0, 0, NULL, 0, NULL, 0, NULL, e);
}

/* Write A's current text and cut as a new base (the log folded in). */
static int compact(const char *ifname, struct wg_applied *a, struct wj_err *e)
{
	char path[PATH_MAX], head[HEAD_MAX], *text = NULL;
	struct conf_span *v = NULL;
	struct wj_atomic w;
	size_t hl, k = 0;
	int r = -1;

	if (wj_state_path("applied", ifname, "", path, sizeof(path)) < 0)
		return wj_errf(e, "%s: state path too long", ifname);
	if (!(hl = header(head, a->ident, a->view.len, a->view.n, a->view.n_peers)))
		return wj_errf(e, "%s: device identity too long", ifname);
	if (!(v = malloc(1024 * sizeof(*v))) || !(text = wj_secret_alloc(CHUNK))) {
		free(v);
		return wj_errnof(e, ENOMEM, "%s", path);
	}
	if (wj_atomic_open(&w, path, 0600, e) < 0)
		goto out;
	wj_atomic_write(&w, head, hl);
	for (size_t j = 0; j < a->view.nr; j++) {
		const struct conf_run *run = &a->view.r[j];
		for (size_t i = 0; i < run->n; i++) {
			v[k] = run->v[i];
			v[k].off = (uint32_t)((long long)v[k].off + run->shift);
			if (v[k].kind == CONF_PEER)
				v[k].key = (uint32_t)((long long)v[k].key + run->shift);
			if (++k == 1024) {
				wj_atomic_write(&w, v, k * sizeof(*v));
				k = 0;
			}
		}
	}
	wj_atomic_write(&w, v, k * sizeof(*v));
	for (size_t i = 0; i < a->view.n_other; i++) {
		uint32_t x = (uint32_t)a->view.other[i];
		wj_atomic_write(&w, &x, sizeof(x));
	}
	wj_atomic_write(&w, zeros, pad16(a->view.n_other * 4) - a->view.n_other * 4);
	for (size_t at = 0; at < a->view.len; at += CHUNK) {
		size_t m = a->view.len - at < CHUNK ? a->view.len - at : CHUNK;
		if (conf_view_read(&a->view, at, at + m, text) < 0) {
			wj_atomic_abort(&w);
			wj_errf(e, "%s: cannot read the record to compact it", path);
			goto out;
		}
		wj_atomic_write(&w, text, m);
	}
	wj_atomic_write(&w, zeros, pad16(a->view.len) - a->view.len);
	r = commit(&w, e);
out:
	free(v);
	wj_secret_free(text);
	return r;
}

int wg_applied_edit(const char *ifname, struct wg_applied *a, size_t oa, size_t ob, const char *text, size_t tlen,
		    const struct conf_span *v, size_t n, struct wj_err *e)
{
	uint64_t at;

	if (append(a, E_EDIT, oa, ob, v, n, text, tlen, &at, e) < 0)
		return -1;
	if (conf_view_edit(&a->view, oa, ob, at, v, n) < 0)
		return wj_errnof(e, ENOMEM, "the record of the last sync");
	a->edits++;
	a->log_bytes += sizeof(struct entry) + pad16(n * sizeof(*v) + tlen);
	if (a->edits < WG_APPLIED_MAX_EDITS && a->log_bytes < 65536 + a->base_len / 4)
		return 0;
	return compact(ifname, a, e);
}
