/* Cutting a wg0.conf into sections (see wg/conf_sections.h).  One pass at
 * about memchr speed: only the first non-blank character of each line is
 * looked at, except for section headers and the PublicKey and Endpoint
 * lines of [Peer] sections. */
#include "wg/conf_sections.h"

#include "wg/conf_keytab.h"

#include <stdlib.h>
#include <string.h>

static const unsigned char ws_tab[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1,
};

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

const char *wg_conf_match_key(const char *p, const char *end, const char *kw)
{
	while (p < end && ws_tab[(unsigned char)*p])
		p++;
	while (*kw) {
		if (p == end)
			return NULL;
		if (ws_tab[(unsigned char)*p]) {
			p++;
			continue;
		}
		if (lower(*p++) != *kw++)
			return NULL;
	}
	while (p < end && ws_tab[(unsigned char)*p])
		p++;
	return (p < end && *p == '=') ? p + 1 : NULL;
}

/* The value at P..END as wg sees it: up to '#', blanks dropped.  Returns
 * its length, or SZ when it does not fit (OUT is then not terminated). */
static size_t squeeze(const char *p, const char *end, char *out, size_t sz)
{
	size_t n = 0;

	for (; p < end && *p != '#'; p++) {
		if (ws_tab[(unsigned char)*p])
			continue;
		if (n + 1 >= sz)
			return sz;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n;
}

static bool numeric_endpoint(const char *v, size_t n)
{
	if (n && v[0] == '[')
		return true; /* an IPv6 literal; the parser checks the rest */
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '.' || v[i] == ':'))
			return false;
	return true;
}

/* 32 bytes in canonical base64: 42 characters, one whose last two bits
 * are zero, '='.  (Checked without decoding: public keys need no
 * constant-time codec, and this runs 100,000 times on a big sync.) */
/* Base64 digit value + 1; 0 = not a digit. */
static const unsigned char b64_tab[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8, ['I'] = 9,
	['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25,
	['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33,
	['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41,
	['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
	['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
	['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* Branch-free over the 42 characters: random key text defeats a branch
 * predictor, and this runs 100,000 times on a big sync. */
static bool canonical_b64_key(const char *v)
{
	unsigned all = 1, last = b64_tab[(unsigned char)v[WG_KEY_B64_LEN - 2]];

	for (int i = 0; i < WG_KEY_B64_LEN - 2; i++)
		all &= b64_tab[(unsigned char)v[i]] != 0;
	return all && last && ((last - 1) & 3) == 0 && v[WG_KEY_B64_LEN - 1] == '=';
}


/* A header line: "[interface]" or "[peer]" once squeezed, any case. */
static int header_kind(const char *p, const char *end)
{
	char h[16];
	size_t n = squeeze(p, end, h, sizeof(h));

	if (n >= sizeof(h))
		return -1;
	for (size_t i = 0; i < n; i++)
		h[i] = lower(h[i]);
	if (!strcmp(h, "[interface]"))
		return CONF_IFACE;
	if (!strcmp(h, "[peer]"))
		return CONF_PEER;
	return -1;
}


/* The value at P..END as wg sees it (up to '#', blanks dropped), in place:
 * NULL when it has inner blanks (the cut is then unsure). */
static const char *value_of(const char *p, const char *end, size_t *n)
{
	const char *hash, *e;

	while (p < end && ws_tab[(unsigned char)*p])
		p++;
	hash = p < end ? memchr(p, '#', (size_t)(end - p)) : NULL;
	e = hash ? hash : end;
	while (e > p && ws_tab[(unsigned char)e[-1]])
		e--;
	for (const char *q = p; q < e; q++)
		if (ws_tab[(unsigned char)*q])
			return NULL;
	*n = (size_t)(e - p);
	return p;
}

void wg_conf_sections_free(struct conf_sections *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int push(struct conf_sections *s, size_t off, size_t len, size_t key, int kind)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *p = realloc(s->v, cap * sizeof(*s->v));
		if (!p)
			return -1;
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = (struct conf_span){(uint32_t)off, (uint32_t)len, (uint32_t)key, (uint32_t)kind};
	if (kind == CONF_PEER)
		s->n_peers++;
	return 0;
}

struct cutter {
	const char *text;
	struct conf_sections *s;
	int kind;     /* of the open section */
	size_t start; /* of the open section */
	int keys;     /* PublicKey lines in the open [Peer] */
	size_t key;   /* offset of its value */
};

/* Close the open section at END.  1 = unsure. */
static int close_section(struct cutter *c, size_t end)
{
	if (c->kind == CONF_PREAMBLE && end == c->start)
		return 0;
	if (c->kind == CONF_PEER && c->keys != 1)
		return 1;
	return push(c->s, c->start, end - c->start, c->key, c->kind);
}

/* A line of an open [Peer] section.  1 = unsure. */
static int peer_line(struct cutter *c, const char *p, const char *end)
{
	const char *v;
	size_t n;

	if ((v = wg_conf_match_key(p, end, "publickey"))) {
		if (!(v = value_of(v, end, &n)) || n != WG_KEY_B64_LEN || !canonical_b64_key(v))
			return 1;
		c->key = (size_t)(v - c->text);
		c->keys++;
	} else if ((v = wg_conf_match_key(p, end, "endpoint"))) {
		if (!(v = value_of(v, end, &n)) || !numeric_endpoint(v, n))
			c->s->hostname = true;
	}
	return 0;
}

static int cut(struct cutter *c, size_t from, size_t to)
{
	const char *text = c->text, *p = text + from, *end = text + to;
	int r;

	if (memchr(p, '\0', to - from) || (from == 0 && to - from >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) ||
	    to >= UINT32_MAX)
		return 1;
	c->kind = CONF_PREAMBLE;
	c->start = from;
	c->key = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q = p;

		while (q < le && ws_tab[(unsigned char)*q])
			q++;
		if (q < le && *q == '[') {
			int k = header_kind(q, le);
			if (k < 0)
				return 1;
			if ((r = close_section(c, (size_t)(p - text))) != 0)
				return r;
			c->kind = k;
			c->start = (size_t)(p - text);
			c->keys = 0;
			c->key = 0;
		} else if (p == text + from && from > 0) {
			return 1; /* a region starts with a header */
		} else if (c->kind == CONF_PEER && q < le && *q != '#' && (r = peer_line(c, q, le)) != 0) {
			return r;
		}
		p = nl ? nl + 1 : end;
	}
	return close_section(c, to);
}

int wg_conf_sections_region(const char *text, size_t from, size_t to, struct conf_sections *s)
{
	struct cutter c = {.text = text, .s = s};

	return cut(&c, from, to);
}

/* 1 if a key is used twice. */
static int check_unique(const char *text, const struct conf_sections *s)
{
	struct conf_keytab t;
	int r = 0;

	if (conf_keytab_init(&t, text, s->v, s->n_peers) < 0)
		return -1;
	for (size_t i = 0; i < s->n && !r; i++)
		if (s->v[i].kind == CONF_PEER && conf_keytab_probe(&t, text + s->v[i].key, i) != SIZE_MAX)
			r = 1;
	conf_keytab_free(&t);
	return r;
}

int wg_conf_sections(const char *text, size_t len, bool unique, struct conf_sections *s)
{
	int r;

	memset(s, 0, sizeof(*s));
	r = wg_conf_sections_region(text, 0, len, s);
	if (r == 0 && unique)
		r = check_unique(text, s);
	if (r != 0)
		wg_conf_sections_free(s);
	return r < 0 ? -1 : r;
}

int wg_conf_sections_unpack(const void *buf, size_t n, size_t textlen, struct conf_sections *s)
{
	size_t count = n / sizeof(struct conf_span), at = 0;

	memset(s, 0, sizeof(*s));
	if (n % sizeof(struct conf_span) || (count == 0) != (textlen == 0))
		return WG_SECTIONS_UNSURE;
	if (count && !(s->v = malloc(n)))
		return -1;
	if (count)
		memcpy(s->v, buf, n);
	s->n = s->cap = count;
	for (size_t i = 0; i < count; i++) {
		const struct conf_span *x = &s->v[i];
		if (x->off != at || x->len == 0 || x->len > textlen - at || x->kind > CONF_PEER ||
		    (x->kind == CONF_PREAMBLE && i > 0) ||
		    (x->kind == CONF_PEER && (x->key < x->off || x->len - (x->key - x->off) < WG_KEY_B64_LEN))) {
			wg_conf_sections_free(s);
			return WG_SECTIONS_UNSURE;
		}
		at += x->len;
		s->n_peers += x->kind == CONF_PEER;
	}
	if (at != textlen) {
		wg_conf_sections_free(s);
		return WG_SECTIONS_UNSURE;
	}
	return WG_SECTIONS_OK;
}
