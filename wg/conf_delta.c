/* The difference of two files from the old one's cut (see wg/conf_delta.h). */
#include "wg/conf_delta.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/secmem.h"
#include "wg/conf_keytab.h"
#include "wg/conf_lex.h"

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

static char *secret_alloc(size_t n)
{
	return wj_secret_alloc(n);
}

static void secret_free(char *p)
{
	wj_secret_free(p);
}

/* The new text's bytes [A, B). */
static int nt_read(const struct conf_view *old, const struct conf_newtext *nt, size_t a, size_t b, char *buf)
{
	size_t ms = nt->pre, me = nt->len - nt->suf, e;
	long long shift = (long long)nt->len - (long long)old->len;

	if (a < b && a < ms) {
		e = b < ms ? b : ms;
		if (conf_view_read(old, a, e, buf) < 0)
			return -1;
		buf += e - a;
		a = e;
	}
	if (a < b && a < me) {
		e = b < me ? b : me;
		memcpy(buf, nt->mid + (a - ms), e - a);
		buf += e - a;
		a = e;
	}
	if (a < b && conf_view_read(old, (size_t)((long long)a - shift), (size_t)((long long)b - shift), buf) < 0)
		return -1;
	return 0;
}

/* Is the new text's line at AT a section header?  -1: a failed read. */
static int header_at(const struct conf_view *old, const struct conf_newtext *nt, size_t at)
{
	size_t n = 256, got;
	char *buf = NULL;
	int r;

	for (;;) {
		got = nt->len - at < n ? nt->len - at : n;
		secret_free(buf);
		if (!(buf = secret_alloc(got)) || nt_read(old, nt, at, at + got, buf) < 0) {
			secret_free(buf);
			return -1;
		}
		/* the whole line, or more than the parser reads in one */
		if (memchr(buf, '\n', got) || got < n || n > CONF_LEX_MAX_LINE)
			break;
		n *= 4;
	}
	r = wg_conf_header_at(buf, 0, got);
	secret_free(buf);
	return r;
}

struct cmp {
	struct conf_delta *d;
	struct conf_span *ov; /* old spans [oa, ob), offsets into d->old_text */
	size_t on;
};

static int key_elsewhere(void *arg, size_t i, const char *key)
{
	(void)i;
	return conf_keytab_probe(arg, key, SIZE_MAX) != SIZE_MAX; /* 1: a key of the region is there too */
}

/* Compare the edited spans.  1 = a key used twice. */
static int compare(const struct conf_view *old, struct cmp *x)
{
	struct conf_delta *d = x->d;
	struct conf_keytab told = {0}, tnew = {0};
	unsigned char *taken = NULL;
	bool fresh = false;
	int r = -1;

	if (conf_keytab_init(&told, d->old_text, x->ov, x->on) < 0 ||
	    conf_keytab_init(&tnew, d->region, d->cut.v, d->cut.n) < 0 || !(taken = calloc(x->on + 1, 1)))
		goto out;
	for (size_t j = 0; j < x->on; j++)
		if (x->ov[j].kind == CONF_PEER)
			conf_keytab_probe(&told, d->old_text + x->ov[j].key, j);
	for (size_t i = 0; i < d->cut.n; i++) {
		const struct conf_span *n = &d->cut.v[i];
		size_t j;

		if (n->kind != CONF_PEER)
			continue;
		if (conf_keytab_probe(&tnew, d->region + n->key, i) != SIZE_MAX) {
			r = 1; /* twice among the edited sections */
			goto out;
		}
		j = conf_keytab_probe(&told, d->region + n->key, SIZE_MAX);
		if (j != SIZE_MAX) {
			const struct conf_span *o = &x->ov[j];
			taken[j] = 1;
			if (o->len == n->len && !memcmp(d->old_text + o->off, d->region + n->off, n->len))
				continue;
			if (push_idx(&d->old_idx, &d->n_old, d->oa + j) < 0)
				goto out;
		} else {
			fresh = true;
		}
		if (push_idx(&d->new_idx, &d->n_new, i) < 0)
			goto out;
	}
	for (size_t j = 0; j < x->on; j++)
		if (x->ov[j].kind == CONF_PEER && !taken[j]) {
			if (push_idx(&d->old_idx, &d->n_old, d->oa + j) < 0)
				goto out;
			d->n_gone++;
		}
	/* A key new here must not be one of the untouched sections: one
	 * pass over their keys, only then. */
	r = fresh ? conf_view_keys(old, d->oa, d->ob, key_elsewhere, &tnew) : 0;
	if (r == -2)
		r = -1;
out:
	free(taken);
	conf_keytab_free(&told);
	conf_keytab_free(&tnew);
	return r;
}

/* The old spans [oa, ob) relative to the old text read, checked: they
 * must cover it exactly, in order, keys inside. */
static int old_spans(const struct conf_view *old, struct cmp *x)
{
	struct conf_delta *d = x->d;
	size_t at = d->ostart;

	x->on = d->ob - d->oa;
	if (!(x->ov = malloc((x->on + 1) * sizeof(*x->ov))))
		return -1;
	for (size_t j = 0; j < x->on; j++) {
		struct conf_span s = conf_view_span(old, d->oa + j, NULL);
		if (s.off != at || s.len == 0 || s.len > d->oend - at || s.kind > CONF_PEER ||
		    (s.kind == CONF_PEER && (s.key < s.off || s.len - (s.key - s.off) < WG_KEY_B64_LEN)))
			return 1;
		at += s.len;
		s.off -= (uint32_t)d->ostart;
		if (s.kind == CONF_PEER)
			s.key -= (uint32_t)d->ostart;
		x->ov[j] = s;
	}
	return at == d->oend ? 0 : 1;
}

int wg_conf_delta(const struct conf_view *old, const struct conf_newtext *nt, struct conf_delta *d)
{
	size_t pre = nt->pre, suf = nt->suf, olen = old->len, nlen = nt->len, oe;
	long long shift = (long long)nlen - (long long)olen;
	struct cmp x = {.d = d};
	int r = -1, h;

	memset(d, 0, sizeof(*d));
	if (nlen >= UINT32_MAX || pre + suf > (olen < nlen ? olen : nlen))
		return WG_SECTIONS_UNSURE;
	/* The edited spans: from the one holding the byte before the first
	 * difference (an edit at a section's very start may extend the section
	 * before it) to the last one starting at or before the last difference,
	 * so that the next span starts inside the common suffix, after a '\n'
	 * that both texts have. */
	d->oa = pre ? conf_view_first_after(old, pre - 1) : 0;
	d->oa = d->oa ? d->oa - 1 : 0;
	d->ob = conf_view_first_after(old, olen - suf);
	if (pre == olen && pre == nlen)
		d->oa = d->ob = old->n; /* the same text */
	/* An edit may take the header of the first edited span away: that
	 * span then belongs to the one before, whose header line lies wholly
	 * in the common prefix. */
	if (d->oa > 0 && d->oa < old->n) {
		if ((h = header_at(old, nt, conf_view_off(old, d->oa))) < 0)
			return -1;
		if (!h)
			d->oa--;
	}
	if (d->oa > d->ob)
		d->oa = d->ob; /* cannot happen with a valid cut; stay safe */
	d->ostart = conf_view_off(old, d->oa);
	d->oend = conf_view_off(old, d->ob);
	oe = (size_t)((long long)d->oend + shift);
	if (oe < d->ostart)
		return WG_SECTIONS_UNSURE;
	d->region_len = oe - d->ostart;
	if (!(d->region = secret_alloc(d->region_len)) || !(d->old_text = secret_alloc(d->oend - d->ostart)) ||
	    nt_read(old, nt, d->ostart, oe, d->region) < 0 ||
	    conf_view_read(old, d->ostart, d->oend, d->old_text) < 0 || (r = old_spans(old, &x)) != 0)
		goto fail;
	if (d->region_len && (r = wg_conf_sections_region(d->region, 0, d->region_len, d->ostart == 0, &d->cut)) != 0)
		goto fail;
	if ((r = compare(old, &x)) != 0)
		goto fail;
	d->n_peers = old->n_peers + d->cut.n_peers;
	for (size_t j = 0; j < x.on; j++)
		d->n_peers -= x.ov[j].kind == CONF_PEER;
	free(x.ov);
	return WG_SECTIONS_OK;
fail:
	free(x.ov);
	wg_conf_delta_free(d);
	return r < 0 ? -1 : WG_SECTIONS_UNSURE;
}

void wg_conf_delta_free(struct conf_delta *d)
{
	free(d->new_idx);
	free(d->old_idx);
	secret_free(d->region);
	secret_free(d->old_text);
	wg_conf_sections_free(&d->cut);
	memset(d, 0, sizeof(*d));
}

/* ---- both texts in memory ---------------------------------------------- */

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

static int append_spans(struct conf_sections *dst, const struct conf_span *v, size_t n, long long shift)
{
	if (!n)
		return 0;
	if (dst->n + n > dst->cap) {
		size_t cap = dst->cap ? dst->cap : 64;
		void *p;
		while (cap < dst->n + n)
			cap *= 2;
		if (!(p = realloc(dst->v, cap * sizeof(*dst->v))))
			return -1;
		dst->v = p;
		dst->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		struct conf_span x = v[i];
		x.off = (uint32_t)((long long)x.off + shift);
		if (x.kind == CONF_PEER)
			x.key = (uint32_t)((long long)x.key + shift);
		dst->v[dst->n++] = x;
		dst->n_peers += x.kind == CONF_PEER;
	}
	return 0;
}

int wg_conf_delta_flat(const char *otext, size_t olen, const struct conf_sections *os, const char *ntext,
		       size_t nlen, unsigned shrink, struct conf_sections *ns, struct conf_delta *d)
{
	struct conf_view w;
	struct conf_newtext nt;
	size_t min = olen < nlen ? olen : nlen;
	int r;

	memset(ns, 0, sizeof(*ns));
	if (conf_view_flat(&w, otext, olen, os->v, os->n) < 0)
		return -1;
	nt.len = nlen;
	nt.pre = common_prefix(otext, ntext, min);
	nt.suf = common_suffix(otext, olen, ntext, nlen, min - nt.pre);
	if (shrink) {
		nt.pre -= nt.pre * (shrink > 8 ? 8 : shrink) / 8;
		nt.suf -= nt.suf * (shrink > 8 ? 8 : shrink) / 8;
	}
	nt.mid = ntext + nt.pre;
	r = wg_conf_delta(&w, &nt, d);
	conf_view_free(&w);
	if (r != WG_SECTIONS_OK)
		return r;
	if (append_spans(ns, os->v, d->oa, 0) < 0 || append_spans(ns, d->cut.v, d->cut.n, (long long)d->ostart) < 0 ||
	    (d->ob < os->n && append_spans(ns, os->v + d->ob, os->n - d->ob, (long long)nlen - (long long)olen) < 0)) {
		wg_conf_sections_free(ns);
		wg_conf_delta_free(d);
		return -1;
	}
	ns->hostname = d->cut.hostname;
	for (size_t i = 0; i < d->n_new; i++)
		d->new_idx[i] += d->oa;
	return WG_SECTIONS_OK;
}
