/* The two configurations a delta (wg/conf_delta.h) compares, parsed with
 * the real parser (see wg_conf_delta_parse). */
#include "wg/conf_delta.h"

#include <sodium.h>
#include <string.h>

#include "util/err.h"
#include "util/secmem.h"
#include "wg/config.h"

/* A text assembled from sections of others (secret memory). */
struct mini {
	char *buf;
	size_t len, cap;
};

static int mini_alloc(struct mini *m, size_t bytes, size_t parts)
{
	m->cap = bytes + parts + 1;
	m->len = 0;
	return (m->buf = wj_secret_alloc(m->cap)) ? 0 : -1;
}

static void mini_free(struct mini *m)
{
	wj_secret_free(m->buf);
	m->buf = NULL;
}

/* Add span S, whose bytes are at AT in VIEW (AT an offset of VIEW's text)
 * or in memory at MEM. */
static int mini_span(struct mini *m, const struct conf_view *view, size_t at, const char *mem, size_t len)
{
	if (!len)
		return 0;
	if (mem)
		memcpy(m->buf + m->len, mem, len);
	else if (conf_view_read(view, at, at + len, m->buf + m->len) < 0)
		return -1;
	m->len += len;
	if (m->buf[m->len - 1] != '\n')
		m->buf[m->len++] = '\n';
	return 0;
}

/* Old span I: from the edit's copy of the old text if it lies there,
 * else read from the record. */
static int mini_old(struct mini *m, const struct conf_view *old, const struct conf_delta *d, size_t i)
{
	struct conf_span s = conf_view_span(old, i, NULL);
	bool edited = i >= d->oa && i < d->ob;

	return mini_span(m, old, s.off, edited ? d->old_text + (s.off - d->ostart) : NULL, s.len);
}

bool wg_conf_delta_keeps_interface(const struct conf_view *old, const struct conf_delta *d)
{
	for (size_t i = 0; i < d->cut.n; i++)
		if (d->cut.v[i].kind != CONF_PEER)
			return false;
	for (size_t k = 0; k < old->n_other; k++)
		if (old->other[k] >= d->oa && old->other[k] < d->ob)
			return false;
	return true;
}

/* "After": the new text's sections that are not [Peer] (the recorded ones
 * before the edit, the edit's own, the recorded ones after it), then the
 * changed [Peer]s of the edit; when the edit KEPT the interface, only the
 * changed [Peer]s (so the private key is neither held twice nor derived
 * twice).  "Before": the recorded text's sections that are not [Peer],
 * then its changed [Peer]s. */
static int build_minis(const struct conf_view *old, const struct conf_delta *d, bool kept, struct mini *after,
		       struct mini *before)
{
	size_t ab = 0, bb = 0, parts = d->n_new + d->n_old + d->cut.n;
	int r = 0;

	for (size_t k = 0; k < old->n_other; k++) {
		size_t i = old->other[k], len = conf_view_span(old, i, NULL).len;
		bb += len;
		ab += !kept && (i < d->oa || i >= d->ob) ? len : 0;
		parts++;
	}
	for (size_t i = 0; i < d->cut.n; i++)
		ab += d->cut.v[i].kind != CONF_PEER ? d->cut.v[i].len : 0;
	for (size_t i = 0; i < d->n_new; i++)
		ab += d->cut.v[d->new_idx[i]].len;
	for (size_t i = 0; i < d->n_old; i++)
		bb += conf_view_span(old, d->old_idx[i], NULL).len;
	if (mini_alloc(after, ab, parts) < 0 || mini_alloc(before, bb, parts) < 0)
		return -1;
	for (size_t k = 0; k < old->n_other && r == 0; k++) {
		r = mini_old(before, old, d, old->other[k]);
		if (r == 0 && !kept && old->other[k] < d->oa)
			r = mini_old(after, old, d, old->other[k]);
	}
	for (size_t i = 0; i < d->cut.n && r == 0 && !kept; i++)
		if (d->cut.v[i].kind != CONF_PEER)
			r = mini_span(after, NULL, 0, d->region + d->cut.v[i].off, d->cut.v[i].len);
	for (size_t k = 0; k < old->n_other && r == 0 && !kept; k++)
		if (old->other[k] >= d->ob)
			r = mini_old(after, old, d, old->other[k]);
	for (size_t i = 0; i < d->n_new && r == 0; i++)
		r = mini_span(after, NULL, 0, d->region + d->cut.v[d->new_idx[i]].off, d->cut.v[d->new_idx[i]].len);
	for (size_t i = 0; i < d->n_old && r == 0; i++)
		r = mini_old(before, old, d, d->old_idx[i]);
	return r;
}

int wg_conf_delta_parse(const struct conf_view *old, const struct conf_delta *d, const char *path,
			struct wg_device **before, struct wg_device **after, struct wj_err *e)
{
	struct mini om = {0}, nm = {0};
	int r = -1;

	*before = *after = NULL;
	if (build_minis(old, d, wg_conf_delta_keeps_interface(old, d), &nm, &om) < 0)
		wj_errf(e, "%s: out of memory, or the record of the last sync cannot be read", path);
	else if (wg_config_parse(nm.buf, nm.len, path, after, e) == 0 &&
		 wg_config_parse(om.buf, om.len, "(the record of the last sync)", before, e) == 0)
		r = 0;
	if (r < 0) {
		wg_device_free(*after);
		*after = NULL;
	}
	mini_free(&om);
	mini_free(&nm);
	return r;
}
