/* The properties of wg/conf_sections.h and wg/conf_delta.h, checked by the
 * fuzz target fuzz_conf_delta and by the unit test test_conf_sections:
 *   - a cut passes the check the record of the last sync applies to it;
 *   - the delta from OLD to NEW gives exactly the full cut of NEW, and is
 *     unsure exactly when that cut is - from the longest common prefix and
 *     suffix and from shorter ones;
 *   - the sections it lists are exactly those that a comparison of every
 *     key's section, done the slow way, finds different;
 *   - the cut agrees with the real parser on the set of public keys.
 * Any violation aborts (a crash for libFuzzer, a failure for cmocka).
 * conf_delta_check returns 0 when OLD has no clean cut (nothing checked),
 * 1 when both were unsure, 2 when a delta was compared. */
#ifndef WGJAIL_CONF_DELTA_CHECK_H
#define WGJAIL_CONF_DELTA_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/conf_delta.h"
#include "wg/conf_sections.h"
#include "wg/config.h"

#define CDC_FAIL(why)                                                                                                  \
	do {                                                                                                           \
		fprintf(stderr, "conf_delta_check: %s\n", why);                                                        \
		abort();                                                                                               \
	} while (0)

static const struct conf_span *cdc_find(const char *text, const struct conf_sections *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == CONF_PEER && !memcmp(text + s->v[i].key, key, WG_KEY_B64_LEN))
			return &s->v[i];
	return NULL;
}

static int cdc_listed(const size_t *v, size_t n, size_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static int cdc_same(const char *a, const struct conf_span *x, const char *b, const struct conf_span *y)
{
	return x->len == y->len && !memcmp(a + x->off, b + y->off, x->len);
}

/* The keys of the cut are the keys the parser reads. */
static void cdc_parser(const char *text, size_t len, const struct conf_sections *s)
{
	struct wg_device *dev = NULL;
	struct wj_err e = {0};
	size_t found = 0;

	if (wg_config_parse(text, len, "cdc", &dev, &e) != 0)
		return;
	for (size_t i = 0; i < s->n; i++) {
		uint8_t k[WG_KEY_LEN];
		if (s->v[i].kind != CONF_PEER)
			continue;
		if (!key_from_base64_n(k, text + s->v[i].key, WG_KEY_B64_LEN) || !wg_device_find_peer(dev, k))
			CDC_FAIL("a key of the cut is not a peer of the parse");
		found++;
	}
	if (found != dev->n_peers)
		CDC_FAIL("the parse has peers the cut does not");
	wg_device_free(dev);
}

/* One delta, shortened prefix and suffix by SHRINK eighths: against the
 * full cut FULL (RF its result) and the slow comparison. */
static void cdc_one(const char *o, size_t ol, const struct conf_sections *os, const char *n, size_t nl,
		    const struct conf_sections *full, int rf, unsigned shrink)
{
	struct conf_sections ns;
	struct conf_delta d;
	int r = wg_conf_delta_flat(o, ol, os, n, nl, shrink, &ns, &d);

	if (r < 0)
		abort(); /* out of memory */
	if ((r == WG_SECTIONS_OK) != (rf == WG_SECTIONS_OK))
		CDC_FAIL("the delta is unsure where the full cut is not, or the reverse");
	if (r != WG_SECTIONS_OK)
		return;
	if (ns.n != full->n || ns.n_peers != full->n_peers || ns.n_peers != d.n_peers ||
	    (ns.n && memcmp(ns.v, full->v, ns.n * sizeof(*ns.v))))
		CDC_FAIL("the delta's cut is not the full cut");
	if (!os->hostname && ns.hostname != full->hostname)
		CDC_FAIL("the delta's cut misses a host name");
	for (size_t i = 0; i < ns.n; i++) {
		const struct conf_span *x = &ns.v[i], *y;
		if (x->kind != CONF_PEER)
			continue;
		y = cdc_find(o, os, n + x->key);
		if (cdc_listed(d.new_idx, d.n_new, i) != !(y && cdc_same(n, x, o, y)))
			CDC_FAIL("a new section is listed wrongly");
	}
	for (size_t j = 0, gone = 0; j < os->n; j++) {
		const struct conf_span *y = &os->v[j], *x;
		if (y->kind != CONF_PEER)
			continue;
		x = cdc_find(n, &ns, o + y->key);
		gone += !x;
		if (cdc_listed(d.old_idx, d.n_old, j) != !(x && cdc_same(n, x, o, y)))
			CDC_FAIL("an old section is listed wrongly");
		if (j + 1 == os->n && gone != d.n_gone)
			CDC_FAIL("the count of gone peers is wrong");
	}
	if (shrink == 0)
		cdc_parser(n, nl, &ns);
	wg_conf_delta_free(&d);
	wg_conf_sections_free(&ns);
}

static int conf_delta_check(const char *o, size_t ol, const char *n, size_t nl)
{
	struct conf_sections os, full;
	int rf;

	if (wg_conf_sections(o, ol, true, &os) != WG_SECTIONS_OK)
		return 0; /* only a clean cut is ever recorded */
	if (wg_conf_spans_check(os.v, os.n, ol, true) != WG_SECTIONS_OK)
		CDC_FAIL("a cut does not pass its own check");
	if (ol && wg_conf_spans_check(os.v, os.n, ol - 1, true) != WG_SECTIONS_UNSURE)
		CDC_FAIL("a cut passes the check for a text of another length");
	rf = wg_conf_sections(n, nl, true, &full);
	if (rf < 0)
		abort();
	/* the longest common prefix and suffix, and shorter ones: any will do */
	cdc_one(o, ol, &os, n, nl, &full, rf, 0);
	cdc_one(o, ol, &os, n, nl, &full, rf, 1 + (unsigned)((ol + nl) % 8));
	if (rf == WG_SECTIONS_OK)
		wg_conf_sections_free(&full);
	cdc_parser(o, ol, &os);
	wg_conf_sections_free(&os);
	return rf == WG_SECTIONS_OK ? 2 : 1;
}

#endif
