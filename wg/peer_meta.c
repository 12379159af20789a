/* A peer's name, expiry and disabled mark as comments (wg/peer_meta.h). */
#include "wg/peer_meta.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/err.h"
#include "wg/conf_edit.h"

const char *const wg_meta_keys[] = {NULL, "Name", "Expires", "Disabled"};

enum wg_meta_kind wg_meta_comment(const char *text, const struct conf_tok *t, size_t *vs, size_t *ve)
{
	size_t p = t->lead + 1, ks, ke;

	if (t->kind != CONF_LEX_COMMENT)
		return WG_META_NONE;
	while (p < t->end && conf_is_ws(text[p]))
		p++;
	ks = p;
	while (p < t->end && ((text[p] >= 'a' && text[p] <= 'z') || (text[p] >= 'A' && text[p] <= 'Z')))
		p++;
	ke = p;
	while (p < t->end && conf_is_ws(text[p]))
		p++;
	if (ke == ks || p >= t->end || text[p] != '=')
		return WG_META_NONE;
	p++;
	while (p < t->end && conf_is_ws(text[p]))
		p++;
	*vs = p;
	p = t->end;
	while (p > *vs && conf_is_ws(text[p - 1]))
		p--;
	*ve = p;
	for (int k = WG_META_NAME; k <= WG_META_DISABLED; k++) {
		const char *w = wg_meta_keys[k];
		size_t n = strlen(w), i;

		if (n != ke - ks)
			continue;
		for (i = 0; i < n && conf_lower(text[ks + i]) == conf_lower(w[i]); i++)
			;
		if (i == n)
			return (enum wg_meta_kind)k;
	}
	return WG_META_NONE;
}

const char *wg_peer_name_invalid(const char *s, size_t n)
{
	if (n == 0)
		return "empty";
	if (n > WG_PEER_NAME_MAX)
		return "longer than 63 characters";
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == '@' || c == '-'))
			return "only letters, digits and _ . @ - are allowed";
	}
	return NULL;
}

static int digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * civil-from-days inverse, in integers). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : md[m - 1];
}

int wg_time_parse(const char *s, size_t n, int64_t *out)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;

	if (n != 10 && n != 20)
		return -1;
	if (s[4] != '-' || s[7] != '-' || digits(s, 4, &y) < 0 || digits(s + 5, 2, &mo) < 0 ||
	    digits(s + 8, 2, &d) < 0)
		return -1;
	if (n == 20 && (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' || digits(s + 11, 2, &h) < 0 ||
			digits(s + 14, 2, &mi) < 0 || digits(s + 17, 2, &sec) < 0))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || sec > 59)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

char *wg_time_fmt(int64_t t, char *out, size_t sz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(out, sz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, sz, "?");
	return out;
}

static bool inactive(const struct wg_peer *p, void *arg)
{
	return !wg_peer_active(p, *(const int64_t *)arg);
}

void wg_device_drop_inactive(struct wg_device *dev, int64_t now)
{
	wg_device_remove_peers_if(dev, inactive, &now);
}

void wg_device_copy_meta(struct wg_device *live, const struct wg_device *conf)
{
	for (size_t i = 0; conf && i < live->n_peers; i++) {
		struct wg_peer *p = &live->peers[i];
		const struct wg_peer *c = wg_device_find_peer(conf, p->public_key);

		if (!c)
			continue;
		memcpy(p->name, c->name, sizeof(p->name));
		p->expires = c->expires;
		p->disabled = c->disabled;
	}
}

int64_t wg_device_next_expiry(const struct wg_device *dev, int64_t now)
{
	int64_t next = 0;

	for (size_t i = 0; dev && i < dev->n_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];
		if (!p->disabled && p->expires > now && (!next || p->expires < next))
			next = p->expires;
	}
	return next;
}

/* The meta kind of line I of DOC. */
static enum wg_meta_kind line_kind(const struct conf_doc *doc, size_t i)
{
	struct conf_lex lx;
	struct conf_tok t;
	size_t vs, ve;

	if (doc->lines[i].kind != CONF_LINE_COMMENT)
		return WG_META_NONE;
	conf_lex_init_at(&lx, doc->lines[i].text, 0, doc->lines[i].len, 0);
	if (!conf_lex_next(&lx, &t))
		return WG_META_NONE;
	return wg_meta_comment(doc->lines[i].text, &t, &vs, &ve);
}

int wg_meta_set(struct conf_doc *doc, struct conf_block *b, enum wg_meta_kind kind, const char *value,
		struct wj_err *e)
{
	char line[WG_PEER_NAME_MAX + 32];
	bool done = false;

	if (value)
		snprintf(line, sizeof(line), "# %s = %s", wg_meta_keys[kind], value);
	/* Up to the next header, as the parser reads them (conf_edit gives
	 * comments right above a header to the next block). */
	for (size_t i = b->header + 1; i < doc->n && doc->lines[i].kind != CONF_LINE_SECTION;) {
		if (line_kind(doc, i) != kind) {
			i++;
			continue;
		}
		if (value && !done) {
			if (conf_replace_line(doc, i, line, e) < 0)
				return -1;
			done = true;
			i++;
			continue;
		}
		conf_delete_line(doc, i);
		if (i < b->end)
			b->end--;
	}
	if (value && !done) {
		if (conf_insert_line(doc, b->header + 1, line, e) < 0)
			return -1;
		b->end++;
	}
	return 0;
}
