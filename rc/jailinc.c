/* Does the host's jail.conf include a jail's file? (see rc/gen.h)
 *
 * With jail_enable="YES" and an empty jail_list, rc.d/jail runs
 * `jail -f /etc/jail.conf -c`: every jail jail(8) finds there, and since
 * FreeBSD 14 that includes the files named by `.include "PATTERN";`
 * (a file name or a glob(3) pattern, absolute or relative to the
 * including file's directory; no variables).  A jail provisioned into
 * /etc/jail.conf.d/NAME.conf is then started by rc.d/jail though no list
 * names it, and `wgjail boot` must not start it too.
 *
 * Only what decides that is read: jail.conf's tokens as jail(8)'s lexer
 * cuts them (blanks, `#` and `//` comments to the end of the line,
 * `/ * ... * /` comments, double-quoted strings with backslash escapes,
 * single-quoted strings taken literally, words, and the punctuation
 * `; { } = , +`), and each `.include` with its file name and `;`.  A
 * pattern is matched against the jail's file with fnmatch(3) as glob(3)
 * would match it: '/' and a leading '.' only literally.  Every other
 * pattern goes to the caller's struct rc_jail_conf_follow, which reads the
 * files it names and their own .include lines (jail(8) follows them, up
 * to 32 deep): this file does no I/O. */
#include "rc/gen.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/strutil.h"

#define TOKMAX 1024

struct lex {
	const char *p, *end, *path;
	size_t line;
};

enum tok { T_END, T_WORD, T_STRING, T_PUNCT, T_ERR };

/* Blanks and comments.  -1 with E set: a comment that does not end. */
static int skip(struct lex *l, struct wj_err *e)
{
	while (l->p < l->end) {
		const char *p = l->p;
		if (*p == '\n') {
			l->line++;
			l->p++;
		} else if (wj_isspace((unsigned char)*p)) {
			l->p++;
		} else if (*p == '#' || (*p == '/' && p + 1 < l->end && p[1] == '/')) {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
		} else if (*p == '/' && p + 1 < l->end && p[1] == '*') {
			size_t at = l->line;
			for (l->p += 2; l->p + 1 < l->end && !(l->p[0] == '*' && l->p[1] == '/'); l->p++)
				l->line += *l->p == '\n';
			if (l->p + 1 >= l->end)
				return wj_errf(e, "%s:%zu: a comment that does not end", l->path, at);
			l->p += 2;
		} else {
			break;
		}
	}
	return 0;
}

/* A quoted string from l->p (its quote) into TOK; a backslash escapes the
 * next byte in "...", nothing in '...'.  TOK is cut at TOKMAX - 1 bytes
 * (*LONG then set). */
static enum tok quoted(struct lex *l, char *tok, bool *lng, struct wj_err *e)
{
	char q = *l->p++;
	size_t n = 0, at = l->line;

	while (l->p < l->end && *l->p != q) {
		if (q == '"' && *l->p == '\\' && l->p + 1 < l->end)
			l->p++;
		l->line += *l->p == '\n';
		if (n < TOKMAX - 1)
			tok[n++] = *l->p;
		else
			*lng = true;
		l->p++;
	}
	tok[n] = '\0';
	if (l->p >= l->end) {
		wj_errf(e, "%s:%zu: a string that does not end", l->path, at);
		return T_ERR;
	}
	l->p++;
	return T_STRING;
}

/* The next token into TOK (NUL-terminated; a punctuation byte alone). */
static enum tok next(struct lex *l, char *tok, bool *lng, struct wj_err *e)
{
	size_t n = 0;

	*lng = false;
	tok[0] = '\0';
	if (skip(l, e) < 0)
		return T_ERR;
	if (l->p >= l->end)
		return T_END;
	if (*l->p == '"' || *l->p == '\'')
		return quoted(l, tok, lng, e);
	if (strchr(";{}=,+", *l->p)) {
		tok[0] = *l->p++;
		tok[1] = '\0';
		return T_PUNCT;
	}
	while (l->p < l->end && !wj_isspace((unsigned char)*l->p) && !strchr(";{}=,+\"'#", *l->p) &&
	       !(*l->p == '/' && l->p + 1 < l->end && (l->p[1] == '/' || l->p[1] == '*'))) {
		if (n < TOKMAX - 1)
			tok[n++] = *l->p;
		else
			*lng = true;
		l->p++;
	}
	tok[n] = '\0';
	return T_WORD;
}

/* PAT made absolute (relative to CONF's directory), with "//" and "/./"
 * folded as glob(3) would walk them and "/../" taking the component before
 * it away (as glob(3) walks it unless that is a link), into OUT.  -1: too
 * long. */
static int absolute(const char *pat, const char *conf, char *out, size_t sz)
{
	char tmp[2 * TOKMAX + 8];
	const char *slash = strrchr(conf, '/');
	size_t o = 0;

	if (pat[0] == '/')
		snprintf(tmp, sizeof(tmp), "%s", pat);
	else if (snprintf(tmp, sizeof(tmp), "%.*s/%s", slash ? (int)(slash - conf) : 1, slash ? conf : ".", pat) >=
		 (int)sizeof(tmp))
		return -1;
	for (const char *p = tmp; *p; p++) {
		if (*p == '/' && o && out[o - 1] == '/')
			continue;
		if (*p == '.' && o && out[o - 1] == '/' && (p[1] == '/' || p[1] == '\0')) {
			p += p[1] == '/';
			continue;
		}
		if (*p == '.' && p[1] == '.' && o && out[o - 1] == '/' && (p[2] == '/' || p[2] == '\0')) {
			if (o > 1)
				for (o--; o > 1 && out[o - 1] != '/';)
					o--;
			p += 1 + (p[2] == '/');
			continue;
		}
		if (o + 1 >= sz)
			return -1;
		out[o++] = *p;
	}
	out[o] = '\0';
	return 0;
}

int rc_jail_conf_includes(const char *text, size_t len, const char *path, const char *conf, const char *file,
			  const struct rc_jail_conf_follow *follow, struct wj_err *e)
{
	struct lex l = {text, text + len, path, 1};
	char tok[TOKMAX], pat[2 * TOKMAX + 8], q[80];
	bool lng;
	enum tok t;
	int r;

	while ((t = next(&l, tok, &lng, e)) != T_END) {
		size_t at = l.line;
		if (t == T_ERR)
			return -1;
		if (t != T_WORD || strcmp(tok, ".include"))
			continue;
		t = next(&l, tok, &lng, e);
		if (t == T_ERR)
			return -1;
		if ((t != T_WORD && t != T_STRING) || !tok[0])
			return wj_errf(e, "%s:%zu: .include is not followed by a file name", path, at);
		if (lng || absolute(tok, conf, pat, sizeof(pat)) < 0)
			return wj_errf(e, "%s:%zu: .include names a path that is too long", path, at);
		if (strchr(pat, '$'))
			return wj_errf(e, "%s:%zu: .include \"%s\" names a variable, which jail(8) does not expand",
				       path, at, wj_quote(tok, q, sizeof(q)));
		if ((t = next(&l, tok, &lng, e)) == T_ERR)
			return -1;
		if (t != T_PUNCT || tok[0] != ';')
			return wj_errf(e, "%s:%zu: .include \"%s\" does not end with ';'", path, at,
				       wj_quote(pat, q, sizeof(q)));
		if (fnmatch(pat, file, FNM_PATHNAME | FNM_PERIOD) == 0)
			return 1;
		if (follow && (r = follow->other(follow->arg, pat, e)) != 0)
			return r;
	}
	return 0;
}
