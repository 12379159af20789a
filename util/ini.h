/* INI files from memory, with libinih's rules (util/ini.c says which and
 * why they are implemented here) and what libinih lacks: line numbers for
 * every key, a callback for every section header (even an empty section),
 * CRLF and a UTF-8 byte-order mark handled, lines up to WJ_INI_MAX_LINE
 * bytes, NUL bytes refused, the line buffer wiped.  Reentrant. */
#ifndef WGJAIL_INI_H
#define WGJAIL_INI_H

#include <stddef.h>

struct wj_err;

#define WJ_INI_MAX_LINE (1u << 20)

struct wj_ini {
	const char *path; /* for messages */
	/* Called for each section header, in order, before its keys.  Return
	 * 0 or -1 (with E set). */
	int (*on_section)(void *user, const char *section, unsigned line, struct wj_err *e);
	/* Called for each key = value.  Return 0 or -1 (with E set). */
	int (*on_key)(void *user, const char *section, const char *key, const char *value, unsigned line,
		      struct wj_err *e);
	/* Optional: rewrite a raw line in place (no newline, NUL-terminated)
	 * before libinih sees it, e.g. to apply wg(8)'s whitespace and comment
	 * rules. */
	void (*filter)(char *line);
	/* Characters that start a comment at the start of a line, and inline
	 * ("" for none). */
	const char *comment_prefixes;
	const char *inline_comment_prefixes;
	/* If set, a line libinih cannot parse is reported with this text
	 * instead of the line itself (for files that may hold secrets). */
	const char *syntax_error_hint;
	void *user;
};

/* Parse TEXT[0..LEN).  Errors are "PATH:LINE: ...". */
int wj_ini_parse(const struct wj_ini *ini, const char *text, size_t len, struct wj_err *e);

#endif
