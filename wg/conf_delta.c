/* The difference of two files from their cuts (see wg/conf_delta.h). */
#include "wg/conf_delta.h"

#include <stdlib.h>
#include <string.h>

#include "wg/conf_keytab.h"

static int push_idx(size_t **v, size_t *n, size_t x)
{
	/* grows at powers of two */
	if ((*n & (*n - 1)) == 0 && *n >= 8) {
		void *p = realloc(*v, *n * 2 * sizeof(**v));
		if (!p)
			return -1;
		*v = p;
	} else if (!*v && !(*v = malloc(8 * sizeof(**v)))) {
		return -1;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* Length of the common prefix of A and B (N bytes each at most). */
static size_t common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;

	while (n - i >= 4096 && !memcmp(a + i, b + i, 4096))
		i += 4096;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static size_t common_suffix(const char *a, size_t alen, const char *b, size_t blen, size_t n)
{
	size_t i = 0;

	while (n - i >= 4096 && !memcmp(a + alen - i - 4096, b + blen - i - 4096, 4096))
		i += 4096;
	while (i < n && a[alen - i - 1] == b[blen - i - 1])
		i++;
	return i;
}

/* First span index with off > AT (SIZE_MAX-safe binary search). */
static size_t first_after(const struct conf_sections *s, size_t at)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].off > at)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

struct delta {
	const char *ot, *nt;
	const struct conf_sections *os;
	struct conf_sections *ns;
	struct conf_delta *d;
	size_t oa, ob, na, nb; /* the edited spans: OS [oa, ob), NS [na, nb) */
};

/* Compare the edited spans.  1 = a key used twice. */
static int compare(struct delta *x)
{
	struct conf_keytab told = {0}, tnew = {0}, tall = {0};
	unsigned char *taken = NULL;
	int r = -1;

	if (conf_keytab_init(&told, x->ot, x->os->v, x->ob - x->oa) < 0 ||
	    conf_keytab_init(&tnew, x->nt, x->ns->v, x->nb - x->na) < 0 || !(taken = calloc(x->ob - x->oa + 1, 1)))
		goto out;
	for (size_t j = x->oa; j < x->ob; j++)
		if (x->os->v[j].kind == CONF_PEER)
			conf_keytab_probe(&told, x->ot + x->os->v[j].key, j);
	for (size_t i = x->na; i < x->nb; i++) {
		const struct conf_span *n = &x->ns->v[i];
		size_t j;

		if (n->kind != CONF_PEER)
			continue;
		if (conf_keytab_probe(&tnew, x->nt + n->key, i) != SIZE_MAX) {
			r = 1; /* twice among the edited sections */
			goto out;
		}
		j = conf_keytab_probe(&told, x->nt + n->key, SIZE_MAX);
		if (j != SIZE_MAX) {
			const struct conf_span *o = &x->os->v[j];
			taken[j - x->oa] = 1;
			if (o->len == n->len && !memcmp(x->ot + o->off, x->nt + n->off, n->len))
				continue;
			if (push_idx(&x->d->old_idx, &x->d->n_old, j) < 0)
				goto out;
		} else {
			/* New here: it must not be one of the untouched sections. */
			if (!tall.slot) {
				if (conf_keytab_init(&tall, x->ot, x->os->v, x->os->n_peers) < 0)
					goto out;
				for (size_t k = 0; k < x->os->n; k++)
					if (x->os->v[k].kind == CONF_PEER)
						conf_keytab_probe(&tall, x->ot + x->os->v[k].key, k);
			}
			if (conf_keytab_probe(&tall, x->nt + n->key, SIZE_MAX) != SIZE_MAX) {
				r = 1;
				goto out;
			}
		}
		if (push_idx(&x->d->new_idx, &x->d->n_new, i) < 0)
			goto out;
	}
	for (size_t j = x->oa; j < x->ob; j++)
		if (x->os->v[j].kind == CONF_PEER && !taken[j - x->oa]) {
			if (push_idx(&x->d->old_idx, &x->d->n_old, j) < 0)
				goto out;
			x->d->n_gone++;
		}
	r = 0;
out:
	free(taken);
	conf_keytab_free(&told);
	conf_keytab_free(&tnew);
	conf_keytab_free(&tall);
	return r;
}

static int copy_spans(struct conf_sections *dst, const struct conf_sections *src, size_t from, size_t to,
		      long long shift)
{
	for (size_t i = from; i < to; i++) {
		struct conf_span x = src->v[i];
		if (dst->n == dst->cap) {
			size_t cap = dst->cap ? dst->cap * 2 : 64;
			void *p;
			while (cap < dst->n + (to - i))
				cap *= 2;
			if (!(p = realloc(dst->v, cap * sizeof(*dst->v))))
				return -1;
			dst->v = p;
			dst->cap = cap;
		}
		x.off = (uint32_t)((long long)x.off + shift);
		if (x.kind == CONF_PEER)
			x.key = (uint32_t)((long long)x.key + shift);
		dst->v[dst->n++] = x;
		dst->n_peers += x.kind == CONF_PEER;
	}
	return 0;
}

int wg_conf_delta(const char *otext, size_t olen, const struct conf_sections *os, const char *ntext, size_t nlen,
		  struct conf_sections *ns, struct conf_delta *d)
{
	struct delta x = {.ot = otext, .nt = ntext, .os = os, .ns = ns, .d = d};
	size_t min = olen < nlen ? olen : nlen, pre, suf, ostart, oend;
	long long shift = (long long)nlen - (long long)olen;
	int r = -1;

	memset(ns, 0, sizeof(*ns));
	memset(d, 0, sizeof(*d));
	if (nlen >= UINT32_MAX)
		return WG_SECTIONS_UNSURE;
	pre = common_prefix(otext, ntext, min);
	suf = common_suffix(otext, olen, ntext, nlen, min - pre);
	/* The edited spans: from the one holding the byte before the first
	 * difference (an edit at a section's very start may extend the section
	 * before it) to the last one starting at or before the last difference,
	 * so that the next span starts inside the common suffix, after a '\n'
	 * that both texts have. */
	x.oa = pre ? first_after(os, pre - 1) : 0;
	x.oa = x.oa ? x.oa - 1 : 0;
	x.ob = first_after(os, olen - suf);
	if (pre == olen && pre == nlen)
		x.oa = x.ob = os->n; /* the same text */
	ostart = x.oa < os->n ? os->v[x.oa].off : olen;
	oend = x.ob < os->n ? os->v[x.ob].off : olen;
	if (x.oa > x.ob)
		ostart = oend; /* cannot happen with a valid cut; stay safe */
	if (copy_spans(ns, os, 0, x.oa, 0) < 0)
		goto fail;
	x.na = ns->n;
	if (ostart < (size_t)((long long)oend + shift) &&
	    (r = wg_conf_sections_region(ntext, ostart, (size_t)((long long)oend + shift), ns)) != 0)
		goto fail;
	x.nb = ns->n;
	if (copy_spans(ns, os, x.ob, os->n, shift) < 0 || (r = compare(&x)) != 0)
		goto fail;
	return WG_SECTIONS_OK;
fail:
	wg_conf_delta_free(d);
	wg_conf_sections_free(ns);
	return r < 0 ? -1 : r;
}

void wg_conf_delta_free(struct conf_delta *d)
{
	free(d->new_idx);
	free(d->old_idx);
	memset(d, 0, sizeof(*d));
}
