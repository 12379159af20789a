/* Safe files: atomic replacement, permission checks, edit locks. */
#ifndef WGJAIL_FSUTIL_H
#define WGJAIL_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct wj_err;

/* Replace PATH with DATA[0..LEN) atomically: a temporary file in the same
 * directory, written, fchmod(MODE), fsync'd, renamed over PATH, then the
 * directory fsync'd.  A reader sees the old file or the new one, never a
 * part.  On failure the temporary file is removed and PATH is untouched. */
int wj_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct wj_err *e);
/* wj_write_atomic, unless PATH is a regular file of mode MODE that holds
 * DATA[0..LEN) already: then nothing is written (no fsync to wait for).
 * For records rewritten at every step though they rarely change (a
 * running jail's state, written by each `up` the agent runs). */
int wj_write_atomic_changed(const char *path, const void *data, size_t len, mode_t mode, struct wj_err *e);
/* Atomic like wj_write_atomic (a reader sees the old file or the new
 * one), but not fsync'd: for reports rewritten all the time under the
 * run-time directory (status.json, the agent's state, the metrics), which
 * a power cut makes stale anyway and the next report replaces.  After a
 * crash of the machine PATH may be the old report or empty, never a mix. */
int wj_write_report(const char *path, const void *data, size_t len, mode_t mode, struct wj_err *e);

/* wj_write_atomic, with ALSO (an open descriptor, e.g. a directory
 * where links describing PATH were just made) fsync'd together with the
 * temporary file, both before the rename: concurrently, so that the disk
 * is flushed once where fsyncing them in turn flushes it twice.  If ALSO's
 * fsync fails, PATH is not replaced. */
int wj_write_atomic_with(const char *path, const void *data, size_t len, mode_t mode, int also,
			 struct wj_err *e);

/* The same, written in pieces as they come: wj_atomic_open makes the
 * temporary file (mode MODE from the start), wj_atomic_write appends to it
 * (a failure is kept and reported by the commit), wj_atomic_commit syncs
 * and renames it over PATH, wj_atomic_abort removes it.  After commit or
 * abort nothing is left to free. */
struct wj_atomic {
	int fd, err;
	int also;    /* wj_write_atomic_with's ALSO, -1 if none */
	bool nosync; /* wj_write_report: renamed without the fsyncs */
	const char *path;
	char tmp[4096];
};
int wj_atomic_open(struct wj_atomic *w, const char *path, mode_t mode, struct wj_err *e);
void wj_atomic_write(struct wj_atomic *w, const void *data, size_t len);
int wj_atomic_commit(struct wj_atomic *w, struct wj_err *e);
void wj_atomic_abort(struct wj_atomic *w);

/* Remove the temporary files that writers of PATH killed before their
 * rename left behind (PATH.tmpXXXXXX, see wj_write_atomic); they may hold
 * secrets.  Call only while holding the edit lock that serialises every
 * writer of PATH, or a live writer's file would go. */
void wj_remove_stale_temps(const char *path);

/* A small cache file (a stamp): TEXT written to PATH.tmp and renamed over
 * PATH, not fsync'd - after a crash it is missing, empty or older, and any
 * of these only mismatches, which costs a recomputation.  On failure PATH
 * is removed, so a stale cache never survives a failed write. */
void wj_cache_write(const char *path, const char *text);
/* Does PATH hold exactly TEXT? */
bool wj_cache_is(const char *path, const char *text);

/* Read a whole regular file (at most MAX bytes) into a NUL-terminated heap
 * buffer.  If SECRET, the buffer is sodium_malloc'd: free it with
 * wj_free_file(buf, len, true). */
int wj_read_file(const char *path, size_t max, bool secret, char **out, size_t *len, struct wj_err *e);
void wj_free_file(char *buf, size_t len, bool secret);
/* Read FD to its end into BUF (CAP bytes, at most CAP-1 read, then NUL);
 * *LEN the bytes read.  More than CAP-1 is an error ("too large or
 * changing while read"): the caller sized BUF from fstat or its limit.
 * PATH names the file in messages.  The one read loop of wj_read_file
 * and util/safefile.c. */
int wj_read_fd(int fd, char *buf, size_t cap, size_t *len, const char *path, struct wj_err *e);

/* Read the regular file PATH (at most MAX bytes) into an anonymous
 * mapping of its size plus ROOM spare bytes, populated at once (no fault
 * per page, no fill pattern) and kept out of core dumps: big files that
 * hold secrets.  *ST (may be NULL) gets the file's stat.  Free with
 * wj_free_mapped(BUF, LEN + ROOM), which wipes it. */
struct stat;
int wj_read_mapped(const char *path, size_t max, size_t room, char **buf, size_t *len, struct stat *st,
		   struct wj_err *e);
/* The same for a configuration file: PATH must not be a symbolic link. */
int wj_read_mapped_conf(const char *path, size_t max, size_t room, char **buf, size_t *len, struct stat *st,
			struct wj_err *e);
void wj_free_mapped(char *buf, size_t maplen);

/* Fail, naming PATH, if FD is readable or writable by group or others. */
int wj_check_private(int fd, const char *path, struct wj_err *e);

/* An exclusive advisory lock on PATH (created 0600 if missing, never
 * through a symbolic link), held until wj_unlock.  Serialises every
 * read-modify-write of a jail's files.  Reentrant within a process: a
 * lock this process holds already is taken again at once (a duplicate
 * descriptor, to be released with wj_unlock as well). */
int wj_lock(const char *path, int *fd_out, struct wj_err *e);
void wj_unlock(int fd);
/* Does this process hold the lock on PATH? */
bool wj_lock_held(const char *path);

/* mkdir -p with MODE for the directories it creates. */
int wj_mkdirs(const char *path, mode_t mode, struct wj_err *e);

/* true if PATH exists (any type). */
bool wj_exists(const char *path);

/* Exactly N bytes of FD at offset AT into BUF (pread, retried after a
 * signal): 0, or -1 on an error or an early end of file. */
int wj_pread_all(int fd, char *buf, size_t n, uint64_t at);

#endif
