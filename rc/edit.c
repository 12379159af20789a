#include "rc/edit.h"
#include "util/array.h"
#include "util/err.h"
#include "util/sbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_key_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static bool is_key_char(char c) { return is_key_start(c) || (c >= '0' && c <= '9'); }

/* If LINE assigns a key, store it (NUL-terminated) in KEY and return a
 * pointer to the value text after '='; else NULL. */
static const char *line_key(const char *line, char *key, size_t sz)
{
	const char *p = line, *k;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!is_key_start(*p))
		return NULL;
	k = p;
	while (is_key_char(*p))
		p++;
	n = (size_t)(p - k);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=' || n >= sz)
		return NULL;
	memcpy(key, k, n);
	key[n] = '\0';
	return p + 1;
}

/* Unquote the value text V (one line) into OUT: "x", 'x' or a bare word
 * ending at a blank or '#'.  Returns -1 for a quote left open, -2 when OUT
 * is too small. */
static int unquote(const char *v, char *out, size_t sz)
{
	size_t o = 0;
	char q = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '"' || *v == '\'')
		q = *v++;
	for (; *v; v++) {
		if (q ? *v == q : (*v == ' ' || *v == '\t' || *v == '#'))
			break;
		if (o + 1 >= sz)
			return -2;
		out[o++] = *v;
	}
	if (q && *v != q)
		return -1;
	out[o] = '\0';
	return 0;
}

static int push(struct kv_doc *d, char *line)
{
	char * *nl = wj_grow(d->lines, &d->cap, d->n, sizeof(*nl), 32);
	if (!nl)
		return -1;
	d->lines = nl;
	d->lines[d->n++] = line;
	return 0;
}

/* The line (1-based) on which a quote opens that does not close on it, or
 * a line continued with a backslash; 0 if there is none.  Read as sh
 * reads it: '...' and "..." (backslash escapes inside "..."), `...`, and a
 * '#' at the start of a word begins a comment. */
static size_t open_quote_line(const char *text, size_t len)
{
	size_t line = 1, opened = 0;
	char q = 0;
	bool word_start = true;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c == '\n') {
			if (q)
				return opened;
			line++;
			word_start = true;
			continue;
		}
		if (q) {
			if (c == '\\' && q == '"' && i + 1 < len && text[i + 1] != '\n')
				i++;
			else if (c == q)
				q = 0;
			continue;
		}
		if (c == '#' && word_start) {
			while (i + 1 < len && text[i + 1] != '\n')
				i++;
			continue;
		}
		if (c == '\\') {
			if (i + 1 >= len || text[i + 1] == '\n')
				return line; /* a continued line */
			i++;
			word_start = false;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`') {
			q = c;
			opened = line;
		}
		word_start = c == ' ' || c == '\t' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')';
	}
	return q ? opened : 0;
}

int kv_parse(struct kv_doc *d, const char *text, size_t len, const char *path, struct wj_err *e)
{
	size_t i = 0, bad = open_quote_line(text, len);

	if (bad) {
		memset(d, 0, sizeof(*d));
		return wj_errf(e, "%s:%zu: a quoted value that does not end on its line (or a line continued with "
				  "'\\'): wgjail edits only files whose assignments are one line each; join it by hand",
			       path, bad);
	}

	memset(d, 0, sizeof(*d));
	d->path = path;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		char *line;

		if (memchr(text + i, '\0', n)) {
			kv_free(d);
			return wj_errf(e, "%s:%zu: holds a NUL byte; not a text file", path, d->n + 1);
		}
		line = strndup(text + i, n);
		if (!line || push(d, line) < 0) {
			free(line);
			kv_free(d);
			return wj_errnof(e, ENOMEM, "%s", path);
		}
		i += n + (nl ? 1 : 0);
	}
	return 0;
}

void kv_free(struct kv_doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->lines[i]);
	free(d->lines);
	d->lines = NULL;
	d->n = d->cap = 0;
}

static void remove_at(struct kv_doc *d, size_t i)
{
	free(d->lines[i]);
	memmove(d->lines + i, d->lines + i + 1, (d->n - i - 1) * sizeof(*d->lines));
	d->n--;
}

int kv_set(struct kv_doc *d, const char *key, const char *value, struct wj_err *e)
{
	char k[128], v[1024], *line;
	size_t first = d->n;
	bool same = false;
	int n;

	for (size_t i = 0; i < d->n; i++) {
		const char *val = line_key(d->lines[i], k, sizeof(k));
		if (!val || strcmp(k, key))
			continue;
		if (first == d->n) {
			int r = unquote(val, v, sizeof(v));
			if (r == -1)
				return wj_errf(e, "%s:%zu: %s: the quoted value does not end on its line; "
					       "edit it by hand", d->path, i + 1, key);
			first = i;
			same = r == 0 && !strcmp(v, value);
		}
	}
	for (size_t i = d->n; i-- > first + 1;) {
		const char *val = line_key(d->lines[i], k, sizeof(k));
		if (val && !strcmp(k, key))
			remove_at(d, i);
	}
	if (same)
		return 0;
	n = snprintf(NULL, 0, "%s=\"%s\"", key, value);
	if (n < 0 || !(line = malloc((size_t)n + 1)))
		return wj_errnof(e, ENOMEM, "%s", d->path);
	snprintf(line, (size_t)n + 1, "%s=\"%s\"", key, value);
	if (first < d->n) {
		free(d->lines[first]);
		d->lines[first] = line;
		return 0;
	}
	if (push(d, line) < 0) {
		free(line);
		return wj_errnof(e, ENOMEM, "%s", d->path);
	}
	return 0;
}

void kv_unset(struct kv_doc *d, const char *key)
{
	char k[128];

	for (size_t i = d->n; i-- > 0;)
		if (line_key(d->lines[i], k, sizeof(k)) && !strcmp(k, key))
			remove_at(d, i);
}

void kv_unset_if(struct kv_doc *d, bool (*pred)(const char *key, void *arg), void *arg)
{
	char k[128];

	for (size_t i = d->n; i-- > 0;)
		if (line_key(d->lines[i], k, sizeof(k)) && pred(k, arg))
			remove_at(d, i);
}

bool kv_get(const struct kv_doc *d, const char *key, char *buf, size_t sz)
{
	char k[128];

	for (size_t i = d->n; i-- > 0;) {
		const char *val = line_key(d->lines[i], k, sizeof(k));
		if (val && !strcmp(k, key))
			return unquote(val, buf, sz) == 0;
	}
	return false;
}

size_t kv_line(const struct kv_doc *d, const char *key)
{
	char k[128];

	for (size_t i = d->n; i-- > 0;) {
		const char *val = line_key(d->lines[i], k, sizeof(k));
		if (val && !strcmp(k, key))
			return i + 1;
	}
	return 0;
}

char *kv_format(const struct kv_doc *d, size_t *len)
{
	struct wj_sbuf b = {0};

	for (size_t i = 0; i < d->n; i++) {
		wj_sb_append(&b, d->lines[i], strlen(d->lines[i]));
		wj_sb_append(&b, "\n", 1);
	}
	return wj_sb_take(&b, len);
}

char *kv_edit(const char *old, size_t oldlen, const char *path, kv_edit_fn fn, void *arg, size_t *len,
	      struct wj_err *e)
{
	struct kv_doc d;
	char *out = NULL;

	if (kv_parse(&d, old ? old : "", old ? oldlen : 0, path, e) < 0)
		return NULL;
	if (fn(&d, arg, e) == 0 && !(out = kv_format(&d, len)))
		wj_errnof(e, ENOMEM, "%s", path);
	kv_free(&d);
	return out;
}
