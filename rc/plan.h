/* The set of files one `provision` writes: each read first, its new text
 * generated, then either shown (-n) or written.  Every file is replaced
 * atomically (wj_write_atomic: a reader, or a run killed half way, sees
 * the old file or the new one, never a part); unchanged files are not
 * touched at all, so a second run writes nothing.
 *
 * Files under a jail's root are written by the host's root into a tree
 * the jail's root controls: every directory below the jail root, and the
 * file itself, must not be a symbolic link (a link /etc -> /etc planted in
 * the jail would otherwise make us write the host's /etc).  So each file's
 * directory is opened once, one component at a time from the guard with
 * O_NOFOLLOW (util/safefile.h), and the file is read and replaced through
 * that descriptor (temporary file, renameat): swapping a directory for a
 * link after the check changes nothing.  Links are refused on the host
 * side too: an atomic replace would turn the link into a file. */
#ifndef WGJAIL_RC_PLAN_H
#define WGJAIL_RC_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct wj_err;

#define RC_PLAN_MAX 12

struct rc_file {
	char path[PATH_MAX];
	char name[NAME_MAX + 1]; /* the last component */
	char dir_rel[PATH_MAX];  /* its directory, relative to the guard */
	char guard[PATH_MAX];    /* the guard (made at apply time if missing) */
	int guardfd;          /* the guard directory, -1 until it exists */
	int dirfd;            /* its directory, -1 until it exists */
	bool remove;          /* a file an earlier run wrote, to be removed */
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
/* PATH (under GUARD), if it exists, is to be removed: a file an earlier run
 * wrote and this one does not.  OWNED(TEXT, LEN) must say it is ours (it
 * is left alone otherwise).  Returns 0 (also when there is nothing to
 * remove) or -1. */
int rc_plan_remove(struct rc_plan *p, const char *guard, const char *path, bool secret,
		   bool (*owned)(const char *text, size_t len), struct wj_err *e);
/* Take TEXT as the new content of F; FREE_TEXT releases it (NULL: the
 * text is wiped when F is secret, then free()d). */
void rc_plan_set(struct rc_file *f, char *text, size_t len, void (*free_text)(char *, size_t));

bool rc_file_changed(const struct rc_file *f);
/* Number of files that would change. */
size_t rc_plan_changes(const struct rc_plan *p);

/* -n: every file with its path, mode and the change (create / update with
 * a diff / unchanged). */
int rc_plan_show(const struct rc_plan *p, FILE *out);
/* Write every changed file (parents created 0755), removing what is to be
 * removed, printing one line per file to OUT.  Killed writers' temporary
 * files of every path are removed first (the caller holds the locks that
 * serialise provision). */
int rc_plan_apply(const struct rc_plan *p, FILE *out, struct wj_err *e);
void rc_plan_free(struct rc_plan *p);

#endif
