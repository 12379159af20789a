/* inotify watcher (see agent/watch.h). */
#include "agent/watch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "agent/util/err.h"
#include "agent/util/strutil.h"

#define DIR_MASK (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define JAIL_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_ONLYDIR)

struct wjail {
	int wd;
	char name[WJ_JAIL_NAME_MAX + 1];
};

struct watch {
	int fd;
	int root_wd;
	char confdir[PATH_MAX];
	struct wjail *v;
	size_t n, cap;
};

bool watch_name_matters(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && name[0] != '.' && !strcmp(name + n - 5, ".conf");
}

struct watch *watch_new(const char *confdir, struct wj_err *e)
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

void watch_free(struct watch *w)
{
	if (!w)
		return;
	close(w->fd); /* removes every watch */
	free(w->v);
	free(w);
}

int watch_fd(const struct watch *w)
{
	return w->fd;
}

static struct wjail *by_name(struct watch *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].name, name))
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

int watch_add_jail(struct watch *w, const char *name, struct wj_err *e)
{
	char path[PATH_MAX];
	struct wjail *j;
	int wd;

	if (wj_jail_name_invalid(name))
		return wj_errf(e, "not a jail name");
	if (snprintf(path, sizeof(path), "%s/%s", w->confdir, name) >= (int)sizeof(path))
		return wj_errf(e, "%s/%s: path too long", w->confdir, name);
	if ((wd = inotify_add_watch(w->fd, path, JAIL_MASK)) < 0)
		return wj_errnof(e, errno, "watching %s", path);
	/* inotify returns the same descriptor for the same directory. */
	if ((j = by_wd(w, wd)) || (j = by_name(w, name))) {
		j->wd = wd;
		snprintf(j->name, sizeof(j->name), "%s", name);
		return 0;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		struct wjail *nv = realloc(w->v, cap * sizeof(*nv));
		if (!nv) {
			inotify_rm_watch(w->fd, wd);
			return wj_errnof(e, ENOMEM, "watching %s", path);
		}
		w->v = nv;
		w->cap = cap;
	}
	w->v[w->n].wd = wd;
	snprintf(w->v[w->n].name, sizeof(w->v[w->n].name), "%s", name);
	w->n++;
	return 0;
}

static void forget(struct watch *w, struct wjail *j)
{
	*j = w->v[--w->n];
}

void watch_remove_jail(struct watch *w, const char *name)
{
	struct wjail *j = by_name(w, name);

	if (!j)
		return;
	inotify_rm_watch(w->fd, j->wd); /* fails harmlessly if already gone */
	forget(w, j);
}

int watch_read(struct watch *w, void (*cb)(const char *jail, void *arg), void *arg, struct wj_err *e)
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
				forget(w, j);
				cb(NULL, arg);
				continue;
			}
			if (ev->mask & IN_DELETE_SELF) {
				cb(NULL, arg);
				continue;
			}
			if (watch_name_matters(name)) {
				char jail[WJ_JAIL_NAME_MAX + 1];
				/* CB may add or remove watches: copy the name first. */
				snprintf(jail, sizeof(jail), "%s", j->name);
				cb(jail, arg);
			}
		}
	}
}
