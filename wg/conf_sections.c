/* Cutting a wg0.conf into sections (see wg/conf_sections.h).  Lines come
 * from the one wg0.conf lexer (wg/conf_lex.h): a section starts where the
 * parser's does, and a key is read as the parser reads it. */
#include "wg/conf_sections.h"

#include "wg/conf_keytab.h"
#include "wg/conf_lex.h"
#include "util/array.h"

#include <stdlib.h>
#include <string.h>

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


/* The kind of a header line, or -1 for one the parser refuses. */
static int header_kind(const char *text, const struct conf_tok *t)
{
	switch (conf_lex_section(text, t)) {
	case CONF_SEC_INTERFACE:
		return CONF_IFACE;
	case CONF_SEC_PEER:
		return CONF_PEER;
	default:
		return -1;
	}
}

void wg_conf_sections_free(struct conf_sections *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int push(struct conf_sections *s, size_t off, size_t len, size_t key, int kind)
{
	void *p = wj_grow(s->v, &s->cap, s->n, sizeof(*s->v), 64);
	if (!p)
		return -1;
	s->v = p;
	s->v[s->n++] = (struct conf_span){(uint32_t)off, (uint32_t)len, (uint32_t)key, (uint32_t)kind};
	if (kind == CONF_PEER)
		s->n_peers++;
	return 0;
}

struct cutter {
	const char *text;
	bool file_start; /* the text cut starts the file */
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

/* A key line of an open [Peer] section.  1 = unsure. */
static int peer_line(struct cutter *c, const struct conf_tok *t)
{
	const char *v = c->text + t->vs;
	size_t n = t->ve - t->vs;

	if (conf_lex_key_is(c->text, t, "publickey")) {
		if (n != WG_KEY_B64_LEN || !canonical_b64_key(v)) /* (44 base64 digits: no blank inside) */
			return 1;
		c->key = t->vs;
		c->keys++;
	} else if (conf_lex_key_is(c->text, t, "endpoint")) {
		if (!numeric_endpoint(v, n)) /* (a blank inside is not numeric either) */
			c->s->hostname = true;
	}
	return 0;
}

/* The cut refuses what the parser refuses on sight (a NUL, a long line,
 * the byte-order mark, a line that is neither a header nor a key) and a
 * header other than [Interface] or [Peer]. */
static int cut(struct cutter *c, size_t from, size_t to)
{
	struct conf_lex lx;
	struct conf_tok t;
	int r, k;

	if (to >= UINT32_MAX)
		return 1;
	if (c->file_start)
		conf_lex_init(&lx, c->text, to);
	else
		conf_lex_init_at(&lx, c->text, from, to, 0);
	c->kind = CONF_PREAMBLE;
	c->start = from;
	c->key = 0;
	while (conf_lex_next(&lx, &t)) {
		if ((t.flags & (CONF_LEX_NUL | CONF_LEX_BOM | CONF_LEX_LONG)) || t.kind == CONF_LEX_OTHER)
			return 1;
		if (t.kind == CONF_LEX_SECTION) {
			if ((k = header_kind(c->text, &t)) < 0)
				return 1;
			if ((r = close_section(c, t.off)) != 0)
				return r;
			c->kind = k;
			c->start = t.off;
			c->keys = 0;
			c->key = 0;
		} else if (t.off == from && !c->file_start) {
			return 1; /* a region starts with a header */
		} else if (c->kind == CONF_PEER && t.kind == CONF_LEX_KEY && (r = peer_line(c, &t)) != 0) {
			return r;
		}
	}
	return close_section(c, to);
}

bool wg_conf_header_at(const char *text, size_t at, size_t to)
{
	struct conf_lex lx;
	struct conf_tok t;

	if (at >= to)
		return false;
	conf_lex_init_at(&lx, text, at, to, 0);
	return conf_lex_next(&lx, &t) && !(t.flags & (CONF_LEX_NUL | CONF_LEX_LONG)) && t.kind == CONF_LEX_SECTION &&
	       header_kind(text, &t) >= 0;
}

int wg_conf_sections_region(const char *text, size_t from, size_t to, bool file_start, struct conf_sections *s)
{
	struct cutter c = {.text = text, .file_start = file_start && from == 0, .s = s};

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
	r = wg_conf_sections_region(text, 0, len, true, s);
	if (r == 0 && unique)
		r = check_unique(text, s);
	if (r != 0)
		wg_conf_sections_free(s);
	return r < 0 ? -1 : r;
}

int wg_conf_spans_check(const struct conf_span *v, size_t n, size_t textlen, bool file_start)
{
	size_t at = 0;

	if ((n == 0) != (textlen == 0))
		return WG_SECTIONS_UNSURE;
	for (size_t i = 0; i < n; i++) {
		const struct conf_span *x = &v[i];
		if (x->off != at || x->len == 0 || x->len > textlen - at || x->kind > CONF_PEER ||
		    (x->kind == CONF_PREAMBLE && (i > 0 || !file_start)) ||
		    (x->kind == CONF_PEER && (x->key < x->off || x->len - (x->key - x->off) < WG_KEY_B64_LEN)))
			return WG_SECTIONS_UNSURE;
		at += x->len;
	}
	return at == textlen ? WG_SECTIONS_OK : WG_SECTIONS_UNSURE;
}
