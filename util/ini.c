#include "util/ini.h"
#include "util/err.h"
#include "util/strutil.h"

#include <ini.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct state {
	const struct wj_ini *ini;
	const char *p, *end;
	unsigned line;
	struct wj_err *e;
	bool failed;        /* our callback or reader set E */
	char last[256];     /* printable copy of the current line for messages */
};

static char *reader(char *str, int num, void *stream)
{
	struct state *st = stream;
	const char *nl;
	size_t len, keep;

	if (st->failed || st->p >= st->end)
		return NULL;
	nl = memchr(st->p, '\n', (size_t)(st->end - st->p));
	len = nl ? (size_t)(nl - st->p) : (size_t)(st->end - st->p);
	st->line++;
	if (memchr(st->p, '\0', len)) {
		wj_errf(st->e, "%s:%u: the line contains a NUL byte", st->ini->path, st->line);
		st->failed = true;
		return NULL;
	}
	keep = len;
	if (keep && st->p[keep - 1] == '\r')
		keep--;
	if (keep + 2 > (size_t)num) {
		wj_errf(st->e, "%s:%u: line too long (%zu bytes, limit %u)", st->ini->path, st->line, keep,
			WJ_INI_MAX_LINE - 3);
		st->failed = true;
		return NULL;
	}
	memcpy(str, st->p, keep);
	str[keep] = '\0';
	st->p += len + (nl ? 1 : 0);
	/* A UTF-8 byte-order mark at the start of the file is not content. */
	if (st->line == 1 && keep >= 3 && memcmp(str, "\xef\xbb\xbf", 3) == 0)
		memmove(str, str + 3, keep - 2);
	wj_quote(str, st->last, sizeof(st->last));
	/* Section headers are seen here, so that even an empty section is
	 * reported, and in order. */
	if (st->ini->on_section) {
		char *s = str;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (close) {
				char name[256];
				size_t n = (size_t)(close - s - 1);
				if (n >= sizeof(name))
					n = sizeof(name) - 1;
				memcpy(name, s + 1, n);
				name[n] = '\0';
				if (st->ini->on_section(st->ini->user, wj_trim(name), st->line, st->e) < 0) {
					st->failed = true;
					return NULL;
				}
			}
		}
	}
	strcat(str, "\n");
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct state *st = user;

	if (st->failed)
		return 0;
	if (st->ini->on_key &&
	    st->ini->on_key(st->ini->user, section, name, value ? value : "", st->line, st->e) < 0) {
		st->failed = true;
		return 0;
	}
	return 1;
}

int wj_ini_parse(const struct wj_ini *ini, const char *text, size_t len, struct wj_err *e)
{
	struct state st = {.ini = ini, .p = text, .end = text + len, .e = e};
	int r;

	ini_allow_multiline = false;
	ini_allow_bom = false; /* handled by the reader, which sees it first */
	ini_start_comment_prefixes = (char *)(ini->comment_prefixes ? ini->comment_prefixes : "#;");
	ini_allow_inline_comments = ini->inline_comment_prefixes && *ini->inline_comment_prefixes;
	ini_inline_comment_prefixes = (char *)(ini->inline_comment_prefixes ? ini->inline_comment_prefixes : "");
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_initial_alloc = WJ_INI_MAX_LINE;
	ini_max_line = WJ_INI_MAX_LINE;
	ini_stop_on_first_error = true;
	ini_allow_no_value = false;

	r = ini_parse_stream(reader, &st, handler, &st);
	if (st.failed)
		r = -1;
	else if (r == -2)
		r = wj_errf(e, "%s: out of memory", ini->path);
	else if (r != 0)
		r = wj_errf(e, "%s:%d: cannot parse line '%s' (expected [Section] or Key = Value)", ini->path, r,
			    st.last);
	/* the copy of the last line kept for messages may hold anything */
	sodium_memzero(st.last, sizeof(st.last));
	return r;
}
