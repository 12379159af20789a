/* A FreeBSD jail's path from its jail(8) file (see agent/jailroot.h).
 *
 * The subset of jail.conf(5) read here: comments (#, //, C style),
 * strings ("..." with backslash escapes, '...' without), words, the
 * punctuation { } ; = += and ",", blocks NAME { ... } of parameters, and
 * parameters outside any block (global). */
#include "agent/jailroot.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jailspec.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/strutil.h"

enum tok { T_END, T_WORD, T_LBRACE, T_RBRACE, T_SEMI, T_SET, T_ADD, T_COMMA, T_ERR };

struct lex {
	const char *p, *end, *file;
	unsigned line;
	char word[PATH_MAX];
	struct wj_err *e;
};

static int lex_err(struct lex *l, const char *what)
{
	wj_errf(l->e, "%s:%u: %s", l->file, l->line, what);
	return T_ERR;
}

static void skip_space(struct lex *l)
{
	while (l->p < l->end) {
		if (*l->p == '\n') {
			l->line++;
			l->p++;
		} else if (*l->p == ' ' || *l->p == '\t' || *l->p == '\r') {
			l->p++;
		} else if (*l->p == '#' || (*l->p == '/' && l->p + 1 < l->end && l->p[1] == '/')) {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
		} else if (*l->p == '/' && l->p + 1 < l->end && l->p[1] == '*') {
			for (l->p += 2; l->p < l->end && !(*l->p == '*' && l->p + 1 < l->end && l->p[1] == '/'); l->p++)
				l->line += *l->p == '\n';
			l->p = l->p < l->end ? l->p + 2 : l->end;
		} else {
			break;
		}
	}
}

static int lex_string(struct lex *l)
{
	char quote = *l->p++;
	size_t n = 0;

	while (l->p < l->end && *l->p != quote) {
		char c = *l->p++;
		if (c == '\n')
			l->line++;
		if (c == '\\' && quote == '"' && l->p < l->end)
			c = *l->p++;
		if (n + 1 >= sizeof(l->word))
			return lex_err(l, "string too long");
		l->word[n++] = c;
	}
	if (l->p >= l->end)
		return lex_err(l, "unterminated string");
	l->p++;
	l->word[n] = '\0';
	return T_WORD;
}

static int lex_next(struct lex *l)
{
	size_t n = 0;

	skip_space(l);
	if (l->p >= l->end)
		return T_END;
	switch (*l->p) {
	case '{': l->p++; return T_LBRACE;
	case '}': l->p++; return T_RBRACE;
	case ';': l->p++; return T_SEMI;
	case ',': l->p++; return T_COMMA;
	case '=': l->p++; return T_SET;
	case '"':
	case '\'': return lex_string(l);
	case '+':
		if (l->p + 1 < l->end && l->p[1] == '=') {
			l->p += 2;
			return T_ADD;
		}
		break;
	default: break;
	}
	while (l->p < l->end && !strchr(" \t\r\n{};=,\"'#", *l->p) && !(*l->p == '+' && l->p + 1 < l->end && l->p[1] == '=')) {
		if (n + 1 >= sizeof(l->word))
			return lex_err(l, "word too long");
		l->word[n++] = *l->p++;
	}
	l->word[n] = '\0';
	return T_WORD;
}

/* VALUE with ${name} / $name replaced by NAME, into OUT. */
static int expand(struct lex *l, unsigned line, const char *value, const char *name, char *out, size_t sz)
{
	size_t n = 0;

	for (const char *v = value; *v;) {
		const char *add = v;
		size_t alen = 1;
		if (*v == '$') {
			if (!strncmp(v, "${name}", 7)) {
				add = name, alen = strlen(name), v += 7;
			} else if (!strncmp(v, "$name", 5) && !(v[5] == '_' || (v[5] >= 'a' && v[5] <= 'z') ||
								  (v[5] >= 'A' && v[5] <= 'Z') || (v[5] >= '0' && v[5] <= '9'))) {
				add = name, alen = strlen(name), v += 5;
			} else {
				char q[80];
				return wj_errf(l->e, "%s:%u: path '%s' uses a variable other than ${name}", l->file, line,
					       wj_quote(value, q, sizeof(q)));
			}
		} else {
			v++;
		}
		if (n + alen >= sz)
			return wj_errf(l->e, "%s:%u: path too long", l->file, line);
		memcpy(out + n, add, alen);
		n += alen;
	}
	out[n] = '\0';
	return 0;
}

int jailconf_path(const char *text, size_t len, const char *file, const char *name, char *out, size_t sz,
		  struct wj_err *e)
{
	struct lex l = {text, text + len, file, 1, "", e};
	char block[PATH_MAX] = "", own[PATH_MAX] = "", global[PATH_MAX] = "";
	unsigned own_line = 0, global_line = 0;
	bool in_block = false;
	int t;

	while ((t = lex_next(&l)) != T_END) {
		char param[PATH_MAX];
		unsigned line = l.line;
		if (t == T_ERR)
			return -1;
		if (t == T_RBRACE && in_block) {
			in_block = false;
			continue;
		}
		if (t != T_WORD)
			return wj_errf(e, "%s:%u: expected a parameter or a jail's name", file, line);
		snprintf(param, sizeof(param), "%s", l.word);
		t = lex_next(&l);
		if (t == T_LBRACE && !in_block) {
			snprintf(block, sizeof(block), "%s", param);
			in_block = true;
			continue;
		}
		if (t == T_SEMI)
			continue; /* a boolean parameter */
		if (t != T_SET && t != T_ADD)
			return t == T_ERR ? -1 : wj_errf(e, "%s:%u: expected '=' after %s", file, line, param);
		if ((t = lex_next(&l)) != T_WORD)
			return t == T_ERR ? -1 : wj_errf(e, "%s:%u: %s has no value", file, line, param);
		if (!strcmp(param, "path")) {
			bool mine = in_block && !strcmp(block, name);
			bool all = !in_block || !strcmp(block, "*");
			if (mine) {
				snprintf(own, sizeof(own), "%s", l.word);
				own_line = line;
			} else if (all) {
				snprintf(global, sizeof(global), "%s", l.word);
				global_line = line;
			}
		}
		while ((t = lex_next(&l)) == T_COMMA)
			if ((t = lex_next(&l)) != T_WORD)
				return t == T_ERR ? -1 : wj_errf(e, "%s:%u: expected a value after ','", file, line);
		if (t != T_SEMI)
			return t == T_ERR ? -1 : wj_errf(e, "%s:%u: expected ';' after %s", file, line, param);
	}
	if (in_block)
		return wj_errf(e, "%s:%u: block %s is not closed", file, l.line, block);
	if (!own_line && !global_line)
		return 0;
	if (expand(&l, own_line ? own_line : global_line, own_line ? own : global, name, out, sz) < 0)
		return -1;
	if (out[0] != '/')
		return wj_errf(e, "%s:%u: path %s is not absolute", file, own_line ? own_line : global_line, out);
	return 1;
}

int jail_root_dir(const struct jail_spec *s, const char *hostroot, char *out, size_t sz, int *provisioned,
		  struct wj_err *e)
{
	char conf[PATH_MAX];
	char *text = NULL;
	size_t len = 0;
	int r;

	if (provisioned)
		*provisioned = 0;
	if (snprintf(conf, sizeof(conf), "%s/etc/jail.conf.d/%s.conf", hostroot, s->name) >= (int)sizeof(conf))
		return wj_errf(e, "%s/etc/jail.conf.d/%s.conf: path too long", hostroot, s->name);
	r = wj_read_file(conf, 1 << 20, false, &text, &len, e);
	if (r < 0 && e->code == ENOENT) {
		jail_root(s, out, sz);
		return 0;
	}
	if (r < 0)
		return -1;
	if (provisioned)
		*provisioned = 1;
	r = jailconf_path(text, len, conf, s->name, out, sz, e);
	wj_free_file(text, len, false);
	if (r == 0)
		jail_root(s, out, sz);
	return r < 0 ? -1 : 0;
}
