/* Files that others may try to trick us with: configuration files that
 * must be regular files (never a FIFO that blocks, never a symbolic link
 * that leads elsewhere), directories we trust only when nobody else can
 * write them (the rule sshd applies to ~/.ssh), and writes through a
 * directory descriptor that was verified once, so that swapping a path
 * component for a symbolic link after the check changes nothing.
 *
 * The path-based helpers of util/fsutil.h stay for files in directories
 * only root can write; these are for the rest. */
#ifndef WGJAIL_SAFEFILE_H
#define WGJAIL_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct wj_err;
struct iovec;

/* Read the configuration file PATH (at most MAX bytes) into a
 * NUL-terminated heap buffer, like wj_read_file, but only a regular file:
 * opened with O_NOFOLLOW | O_NONBLOCK (a symbolic link is refused, a FIFO
 * neither blocks nor is read).  If SECRET, the buffer is sodium_malloc'd:
 * free with wj_free_file(buf, len, true). */
int wj_read_conf(const char *path, size_t max, bool secret, char **out, size_t *len, struct wj_err *e);
/* The same for NAME in directory DIRFD (PATH names it in messages). */
int wj_read_conf_at(int dirfd, const char *name, const char *path, size_t max, bool secret, char **out,
		    size_t *len, struct wj_err *e);

/* A directory we take orders from (the configuration directory, a jail's
 * directory): it must be a directory owned by root (or by the user
 * running us), writable by no one else.  With NOFOLLOW, PATH itself must
 * not be a symbolic link.  The error names the path, its mode and owner. */
int wj_check_trusted_dir(const char *path, bool nofollow, struct wj_err *e);

/* Open the directory REL below the directory descriptor BASE (REL is
 * relative, components separated by '/'), one component at a time with
 * O_NOFOLLOW: no component may be a symbolic link.  With CREATE, missing
 * components are made with MODE.  SHOWN is REL's full path for messages.
 * Returns a descriptor (O_DIRECTORY), -1 with E set; *MISSING (may be
 * NULL) tells that a component does not exist (without CREATE). */
int wj_open_dir_below(int base, const char *rel, bool create, mode_t mode, const char *shown, bool *missing,
		      struct wj_err *e);

/* wj_write_atomic through a directory descriptor: NAME in DIRFD replaced
 * by DATA (temporary file NAME.tmpXXXXXX made with O_EXCL | O_NOFOLLOW,
 * fchmod MODE, written, fsync'd, renameat, the directory fsync'd).
 * SHOWN names the file in messages. */
int wj_write_atomic_at(int dirfd, const char *name, const char *shown, const void *data, size_t len, mode_t mode,
		       struct wj_err *e);

/* Remove the temporary files of NAME (NAME.tmpXXXXXX) in DIRFD that killed
 * writers left.  Only under the lock that serialises NAME's writers. */
void wj_remove_stale_temps_at(int dirfd, const char *name);
/* Remove every writer's temporary file in DIR: NAME.tmpXXXXXX (atomic
 * writes) and NAME.tmp (cache files), regular files only.  Only under the
 * lock that serialises every writer of DIR. */
void wj_sweep_temps(const char *dir);

#endif
