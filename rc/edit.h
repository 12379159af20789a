/* Edit a KEY=VALUE file (rc.conf, loader.conf) in place: set or remove a
 * few keys and keep every other line, comment and blank exactly as it was.
 *
 * A line assigns KEY when it reads, after optional blanks, KEY then
 * optional blanks then '='.  Setting a key rewrites its first assignment
 * (unless that one already holds the same value) and drops every later
 * assignment of the same key, so the value we set is the one the shell or
 * the loader ends up with; a key that is absent is appended at the end.
 * Values are written double-quoted: KEY="VALUE".  The callers only pass
 * values made of validated characters (no quote, '$', backslash, newline). */
#ifndef WGJAIL_RC_EDIT_H
#define WGJAIL_RC_EDIT_H

#include <stdbool.h>
#include <stddef.h>

struct wj_err;

struct kv_doc {
	char **lines;      /* without their '\n' */
	size_t n, cap;
	const char *path;  /* for messages */
	bool oom;
};

/* Split TEXT into lines (a missing final newline is added on output). */
int kv_parse(struct kv_doc *d, const char *text, size_t len, const char *path, struct wj_err *e);
void kv_free(struct kv_doc *d);

/* Set KEY to VALUE (see above).  Fails, naming PATH:LINE, when an
 * assignment of KEY has a quote that does not close on its line (a
 * multi-line value this editor will not guess at). */
int kv_set(struct kv_doc *d, const char *key, const char *value, struct wj_err *e);
/* Remove every assignment of KEY. */
void kv_unset(struct kv_doc *d, const char *key);
/* Remove every assignment whose key PRED accepts. */
void kv_unset_if(struct kv_doc *d, bool (*pred)(const char *key, void *arg), void *arg);
/* The value of the last assignment of KEY, unquoted, into BUF; false if
 * KEY is not assigned (or the value does not fit). */
bool kv_get(const struct kv_doc *d, const char *key, char *buf, size_t sz);

/* The line (1-based) of the last assignment of KEY; 0 if none. */
size_t kv_line(const struct kv_doc *d, const char *key);

/* The document as text (heap, caller frees); NULL on allocation failure. */
char *kv_format(const struct kv_doc *d, size_t *len);

/* One whole edit: OLD[0..OLDLEN) (NULL: no file yet; PATH names it in
 * errors) parsed, changed by FN (0, or -1 with E set), and given back as
 * text (heap, *LEN), or NULL with E set.  Every line FN leaves alone is
 * kept.  The host's rc.conf and loader.conf and a jail's rc.conf are
 * edited through it. */
typedef int (*kv_edit_fn)(struct kv_doc *d, void *arg, struct wj_err *e);
char *kv_edit(const char *old, size_t oldlen, const char *path, kv_edit_fn fn, void *arg, size_t *len,
	      struct wj_err *e);

#endif
