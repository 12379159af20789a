/* Watching the configuration directory for the agent: inotify on Linux
 * (agent/watch_linux.c), kqueue on FreeBSD (agent/watch_freebsd.c), the
 * platform's `watch` operations (agent/platform.h); agent/watch.c calls
 * them.
 *
 * The directory itself is watched for jail directories appearing and
 * disappearing; each jail directory for its files being replaced or
 * written (editors and wgjail itself replace files by rename, so a rename
 * into the directory counts as a change).  On Linux only names that
 * matter are reported: "jail.conf" and "*.conf"; temporary files
 * (NAME.tmpXXXXXX) and the edit lock are not.  A jail's peer directories
 * (IF.peers/, agent/jailwg.h) are watched too, found when the jail is
 * added and when they appear: a drop-in HEX.conf added, replaced or
 * removed is reported for the jail (not the index .aip/ nor temporary
 * files).  kqueue does not name the entry: on FreeBSD any change of a
 * jail's directory or of its peer directories is reported for that jail
 * (see agent/watch_freebsd.c). */
#ifndef WGJAIL_WATCH_H
#define WGJAIL_WATCH_H

#include <stdbool.h>

struct wj_err;
struct watch;

/* Watch CONFDIR (which must exist).  NULL with E set on failure. */
struct watch *watch_new(const char *confdir, struct wj_err *e);
void watch_free(struct watch *w);
/* A descriptor that becomes readable when events are pending. */
int watch_fd(const struct watch *w);
/* Watch CONFDIR/NAME too (idempotent). */
int watch_add_jail(struct watch *w, const char *name, struct wj_err *e);
void watch_remove_jail(struct watch *w, const char *name);

/* Read the pending events and call CB once per event that matters: JAIL
 * is the jail whose file changed, or NULL when the set of jail
 * directories may have changed (rescan).  Returns 0, or -1 with E set. */
int watch_read(struct watch *w, void (*cb)(const char *jail, void *arg), void *arg, struct wj_err *e);

/* One platform's watcher: the functions above, in the same order. */
struct watch_ops {
	const char *name;
	struct watch *(*create)(const char *confdir, struct wj_err *e);
	void (*destroy)(struct watch *w);
	int (*fd)(const struct watch *w);
	int (*add_jail)(struct watch *w, const char *name, struct wj_err *e);
	void (*remove_jail)(struct watch *w, const char *name);
	int (*read)(struct watch *w, void (*cb)(const char *jail, void *arg), void *arg, struct wj_err *e);
};
extern const struct watch_ops watch_ops_inotify, watch_ops_kqueue;

/* true if a file called NAME in a jail directory is worth a reconcile. */
bool watch_name_matters(const char *name);

#endif
