/* inotify watcher (see agent/watch.h). */
#include "agent/watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "agent/jailwg.h"
#include "util/array.h"
#include "util/err.h"
#include "util/log.h"
#include "util/strutil.h"

#define DIR_MASK (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define JAIL_MASK (IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_ONLYDIR)
#define PEERS_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_ONLYDIR)

/* A watched directory: a jail's, or one of its IF.peers/ (PEERS). */
struct wjail {
	int wd;
	bool peers;
	char name[WJ_JAIL_NAME_MAX + 1];
};

struct watch {
	int fd;
	int root_wd;
	char confdir[PATH_MAX];
	struct wjail *v;
	size_t n, cap;
};

static struct watch *w_new(const char *confdir, struct wj_err *e)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (!w) {
		wj_errnof(e, ENOMEM, "watching %s", confdir);
		return NULL;
	}
	if (snprintf(w->confdir, sizeof(w->confdir), "%s", confdir) >= (int)sizeof(w->confdir)) {
		wj_errf(e, "%s: path too long", confdir);
		free(w);
		return NULL;
	}
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		wj_errnof(e, errno, "inotify");
		free(w);
		return NULL;
	}
	if ((w->root_wd = inotify_add_watch(w->fd, confdir, DIR_MASK)) < 0) {
		wj_errnof(e, errno, "watching %s", confdir);
		close(w->fd);
		free(w);
		return NULL;
	}
	return w;
}

static void w_free(struct watch *w)
{
	if (!w)
		return;
	close(w->fd); /* removes every watch */
	free(w->v);
	free(w);
}

static int w_fd(const struct watch *w)
{
	return w->fd;
}

static struct wjail *by_name(struct watch *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (!w->v[i].peers && !strcmp(w->v[i].name, name))
			return &w->v[i];
	return NULL;
}

static struct wjail *by_wd(struct watch *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].wd == wd)
			return &w->v[i];
	return NULL;
}

static int add_wd(struct watch *w, const char *path, const char *name, bool peers, struct wj_err *e)
{
	struct wjail *j;
	int wd;

	if ((wd = inotify_add_watch(w->fd, path, peers ? PEERS_MASK : JAIL_MASK)) < 0)
		return wj_errnof(e, errno, "watching %s", path);
	/* inotify returns the same descriptor for the same directory. */
	if ((j = by_wd(w, wd)) || (!peers && (j = by_name(w, name)))) {
		j->wd = wd;
		j->peers = peers;
		snprintf(j->name, sizeof(j->name), "%s", name);
		return 0;
	}
	struct wjail *nv = wj_grow(w->v, &w->cap, w->n, sizeof(*nv), 8);
	if (!nv) {
		inotify_rm_watch(w->fd, wd);
		return wj_errnof(e, ENOMEM, "watching %s", path);
	}
	w->v = nv;
	w->v[w->n].wd = wd;
	w->v[w->n].peers = peers;
	snprintf(w->v[w->n].name, sizeof(w->v[w->n].name), "%s", name);
	w->n++;
	return 0;
}

/* Watch jail NAME's peer directory SUB. */
static int add_peers(struct watch *w, const char *name, const char *sub, struct wj_err *e)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s/%s", w->confdir, name, sub) >= (int)sizeof(path))
		return wj_errf(e, "%s/%s/%s: path too long", w->confdir, name, sub);
	return add_wd(w, path, name, true, e);
}

static int w_add_jail(struct watch *w, const char *name, struct wj_err *e)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (wj_jail_name_invalid(name))
		return wj_errf(e, "not a jail name");
	if (snprintf(path, sizeof(path), "%s/%s", w->confdir, name) >= (int)sizeof(path))
		return wj_errf(e, "%s/%s: path too long", w->confdir, name);
	if (add_wd(w, path, name, false, e) < 0)
		return -1;
	/* Its peer directories, already there. */
	if (!(d = opendir(path)))
		return 0;
	while ((de = readdir(d)))
		if (jailwg_is_dir_name(de->d_name) && add_peers(w, name, de->d_name, e) < 0 && errno != ENOENT &&
		    errno != ENOTDIR) {
			closedir(d);
			return -1;
		}
	closedir(d);
	return 0;
}

static void forget(struct watch *w, struct wjail *j)
{
	*j = w->v[--w->n];
}

static void w_remove_jail(struct watch *w, const char *name)
{
	/* The jail's directory and its peer directories. */
	for (size_t i = w->n; i-- > 0;) {
		if (strcmp(w->v[i].name, name))
			continue;
		inotify_rm_watch(w->fd, w->v[i].wd); /* fails harmlessly if already gone */
		forget(w, &w->v[i]);
	}
}

static int w_read(struct watch *w, void (*cb)(const char *jail, void *arg), void *arg, struct wj_err *e)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return wj_errnof(e, errno, "reading inotify events");
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			const char *name = ev->len ? ev->name : "";
			struct wjail *j;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				cb(NULL, arg); /* events lost: rescan everything */
				continue;
			}
			if (ev->wd == w->root_wd) {
				if ((ev->mask & IN_ISDIR) || (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)))
					cb(NULL, arg);
				continue;
			}
			if (!(j = by_wd(w, ev->wd)))
				continue;
			if (ev->mask & IN_IGNORED) { /* the directory went away */
				bool peers = j->peers;
				char jail[WJ_JAIL_NAME_MAX + 1];
				snprintf(jail, sizeof(jail), "%s", j->name);
				forget(w, j);
				cb(peers ? jail : NULL, arg);
				continue;
			}
			if (ev->mask & IN_DELETE_SELF) {
				if (j->peers) {
					char jail[WJ_JAIL_NAME_MAX + 1];
					snprintf(jail, sizeof(jail), "%s", j->name);
					cb(jail, arg);
				} else {
					cb(NULL, arg);
				}
				continue;
			}
			if (!j->peers && (ev->mask & IN_ISDIR) && jailwg_is_dir_name(name)) {
				/* A peer directory appeared (it may hold drop-ins
				 * already) or went: watch it, reconcile the jail. */
				char jail[WJ_JAIL_NAME_MAX + 1];
				struct wj_err ie;
				snprintf(jail, sizeof(jail), "%s", j->name);
				wj_err_clear(&ie);
				if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && add_peers(w, jail, name, &ie) < 0)
					log_warnx("%s", ie.msg);
				cb(jail, arg);
				continue;
			}
			if (j->peers ? jailwg_is_dropin_name(name, NULL) : watch_name_matters(name)) {
				char jail[WJ_JAIL_NAME_MAX + 1];
				/* CB may add or remove watches: copy the name first. */
				snprintf(jail, sizeof(jail), "%s", j->name);
				cb(jail, arg);
			}
		}
	}
}

/* Linux's watch (agent/watch.h).  agent/watch_freebsd.c is the same
 * record and the same read loop over kqueue: alike by design, one per
 * platform. */
const struct watch_ops watch_ops_inotify = {
	.name = "inotify",
	.create = w_new,
	.destroy = w_free,
	.fd = w_fd,
	.add_jail = w_add_jail,
	.remove_jail = w_remove_jail,
	.read = w_read,
};
