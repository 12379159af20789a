/* Line-preserving editor for wg(8) configuration files (see conf_edit.h).
 * Lines are read with the one wg0.conf lexer (wg/conf_lex.h). */
#include "wg/conf_edit.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "wg/conf_lex.h"

static const enum conf_line_kind kind_of_lex[] = {
	[CONF_LEX_BLANK] = CONF_LINE_BLANK,     [CONF_LEX_COMMENT] = CONF_LINE_COMMENT,
	[CONF_LEX_SECTION] = CONF_LINE_SECTION, [CONF_LEX_KEY] = CONF_LINE_KEY,
	[CONF_LEX_OTHER] = CONF_LINE_OTHER,
};

/* The editor's kind of a line: the lexer's, except that a key line needs
 * a key ("= x" is a line it leaves alone, as it does lines wg(8) refuses). */
static enum conf_line_kind kind_of(const struct conf_tok *t)
{
	return t->kind == CONF_LEX_KEY && t->ke == t->ks ? CONF_LINE_OTHER : kind_of_lex[t->kind];
}

/* The line TEXT[0..LEN) (no line end inside; FIRST: the file's first
 * line, where a byte-order mark may stand) as one token. */
static void lex_text(const char *text, size_t len, bool first, struct conf_tok *t)
{
	struct conf_lex lx;

	if (first)
		conf_lex_init(&lx, text, len);
	else
		conf_lex_init_at(&lx, text, 0, len, 0);
	if (!conf_lex_next(&lx, t))
		memset(t, 0, sizeof(*t)); /* an empty line: BLANK */
}

static enum conf_line_kind classify(const char *text, size_t len)
{
	struct conf_tok t;

	lex_text(text, len, false, &t);
	return kind_of(&t);
}

/* Line I of DOC as one token. */
static void lex_line(const struct conf_doc *doc, size_t i, struct conf_tok *t)
{
	const struct conf_line *l = &doc->lines[i];

	lex_text(l->text, l->len, i == 0 && !l->own, t);
}

static int grow(struct conf_doc *doc, size_t need, struct wj_err *e)
{
	struct conf_line *nl;
	size_t cap;

	if (need <= doc->cap)
		return 0;
	cap = doc->cap ? doc->cap : 64;
	while (cap < need)
		cap *= 2;
	nl = realloc(doc->lines, cap * sizeof(*nl));
	if (!nl)
		return wj_errnof(e, ENOMEM, "config editor");
	doc->lines = nl;
	doc->cap = cap;
	return 0;
}

int conf_doc_load(struct conf_doc *doc, const char *text, size_t len, struct wj_err *e)
{
	struct conf_lex lx;
	struct conf_tok t;
	size_t n_crlf = 0, n_lf = 0;

	memset(doc, 0, sizeof(*doc));
	/* A guess at the line count keeps reallocations rare on big files. */
	if (grow(doc, len / 24 + 16, e) < 0)
		return -1;
	conf_lex_init(&lx, text, len);
	while (conf_lex_next(&lx, &t)) {
		struct conf_line *l;

		if (grow(doc, doc->n + 1, e) < 0) {
			conf_doc_free(doc);
			return -1;
		}
		l = &doc->lines[doc->n++];
		l->own = NULL;
		l->eol = (t.flags & CONF_LEX_EOL) != 0;
		l->crlf = (t.flags & CONF_LEX_CRLF) != 0;
		l->text = text + t.off;
		l->len = t.end - t.off;
		l->kind = kind_of(&t);
		if (l->crlf)
			n_crlf++;
		else if (l->eol)
			n_lf++;
	}
	doc->crlf = n_crlf > n_lf;
	return 0;
}

static void line_release(struct conf_line *l)
{
	if (l->own) {
		sodium_memzero(l->own, l->len);
		free(l->own);
		l->own = NULL;
	}
}

void conf_doc_free(struct conf_doc *doc)
{
	for (size_t i = 0; i < doc->n; i++)
		line_release(&doc->lines[i]);
	free(doc->lines);
	memset(doc, 0, sizeof(*doc));
}

char *conf_doc_text(const struct conf_doc *doc, size_t *len)
{
	size_t total = 0, pos = 0;
	char *out;

	for (size_t i = 0; i < doc->n; i++)
		total += doc->lines[i].len + (doc->lines[i].eol ? (doc->lines[i].crlf ? 2 : 1) : 0);
	out = malloc(total + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < doc->n; i++) {
		const struct conf_line *l = &doc->lines[i];
		if (l->len)
			memcpy(out + pos, l->text, l->len);
		pos += l->len;
		if (l->eol) {
			if (l->crlf)
				out[pos++] = '\r';
			out[pos++] = '\n';
		}
	}
	out[pos] = '\0';
	*len = pos;
	return out;
}

void conf_doc_free_text(char *text, size_t len)
{
	if (text) {
		sodium_memzero(text, len);
		free(text);
	}
}

bool conf_line_section(const struct conf_doc *doc, size_t i, char *name, size_t namesz)
{
	struct conf_tok t;
	char buf[64];
	size_t n;

	if (i >= doc->n || doc->lines[i].kind != CONF_LINE_SECTION)
		return false;
	lex_line(doc, i, &t);
	if (t.kind != CONF_LEX_SECTION ||
	    conf_lex_squeeze(doc->lines[i].text + t.lead, t.code - t.lead, buf, sizeof(buf)) >= sizeof(buf))
		return false;
	n = strlen(buf);
	if (n < 2 || buf[n - 1] != ']' || n - 2 >= namesz)
		return false;
	for (size_t k = 1; k + 1 < n; k++)
		name[k - 1] = conf_lower(buf[k]);
	name[n - 2] = '\0';
	return true;
}

bool conf_line_is_key(const struct conf_doc *doc, size_t i, const char *key)
{
	struct conf_tok t;
	char lkey[64];
	size_t n = strlen(key);

	if (i >= doc->n || doc->lines[i].kind != CONF_LINE_KEY || n >= sizeof(lkey))
		return false;
	for (size_t k = 0; k <= n; k++)
		lkey[k] = conf_lower(key[k]);
	lex_line(doc, i, &t);
	return conf_lex_key_is(doc->lines[i].text, &t, lkey);
}

bool conf_line_value(const struct conf_doc *doc, size_t i, char *out, size_t outsz)
{
	struct conf_tok t;

	if (i >= doc->n || doc->lines[i].kind != CONF_LINE_KEY || outsz == 0)
		return false;
	lex_line(doc, i, &t);
	return t.kind == CONF_LEX_KEY && conf_lex_squeeze(doc->lines[i].text + t.vs, t.ve - t.vs, out, outsz) < outsz;
}

/* The first line of the block whose header is at H: the comment lines
 * directly above it. */
static size_t attached_start(const struct conf_doc *doc, size_t h, size_t floor)
{
	size_t s = h;

	while (s > floor && doc->lines[s - 1].kind == CONF_LINE_COMMENT)
		s--;
	return s;
}

static void block_at(const struct conf_doc *doc, size_t h, size_t prev_end, struct conf_block *b)
{
	size_t j = h + 1;

	while (j < doc->n && doc->lines[j].kind != CONF_LINE_SECTION)
		j++;
	b->header = h;
	b->first = attached_start(doc, h, prev_end);
	b->end = j < doc->n ? attached_start(doc, j, h + 1) : doc->n;
}

static bool block_has_key(const struct conf_doc *doc, const struct conf_block *b, const char *want)
{
	bool found = false;

	for (size_t i = b->header + 1; i < b->end; i++) {
		char v[WG_KEY_B64_LEN + 2];

		if (!conf_line_is_key(doc, i, "PublicKey"))
			continue;
		/* The last PublicKey line of a section is the one wg(8) uses.
		 * Keys are compared as text: wg(8) accepts only the canonical
		 * base64 form, so equal keys are equal strings. */
		found = conf_line_value(doc, i, v, sizeof(v)) && strcmp(v, want) == 0;
	}
	return found;
}

static int find_section(const struct conf_doc *doc, const char *want, const uint8_t *key, size_t from,
			struct conf_block *b)
{
	size_t prev_end = 0;
	char kb[WG_KEY_B64_LEN + 1];

	if (key)
		key_to_base64(kb, key);

	for (size_t i = 0; i < doc->n; i++) {
		char name[32];

		if (!conf_line_section(doc, i, name, sizeof(name))) {
			if (doc->lines[i].kind == CONF_LINE_SECTION)
				prev_end = i + 1;
			continue;
		}
		block_at(doc, i, prev_end, b);
		prev_end = i + 1;
		if (i < from || strcmp(name, want) != 0)
			continue;
		if (!key || block_has_key(doc, b, kb))
			return 1;
	}
	return 0;
}

int conf_find_peer(const struct conf_doc *doc, const uint8_t key[WG_KEY_LEN], struct conf_block *b)
{
	return find_section(doc, "peer", key, 0, b);
}

int conf_find_peer_from(const struct conf_doc *doc, const uint8_t key[WG_KEY_LEN], size_t from,
			struct conf_block *b)
{
	return find_section(doc, "peer", key, from, b);
}

int conf_find_interface(const struct conf_doc *doc, struct conf_block *b)
{
	return find_section(doc, "interface", NULL, 0, b);
}

static void delete_lines(struct conf_doc *doc, size_t from, size_t to)
{
	if (to <= from)
		return;
	for (size_t i = from; i < to; i++)
		line_release(&doc->lines[i]);
	memmove(&doc->lines[from], &doc->lines[to], (doc->n - to) * sizeof(doc->lines[0]));
	doc->n -= to - from;
}

int conf_remove_block(struct conf_doc *doc, const struct conf_block *b, struct wj_err *e)
{
	size_t from = b->first, to = b->end;

	(void)e;
	if (from > to || to > doc->n)
		return wj_errf(e, "config editor: block out of range");
	/* Blank lines after the block go with it, unless nothing follows. */
	while (to < doc->n && doc->lines[to].kind == CONF_LINE_BLANK)
		to++;
	if (to == doc->n) {
		/* The last block: drop the blank lines that separated it. */
		to = b->end;
		while (to < doc->n && doc->lines[to].kind == CONF_LINE_BLANK)
			to++;
		while (from > 0 && doc->lines[from - 1].kind == CONF_LINE_BLANK)
			from--;
	}
	delete_lines(doc, from, to);
	return 0;
}

static int line_set(struct conf_line *l, const char *s, size_t n, struct wj_err *e)
{
	char *own = malloc(n + 1);

	if (!own)
		return wj_errnof(e, ENOMEM, "config editor");
	memcpy(own, s, n);
	own[n] = '\0';
	line_release(l);
	l->own = own;
	l->text = own;
	l->len = n;
	l->kind = classify(own, n);
	return 0;
}

static int insert_line(struct conf_doc *doc, size_t at, const char *s, struct wj_err *e)
{
	struct conf_line *l;

	if (grow(doc, doc->n + 1, e) < 0)
		return -1;
	memmove(&doc->lines[at + 1], &doc->lines[at], (doc->n - at) * sizeof(doc->lines[0]));
	doc->n++;
	l = &doc->lines[at];
	memset(l, 0, sizeof(*l));
	l->eol = true;
	l->crlf = doc->crlf;
	if (at > 0 && !doc->lines[at - 1].eol) {
		/* Inserted after a last line without a line end: that line
		 * gets one, the new last line goes without, as the file did. */
		doc->lines[at - 1].eol = true;
		doc->lines[at - 1].crlf = doc->crlf;
		l->eol = false;
	}
	if (line_set(l, s, strlen(s), e) < 0) {
		delete_lines(doc, at, at + 1);
		return -1;
	}
	return 0;
}

/* Replace the value of key line L by VALUE, keeping the rest. */
static int replace_value(struct conf_line *l, const char *value, struct wj_err *e)
{
	struct conf_tok t;
	size_t vs, ve, vl = strlen(value), n;
	char *buf;
	int r;

	lex_text(l->text, l->len, false, &t);
	if (t.kind != CONF_LEX_KEY)
		return wj_errf(e, "config editor: not a key line");
	vs = t.vs;
	ve = t.ve;
	n = vs + vl + (l->len - ve);
	/* A comment right after the value needs a separating blank. */
	buf = malloc(n + 2);
	if (!buf)
		return wj_errnof(e, ENOMEM, "config editor");
	memcpy(buf, l->text, vs);
	memcpy(buf + vs, value, vl);
	if (ve < l->len && l->text[ve] == '#' && vl > 0) {
		buf[vs + vl] = ' ';
		memcpy(buf + vs + vl + 1, l->text + ve, l->len - ve);
		n++;
	} else {
		memcpy(buf + vs + vl, l->text + ve, l->len - ve);
	}
	r = line_set(l, buf, n, e);
	sodium_memzero(buf, n);
	free(buf);
	return r;
}

int conf_set_value(struct conf_doc *doc, struct conf_block *b, const char *key, const char *value,
		   struct wj_err *e)
{
	size_t last_key = b->header, changed = 0;
	char *line;
	size_t ll;
	int r;

	for (size_t i = b->header + 1; i < b->end; i++) {
		if (doc->lines[i].kind == CONF_LINE_KEY)
			last_key = i;
		if (!conf_line_is_key(doc, i, key))
			continue;
		if (replace_value(&doc->lines[i], value, e) < 0)
			return -1;
		changed++;
	}
	if (changed)
		return (int)changed;
	ll = strlen(key) + strlen(value) + 4;
	line = malloc(ll);
	if (!line)
		return wj_errnof(e, ENOMEM, "config editor");
	snprintf(line, ll, "%s = %s", key, value);
	r = insert_line(doc, last_key + 1, line, e);
	sodium_memzero(line, ll);
	free(line);
	if (r < 0)
		return -1;
	b->end++;
	return 1;
}

int conf_scan(const char *text, size_t len, conf_scan_fn fn, void *arg, size_t *n_crlf, size_t *n_lf)
{
	char section[32] = "", key[64], value[256];
	size_t crlf = 0, lf = 0, v;
	struct conf_lex lx;
	struct conf_tok t;
	int r = 0;

	conf_lex_init(&lx, text, len);
	while (conf_lex_next(&lx, &t)) {
		if (t.flags & CONF_LEX_EOL) {
			if (t.flags & CONF_LEX_CRLF)
				crlf++;
			else
				lf++;
		}
		if (t.kind == CONF_LEX_SECTION) {
			/* the name: what stands between '[' and the first ']' */
			const char *open = text + t.lead + 1, *close = memchr(open, ']', t.code - t.lead - 1);
			size_t k = conf_lex_squeeze(open, close ? (size_t)(close - open) : t.code - t.lead - 1, section,
						    sizeof(section));
			for (size_t j = 0; j < k && j + 1 < sizeof(section); j++)
				section[j] = conf_lower(section[j]);
			if ((r = fn(arg, section, NULL, NULL, t.line)) != 0)
				break;
			continue;
		}
		if (t.kind != CONF_LEX_KEY || conf_lex_squeeze(text + t.ks, t.ke - t.ks, key, sizeof(key)) == 0)
			continue;
		v = conf_lex_squeeze(text + t.vs, t.ve - t.vs, value, sizeof(value));
		r = fn(arg, section, key, value, t.line);
		sodium_memzero(value, v < sizeof(value) ? v : sizeof(value));
		if (r)
			break;
	}
	if (n_crlf)
		*n_crlf = crlf;
	if (n_lf)
		*n_lf = lf;
	return r;
}

int conf_insert_line(struct conf_doc *doc, size_t at, const char *line, struct wj_err *e)
{
	if (at > doc->n)
		return wj_errf(e, "config editor: line out of range");
	return insert_line(doc, at, line, e);
}

int conf_replace_line(struct conf_doc *doc, size_t at, const char *line, struct wj_err *e)
{
	if (at >= doc->n)
		return wj_errf(e, "config editor: line out of range");
	return line_set(&doc->lines[at], line, strlen(line), e);
}

void conf_delete_line(struct conf_doc *doc, size_t at)
{
	if (at < doc->n)
		delete_lines(doc, at, at + 1);
}
