/* A cut held in pieces (see wg/conf_view.h). */
#include "wg/conf_view.h"
#include "util/array.h"
#include "util/fsutil.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536

/* The run that holds span I (< N). */
static const struct conf_run *run_of(const struct conf_view *w, size_t i)
{
	size_t lo = 0, hi = w->nr;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->r[mid].first <= i)
			lo = mid;
		else
			hi = mid;
	}
	return &w->r[lo];
}

static size_t run_start(const struct conf_run *r)
{
	return (size_t)((long long)r->v[0].off + r->shift);
}

static size_t run_end(const struct conf_run *r)
{
	const struct conf_span *l = &r->v[r->n - 1];
	return (size_t)((long long)l->off + l->len + r->shift);
}

/* The run whose text holds view offset POS (< LEN). */
static const struct conf_run *run_at(const struct conf_view *w, size_t pos)
{
	size_t lo = 0, hi = w->nr;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (run_start(&w->r[mid]) <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return &w->r[lo];
}

struct conf_span conf_view_span(const struct conf_view *w, size_t i, uint64_t *at)
{
	const struct conf_run *r = run_of(w, i);
	struct conf_span s = r->v[i - r->first];

	if (at)
		*at = r->at + s.off;
	s.off = (uint32_t)((long long)s.off + r->shift);
	if (s.kind == CONF_PEER)
		s.key = (uint32_t)((long long)s.key + r->shift);
	return s;
}

size_t conf_view_off(const struct conf_view *w, size_t i)
{
	return i >= w->n ? w->len : conf_view_span(w, i, NULL).off;
}

size_t conf_view_first_after(const struct conf_view *w, size_t at)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (conf_view_off(w, mid) > at)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void conf_view_init_fd(struct conf_view *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
}

void conf_view_free(struct conf_view *w)
{
	free(w->r);
	free(w->other);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

int conf_view_flat(struct conf_view *w, const char *text, size_t len, const struct conf_span *v, size_t n)
{
	conf_view_init_fd(w, -1);
	if (conf_view_edit(w, 0, 0, (uint64_t)(uintptr_t)text, v, n) < 0)
		return -1;
	w->len = len; /* (the same, unless V does not cover TEXT: then TEXT's length rules reads) */
	return 0;
}

static int other_push(struct conf_view *w, size_t i);

int conf_view_base(struct conf_view *w, uint64_t at, const struct conf_span *v, size_t n, size_t len, size_t n_peers,
		   const uint32_t *other, size_t n_other)
{
	if (w->nr || !n)
		return n || len ? -1 : 0;
	if (!(w->r = malloc(sizeof(*w->r))))
		return -1;
	w->r[0] = (struct conf_run){at, v, n, 0, 0};
	w->nr = w->cap = 1;
	w->n = n;
	w->n_peers = n_peers;
	w->len = len;
	for (size_t i = 0; i < n_other; i++)
		if (other_push(w, other[i]) < 0)
			return -1;
	return 0;
}

static int other_push(struct conf_view *w, size_t i)
{
	size_t *p = wj_grow(w->other, &w->cap_other, w->n_other, sizeof(*p), 8);
	if (!p)
		return -1;
	w->other = p;
	w->other[w->n_other++] = i;
	return 0;
}

/* The list of non-[Peer] spans after spans [OA, OB) became V[0..N). */
static int other_edit(struct conf_view *w, size_t oa, size_t ob, const struct conf_span *v, size_t n)
{
	size_t *old = w->other, n_old = w->n_other, k = 0;
	long long dn = (long long)n - (long long)(ob - oa);
	int r = 0;

	w->other = NULL;
	w->n_other = w->cap_other = 0;
	for (; k < n_old && old[k] < oa && r == 0; k++)
		r = other_push(w, old[k]);
	for (size_t i = 0; i < n && r == 0; i++)
		if (v[i].kind != CONF_PEER)
			r = other_push(w, oa + i);
	for (; k < n_old && r == 0; k++)
		if (old[k] >= ob)
			r = other_push(w, (size_t)((long long)old[k] + dn));
	free(old);
	return r;
}

int conf_view_edit(struct conf_view *w, size_t oa, size_t ob, uint64_t at, const struct conf_span *v, size_t n)
{
	size_t ostart = conf_view_off(w, oa), oend = conf_view_off(w, ob), tlen = n ? v[n - 1].off + v[n - 1].len : 0;
	size_t gone = 0, added = 0, k = 0;
	long long delta = (long long)tlen - (long long)(oend - ostart), dn = (long long)n - (long long)(ob - oa);
	struct conf_run *nr;

	if (!(nr = malloc((w->nr + 2) * sizeof(*nr))))
		return -1;
	for (size_t i = oa; i < ob; i++)
		gone += conf_view_span(w, i, NULL).kind == CONF_PEER;
	for (size_t i = 0; i < n; i++)
		added += v[i].kind == CONF_PEER;
	if (other_edit(w, oa, ob, v, n) < 0) {
		free(nr);
		return -1;
	}
	for (size_t j = 0; j < w->nr; j++) {
		const struct conf_run *r = &w->r[j];
		if (r->first < oa)
			nr[k++] = (struct conf_run){r->at, r->v, (r->first + r->n < oa ? r->first + r->n : oa) - r->first,
						    r->first, r->shift};
	}
	if (n)
		nr[k++] = (struct conf_run){at, v, n, oa, (long long)ostart - (long long)v[0].off};
	for (size_t j = 0; j < w->nr; j++) {
		const struct conf_run *r = &w->r[j];
		size_t a = r->first > ob ? r->first : ob;
		if (r->first + r->n > a)
			nr[k++] = (struct conf_run){r->at, r->v + (a - r->first), r->first + r->n - a,
						    (size_t)((long long)a + dn), r->shift + delta};
	}
	free(w->r);
	w->r = nr;
	w->nr = k;
	w->cap = k;
	w->n = (size_t)((long long)w->n + dn);
	w->n_peers = w->n_peers - gone + added;
	w->len = (size_t)((long long)w->len + delta);
	return 0;
}

static int rd(const struct conf_view *w, uint64_t at, char *buf, size_t n)
{
	if (w->fd < 0) {
		memcpy(buf, (const char *)(uintptr_t)at, n);
		return 0;
	}
	return wj_pread_all(w->fd, buf, n, at);
}

int conf_view_read(const struct conf_view *w, size_t from, size_t to, char *buf)
{
	while (from < to) {
		const struct conf_run *r = run_at(w, from);
		size_t end = run_end(r) < to ? run_end(r) : to;
		if (end <= from || rd(w, r->at + (uint64_t)((long long)from - r->shift), buf, end - from) < 0)
			return -1;
		buf += end - from;
		from = end;
	}
	return 0;
}

long long conf_view_cmp(const struct conf_view *w, size_t at, const char *buf, size_t n, char *scratch)
{
	size_t i = 0;

	if (n > w->len - (at < w->len ? at : w->len))
		n = w->len - (at < w->len ? at : w->len);
	if (conf_view_read(w, at, at + n, scratch) < 0)
		return -1;
	if (!memcmp(buf, scratch, n))
		return (long long)n;
	while (buf[i] == scratch[i])
		i++;
	return (long long)i;
}

long long conf_view_rcmp(const struct conf_view *w, size_t end, const char *buf, size_t n, char *scratch)
{
	size_t i = 0;

	if (n > end)
		n = end;
	if (conf_view_read(w, end - n, end, scratch) < 0)
		return -1;
	if (!memcmp(buf, scratch, n))
		return (long long)n;
	while (buf[n - 1 - i] == scratch[n - 1 - i])
		i++;
	return (long long)i;
}

int conf_view_keys(const struct conf_view *w, size_t skip_a, size_t skip_b,
		   int (*fn)(void *arg, size_t i, const char *key), void *arg)
{
	char *buf = NULL;
	uint64_t have = 0, have_n = 0; /* BUF holds the bytes at [have, have + have_n) */
	int r = 0;

	if (w->fd >= 0 && !(buf = malloc(CHUNK)))
		return -2;
	for (size_t j = 0; j < w->nr && r == 0; j++) {
		const struct conf_run *run = &w->r[j];
		for (size_t i = 0; i < run->n && r == 0; i++) {
			const struct conf_span *s = &run->v[i];
			uint64_t k = run->at + s->key;
			size_t gi = run->first + i;
			ssize_t got;

			if (s->kind != CONF_PEER || (gi >= skip_a && gi < skip_b))
				continue;
			if (w->fd < 0) {
				r = fn(arg, gi, (const char *)(uintptr_t)k);
				continue;
			}
			if (k < have || k + WG_KEY_B64_LEN > have + have_n) {
				do
					got = pread(w->fd, buf, CHUNK, (off_t)k);
				while (got < 0 && errno == EINTR);
				if (got < WG_KEY_B64_LEN) {
					r = -2;
					break;
				}
				have = k;
				have_n = (uint64_t)got;
			}
			r = fn(arg, gi, buf + (k - have));
		}
	}
	if (buf) {
		sodium_memzero(buf, CHUNK); /* the text may hold key material */
		free(buf);
	}
	return r;
}
