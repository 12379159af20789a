/* A jail's edit lock, and what taking it guarantees.
 *
 * Every command that reads or changes a jail's files does so under
 * CONFDIR/NAME/.lock (jail_lock).  Taking the lock
 *   - checks that the configuration directory and the jail's directory are
 *     trusted (owned by root, writable by no one else: util/safefile.h);
 *   - finishes or undoes what a killed command left half done (a create
 *     that renames the interface, a peer's key replacement: agent/jailtx.h),
 *     so that every reader under the lock sees the state before or after a
 *     change, never a part of one;
 *   - removes the temporary files of killed writers in the jail's
 *     directory (they may hold keys).
 * The lock is reentrant within a process (util/fsutil.h): a function that
 * locks may be called by one that holds the lock; only the outermost
 * jail_lock repairs and sweeps. */
#ifndef WGJAIL_JAILLOCK_H
#define WGJAIL_JAILLOCK_H

#include <stdbool.h>

struct wj_err;

/* The configuration directory, and jail NAME's directory when NAME is not
 * NULL, must be trusted (see above).  The error names path, mode, owner. */
int jail_dirs_check(const char *name, struct wj_err *e);

/* Take jail NAME's lock (its directory must exist).  *FD for jail_unlock. */
int jail_lock(const char *name, int *fd, struct wj_err *e);
void jail_unlock(int fd);


#endif
