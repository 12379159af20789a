/* The set of files one `provision` writes: each read first, its new text
 * generated, then either shown (-n) or written.  Every file is replaced
 * atomically (wj_write_atomic: a reader, or a run killed half way, sees
 * the old file or the new one, never a part); unchanged files are not
 * touched at all, so a second run writes nothing.
 *
 * Files under a jail's root are written by the host's root into a tree
 * the jail's root controls: every directory below the jail root, and the
 * file itself, must not be a symbolic link (a link /etc -> /etc planted in
 * the jail would otherwise make us write the host's /etc).  Links are
 * refused on the host side too: an atomic replace would turn the link into
 * a file. */
#ifndef WGJAIL_RC_PLAN_H
#define WGJAIL_RC_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct wj_err;

#define RC_PLAN_MAX 8

struct rc_file {
	char path[PATH_MAX];
	mode_t mode;          /* mode it is written with */
	bool secret;          /* buffers wiped; key values hidden in diffs */
	bool exists;
	mode_t old_mode;
	char *old;            /* NULL if the file does not exist */
	size_t old_len;
	char *text;           /* the new content, NULL until set */
	size_t len;
	void (*free_text)(char *text, size_t len); /* NULL: free() */
};

struct rc_plan {
	struct rc_file f[RC_PLAN_MAX];
	size_t n;
};

/* Add PATH (which must lie under GUARD, a trusted directory: no component
 * below it may be a link) and read its current content.  MODE is the mode
 * of a new file; KEEP_MODE keeps an existing file's mode (files edited in
 * place).  Returns the entry, NULL on error. */
struct rc_file *rc_plan_add(struct rc_plan *p, const char *guard, const char *path, mode_t mode, bool keep_mode,
			    bool secret, struct wj_err *e);
/* Take TEXT as the new content of F; FREE_TEXT releases it (NULL: the
 * text is wiped when F is secret, then free()d). */
void rc_plan_set(struct rc_file *f, char *text, size_t len, void (*free_text)(char *, size_t));

bool rc_file_changed(const struct rc_file *f);
/* Number of files that would change. */
size_t rc_plan_changes(const struct rc_plan *p);

/* -n: every file with its path, mode and the change (create / update with
 * a diff / unchanged). */
int rc_plan_show(const struct rc_plan *p, FILE *out);
/* Write every changed file (parents created 0755), printing one line per
 * file to OUT. */
int rc_plan_apply(const struct rc_plan *p, FILE *out, struct wj_err *e);
void rc_plan_free(struct rc_plan *p);

#endif
