/* kqueue watcher (see agent/watch.h).  FreeBSD only; not compiled on
 * Linux, so it is kept small.
 *
 * EVFILT_VNODE on directories: NOTE_WRITE fires when an entry is created,
 * removed or renamed, which is how wgjail, editors and tools replace files
 * (write aside, rename over).  kqueue does not say which entry changed, so
 * any change in a jail's directory is reported for that jail (the agent's
 * debounce merges the temporary file and the rename).  A file rewritten in
 * place, without a rename, is not seen: send SIGHUP after such an edit. */
#include "agent/jailwg.h"
#include "agent/watch.h"

#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/array.h"
#include "util/err.h"
#include "util/strutil.h"

#define VNODE_NOTES (NOTE_WRITE | NOTE_DELETE | NOTE_RENAME)

/* A watched directory: a jail's (SUB empty) or its peer directory SUB
 * ("IF.peers", agent/jailwg.h). */
struct wjail {
	int fd;
	char name[WJ_JAIL_NAME_MAX + 1];
	char sub[WJ_IFNAME_MAX + 8];
};

struct watch {
	int kq;
	int root_fd;
	char confdir[PATH_MAX];
	struct wjail *v;
	size_t n, cap;
};

static int add_vnode(int kq, int fd)
{
	struct kevent kev;

	EV_SET(&kev, (uintptr_t)fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, VNODE_NOTES, 0, NULL);
	return kevent(kq, &kev, 1, NULL, 0, NULL);
}

static struct watch *w_new(const char *confdir, struct wj_err *e)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (!w) {
		wj_errnof(e, ENOMEM, "watching %s", confdir);
		return NULL;
	}
	w->kq = w->root_fd = -1;
	if (snprintf(w->confdir, sizeof(w->confdir), "%s", confdir) >= (int)sizeof(w->confdir)) {
		wj_errf(e, "%s: path too long", confdir);
		goto fail;
	}
	if ((w->kq = kqueue()) < 0) {
		wj_errnof(e, errno, "kqueue");
		goto fail;
	}
	if (fcntl(w->kq, F_SETFD, FD_CLOEXEC) < 0 ||
	    (w->root_fd = open(confdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || add_vnode(w->kq, w->root_fd) < 0) {
		wj_errnof(e, errno, "watching %s", confdir);
		goto fail;
	}
	return w;
fail:
	if (w->root_fd >= 0)
		close(w->root_fd);
	if (w->kq >= 0)
		close(w->kq);
	free(w);
	return NULL;
}

static void w_free(struct watch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		close(w->v[i].fd);
	close(w->root_fd);
	close(w->kq);
	free(w->v);
	free(w);
}

static int w_fd(const struct watch *w)
{
	return w->kq;
}

static struct wjail *by_name_sub(struct watch *w, const char *name, const char *sub)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].name, name) && !strcmp(w->v[i].sub, sub))
			return &w->v[i];
	return NULL;
}

static struct wjail *by_fd(struct watch *w, int fd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].fd == fd)
			return &w->v[i];
	return NULL;
}

/* Watch CONFDIR/NAME (SUB "") or CONFDIR/NAME/SUB, once. */
static int add_dir(struct watch *w, const char *name, const char *sub, struct wj_err *e)
{
	char path[PATH_MAX];
	int fd;

	if (by_name_sub(w, name, sub))
		return 0;
	if (snprintf(path, sizeof(path), "%s/%s%s%s", w->confdir, name, *sub ? "/" : "", sub) >= (int)sizeof(path))
		return wj_errf(e, "%s/%s: path too long", w->confdir, name);
	struct wjail *nv = wj_grow(w->v, &w->cap, w->n, sizeof(*nv), 8);
	if (!nv)
		return wj_errnof(e, ENOMEM, "watching %s", path);
	w->v = nv;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return wj_errnof(e, errno, "watching %s", path);
	if (add_vnode(w->kq, fd) < 0) {
		int err = errno;
		close(fd);
		return wj_errnof(e, err, "watching %s", path);
	}
	w->v[w->n].fd = fd;
	snprintf(w->v[w->n].name, sizeof(w->v[w->n].name), "%s", name);
	snprintf(w->v[w->n].sub, sizeof(w->v[w->n].sub), "%s", sub);
	w->n++;
	return 0;
}

/* Watch the peer directories of jail NAME that are not watched yet. */
static void add_peer_dirs(struct watch *w, const char *name)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/%s", w->confdir, name) >= (int)sizeof(path) || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		struct wj_err ie;
		if (jailwg_is_dir_name(de->d_name))
			add_dir(w, name, de->d_name, &ie); /* vanished meanwhile: seen at the next change */
	}
	closedir(d);
}

static int w_add_jail(struct watch *w, const char *name, struct wj_err *e)
{
	if (wj_jail_name_invalid(name))
		return wj_errf(e, "not a jail name");
	if (add_dir(w, name, "", e) < 0)
		return -1;
	add_peer_dirs(w, name);
	return 0;
}

static void forget(struct watch *w, struct wjail *j)
{
	close(j->fd); /* closing the descriptor removes its knote */
	*j = w->v[--w->n];
}

static void w_remove_jail(struct watch *w, const char *name)
{
	for (size_t i = w->n; i-- > 0;)
		if (!strcmp(w->v[i].name, name))
			forget(w, &w->v[i]);
}

static int w_read(struct watch *w, void (*cb)(const char *jail, void *arg), void *arg, struct wj_err *e)
{
	static const struct timespec zero = {0, 0};
	struct kevent ev[32];

	for (;;) {
		int n = kevent(w->kq, NULL, 0, ev, 32, &zero);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return wj_errnof(e, errno, "reading kqueue events");
		}
		if (n == 0)
			return 0;
		for (int i = 0; i < n; i++) {
			int fd = (int)ev[i].ident;
			struct wjail *j;

			if (ev[i].filter != EVFILT_VNODE)
				continue;
			if (fd == w->root_fd) {
				cb(NULL, arg);
				continue;
			}
			if (!(j = by_fd(w, fd)))
				continue;
			if (j->sub[0]) {
				/* A peer directory: any change is the jail's. */
				char jail[WJ_JAIL_NAME_MAX + 1];
				snprintf(jail, sizeof(jail), "%s", j->name);
				if (ev[i].fflags & (NOTE_DELETE | NOTE_RENAME))
					forget(w, j);
				cb(jail, arg);
			} else if (ev[i].fflags & (NOTE_DELETE | NOTE_RENAME)) {
				forget(w, j);
				cb(NULL, arg);
			} else if (ev[i].fflags & NOTE_WRITE) {
				char jail[WJ_JAIL_NAME_MAX + 1];
				snprintf(jail, sizeof(jail), "%s", j->name);
				add_peer_dirs(w, jail); /* a new IF.peers/ */
				cb(jail, arg);
			}
		}
	}
}

/* FreeBSD's watch (agent/watch.h).  agent/watch_linux.c is the same
 * record and the same read loop over inotify: alike by design, one per
 * platform. */
const struct watch_ops watch_ops_kqueue = {
	.name = "kqueue",
	.create = w_new,
	.destroy = w_free,
	.fd = w_fd,
	.add_jail = w_add_jail,
	.remove_jail = w_remove_jail,
	.read = w_read,
};
