/* The wg0.conf lexer (see wg/conf_lex.h).  Per line: one memchr for the
 * line end, one for '#', one for '=', and the trims; the bytes between are
 * left to whoever reads them. */
#include "wg/conf_lex.h"

#include <string.h>
#include <strings.h>

const unsigned char conf_lex_ws[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
};

static const char bom[] = "\xef\xbb\xbf";

void conf_lex_init_at(struct conf_lex *lx, const char *text, size_t from, size_t to, unsigned line)
{
	lx->text = text;
	lx->pos = from;
	lx->len = to;
	lx->line = line;
	lx->nul = true; /* not known: each line is looked at */
	lx->file = false;
}

void conf_lex_init(struct conf_lex *lx, const char *text, size_t len)
{
	conf_lex_init_at(lx, text, 0, len, 0);
	lx->nul = memchr(text, '\0', len) != NULL;
	lx->file = true;
}

/* KEY = VALUE in S[lead..code), '=' at EQ. */
static void key_value(const char *s, struct conf_tok *t, size_t eq)
{
	size_t ke = eq, vs = eq + 1, ve = t->code;

	while (ke > t->lead && conf_lex_ws[(unsigned char)s[ke - 1]])
		ke--;
	while (vs < ve && conf_lex_ws[(unsigned char)s[vs]])
		vs++;
	while (ve > vs && conf_lex_ws[(unsigned char)s[ve - 1]])
		ve--;
	t->ks = t->lead;
	t->ke = ke;
	t->vs = vs;
	t->ve = ve;
}

bool conf_lex_next(struct conf_lex *lx, struct conf_tok *t)
{
	const char *s = lx->text, *nl, *hash, *eq;
	size_t pos = lx->pos, end, keep, start;

	if (pos >= lx->len)
		return false;
	nl = memchr(s + pos, '\n', lx->len - pos);
	end = nl ? (size_t)(nl - s) : lx->len;
	t->off = pos;
	t->next = nl ? end + 1 : end;
	t->line = ++lx->line;
	t->flags = 0;
	t->ks = t->ke = t->vs = t->ve = 0;
	/* The parser's length of a line: a last '\r' never counts. */
	keep = end > pos && s[end - 1] == '\r' ? end - 1 : end;
	if (nl) {
		t->flags |= CONF_LEX_EOL;
		if (keep < end)
			t->flags |= CONF_LEX_CRLF;
		end = keep;
	}
	t->end = end;
	if (keep - pos > CONF_LEX_MAX_LINE)
		t->flags |= CONF_LEX_LONG;
	if (lx->nul && memchr(s + pos, '\0', end - pos))
		t->flags |= CONF_LEX_NUL;
	start = pos;
	if (pos == 0 && lx->file && end >= 3 && memcmp(s, bom, 3) == 0) {
		t->flags |= CONF_LEX_BOM;
		start = 3;
	}
	hash = memchr(s + start, '#', end - start);
	t->code = hash ? (size_t)(hash - s) : end;
	t->lead = start;
	while (t->lead < t->code && conf_lex_ws[(unsigned char)s[t->lead]])
		t->lead++;
	lx->pos = t->next;
	if (t->lead == t->code) {
		t->kind = hash ? CONF_LEX_COMMENT : CONF_LEX_BLANK;
		return true;
	}
	if (s[t->lead] == '[') {
		t->kind = CONF_LEX_SECTION;
		return true;
	}
	eq = memchr(s + t->lead, '=', t->code - t->lead);
	if (!eq) {
		t->kind = CONF_LEX_OTHER;
		return true;
	}
	t->kind = CONF_LEX_KEY;
	key_value(s, t, (size_t)(eq - s));
	return true;
}

size_t conf_lex_squeeze(const char *s, size_t n, char *out, size_t outsz)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		if (conf_lex_ws[(unsigned char)s[i]])
			continue;
		if (w + 1 < outsz)
			out[w] = s[i];
		w++;
	}
	out[w < outsz ? w : outsz - 1] = '\0';
	return w;
}

bool conf_lex_squeezed_is(const char *s, size_t n, const char *lword)
{
	for (size_t i = 0; i < n; i++) {
		if (conf_lex_ws[(unsigned char)s[i]])
			continue;
		if (!*lword || conf_lower(s[i]) != *lword)
			return false;
		lword++;
	}
	return *lword == '\0';
}

bool conf_lex_key_is(const char *text, const struct conf_tok *t, const char *lname)
{
	const char *k = text + t->ks;
	size_t n = t->ke - t->ks;

	if (t->kind != CONF_LEX_KEY)
		return false;
	/* As written, until a blank says the slow way is needed. */
	for (size_t i = 0; i < n; i++) {
		if (!lname[i] || conf_lower(k[i]) != lname[i])
			return conf_lex_ws[(unsigned char)k[i]] && conf_lex_squeezed_is(k, n, lname);
	}
	return lname[n] == '\0';
}

/* Does the squeezed text S[0..N) start with LWORD (any case)?  Sets *MORE
 * when something non-blank follows it. */
static bool squeezed_starts(const char *s, size_t n, const char *lword, bool *more)
{
	size_t i = 0;

	for (; *lword; lword++) {
		while (i < n && conf_lex_ws[(unsigned char)s[i]])
			i++;
		if (i == n || conf_lower(s[i]) != *lword)
			return false;
		i++;
	}
	while (i < n && conf_lex_ws[(unsigned char)s[i]])
		i++;
	*more = i < n;
	return true;
}

enum conf_lex_section conf_lex_section(const char *text, const struct conf_tok *t)
{
	const char *s = text + t->lead;
	size_t n = t->code - t->lead;
	bool more = false;

	/* the usual spellings first: "[Peer]", "[Interface]", any case */
	while (n && conf_lex_ws[(unsigned char)s[n - 1]])
		n--;
	if (n == 6 && s[5] == ']' && !strncasecmp(s, "[peer]", 6))
		return CONF_SEC_PEER;
	if (n == 11 && s[10] == ']' && !strncasecmp(s, "[interface]", 11))
		return CONF_SEC_INTERFACE;
	if (!memchr(s, ']', n))
		return CONF_SEC_UNCLOSED;
	if (squeezed_starts(s, n, "[interface]", &more))
		return more ? CONF_SEC_TRAILING : CONF_SEC_INTERFACE;
	if (squeezed_starts(s, n, "[peer]", &more))
		return more ? CONF_SEC_TRAILING : CONF_SEC_PEER;
	return CONF_SEC_UNKNOWN;
}
