/* INI files, read line by line from memory (see util/ini.h).
 *
 * The rules are libinih's, as wgjail used to drive Debian's libinih 55
 * through that package's run-time settings (multi-line values off,
 * stop at the first error, no key without a value, comment prefixes
 * chosen by the caller, lines up to 1 MiB on the heap).  Those settings
 * are a Debian patch: the libinih every other system ships (FreeBSD's
 * devel/inih included) fixes them at its own build, with 200-byte lines,
 * so the same rules are implemented here.  tests/unit/test_ini_oracle.c
 * checks this file against Debian's libinih on the same inputs:
 *   - a line is stripped of surrounding white space; empty, or starting
 *     with a comment prefix: skipped;
 *   - "[NAME]...": a section (the text up to the first ']', at most 49
 *     bytes kept); no ']' is an error;
 *   - otherwise "NAME = VALUE" or "NAME : VALUE" split at the first '=' or
 *     ':', both trimmed; no separator is an error;
 *   - an inline comment prefix counts only after white space, and ends
 *     the section name, the name or the value there. */
#include "util/ini.h"
#include "util/err.h"
#include "util/strutil.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SECTION_MAX 50 /* libinih's MAX_SECTION, terminator included */

struct state {
	const struct wj_ini *ini;
	const char *p, *end;
	unsigned line;
	struct wj_err *e;
	const char *comment, *inline_comment; /* prefixes; inline NULL when off */
	char *buf;          /* the current line, writable */
	size_t cap;
	char section[SECTION_MAX];
	char last[256];     /* printable copy of the current line for messages */
};

static char *lskip(char *s)
{
	while (*s && wj_isspace((unsigned char)*s))
		s++;
	return s;
}

/* Cut the white space at the end of S[..END). */
static char *rstrip(char *s, char *end)
{
	while (end > s && wj_isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* The first of CHARS in S, or the first inline comment prefix that follows
 * white space, or the end of S. */
static char *find_stop(const struct state *st, char *s, const char *chars)
{
	bool was_space = false;

	for (; *s; s++) {
		if (chars && strchr(chars, *s))
			break;
		if (was_space && st->inline_comment && strchr(st->inline_comment, *s))
			break;
		was_space = wj_isspace((unsigned char)*s);
	}
	return s;
}

/* The next raw line, cleaned and copied into ST->buf.  Returns 1, 0 at the
 * end, -1 with ST->e set. */
static int next_line(struct state *st)
{
	const char *nl;
	size_t len, keep;

	if (st->p >= st->end)
		return 0;
	nl = memchr(st->p, '\n', (size_t)(st->end - st->p));
	len = nl ? (size_t)(nl - st->p) : (size_t)(st->end - st->p);
	st->line++;
	if (memchr(st->p, '\0', len))
		return wj_errf(st->e, "%s:%u: the line contains a NUL byte", st->ini->path, st->line);
	keep = len;
	if (keep && st->p[keep - 1] == '\r')
		keep--;
	if (keep + 2 > WJ_INI_MAX_LINE)
		return wj_errf(st->e, "%s:%u: line too long (%zu bytes, limit %u)", st->ini->path, st->line, keep,
			       WJ_INI_MAX_LINE - 3);
	if (keep + 1 > st->cap) {
		size_t cap = st->cap ? st->cap : 256;
		char *b;
		while (cap < keep + 1)
			cap *= 2;
		if (!(b = malloc(cap)))
			return wj_errf(st->e, "%s: out of memory", st->ini->path);
		if (st->buf) {
			sodium_memzero(st->buf, st->cap);
			free(st->buf);
		}
		st->buf = b;
		st->cap = cap;
	}
	memcpy(st->buf, st->p, keep);
	st->buf[keep] = '\0';
	st->p += len + (nl ? 1 : 0);
	/* A UTF-8 byte-order mark at the start of the file is not content. */
	if (st->line == 1 && keep >= 3 && memcmp(st->buf, "\xef\xbb\xbf", 3) == 0)
		memmove(st->buf, st->buf + 3, keep - 2);
	wj_quote(st->buf, st->last, sizeof(st->last));
	return 1;
}

/* Section headers are reported as soon as they are seen, so that even an
 * empty section is, and in order. */
static int report_section(struct state *st)
{
	char name[256], *s = st->buf, *close;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!st->ini->on_section || *s != '[' || !(close = strchr(s, ']')))
		return 0;
	n = (size_t)(close - s - 1);
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, s + 1, n);
	name[n] = '\0';
	return st->ini->on_section(st->ini->user, wj_trim(name), st->line, st->e);
}

/* One cleaned line.  Returns 0, 1 for a line that is not INI, -1 when a
 * callback failed. */
static int parse_line(struct state *st)
{
	char *start = lskip(st->buf), *end, *name, *value;
	size_t n;

	start = rstrip(start, start + strlen(start));
	if (strchr(st->comment, *start)) /* a comment, or nothing (*start == 0) */
		return 0;
	if (*start == '[') {
		end = find_stop(st, start + 1, "]");
		if (*end != ']')
			return 1;
		*end = '\0';
		for (n = 0; n < sizeof(st->section) - 1 && start[1 + n]; n++)
			st->section[n] = start[1 + n];
		st->section[n] = '\0';
		return 0;
	}
	end = find_stop(st, start, "=:");
	if (*end != '=' && *end != ':')
		return 1;
	*end = '\0';
	name = rstrip(start, end);
	value = end + 1;
	end = find_stop(st, value, NULL);
	*end = '\0';
	value = lskip(value);
	rstrip(value, end);
	if (st->ini->on_key && st->ini->on_key(st->ini->user, st->section, name, value, st->line, st->e) < 0)
		return -1;
	return 0;
}

int wj_ini_parse(const struct wj_ini *ini, const char *text, size_t len, struct wj_err *e)
{
	struct state st = {.ini = ini, .p = text, .end = text + len, .e = e};
	int r;

	st.comment = ini->comment_prefixes ? ini->comment_prefixes : "#;";
	st.inline_comment =
		ini->inline_comment_prefixes && *ini->inline_comment_prefixes ? ini->inline_comment_prefixes : NULL;
	while ((r = next_line(&st)) > 0) {
		if ((r = report_section(&st)) < 0)
			break;
		if ((r = parse_line(&st)) < 0)
			break;
		if (r > 0) {
			wj_errf(e, "%s:%u: cannot parse line '%s' (expected [Section] or Key = Value)", ini->path,
				st.line, st.last);
			r = -1;
			break;
		}
	}
	/* the line buffer and the copy kept for messages may hold anything */
	if (st.buf) {
		sodium_memzero(st.buf, st.cap);
		free(st.buf);
	}
	sodium_memzero(st.last, sizeof(st.last));
	return r < 0 ? -1 : 0;
}
