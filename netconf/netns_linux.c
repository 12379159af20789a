#include "netconf/netns.h"
#include "util/err.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static int ns_path(char *buf, size_t sz, const char *name, struct wj_err *e)
{
	const char *why = wj_jail_name_invalid(name);
	char q[80];
	int n;

	if (why)
		return wj_errf(e, "namespace '%s': %s", wj_quote(name, q, sizeof(q)), why);
	n = snprintf(buf, sz, "%s/%s", NETNS_RUN_DIR, name);
	if (n < 0 || (size_t)n >= sz)
		return wj_errf(e, "namespace %s: path too long", name);
	return 0;
}

static bool is_nsfs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == (unsigned long)NSFS_MAGIC;
}

bool netns_exists(const char *name)
{
	char path[128];
	struct wj_err e;

	return ns_path(path, sizeof(path), name, &e) == 0 && is_nsfs(path);
}

unsigned long long netns_inode(const char *name)
{
	char path[128];
	struct wj_err e;
	struct stat st;

	if (ns_path(path, sizeof(path), name, &e) < 0 || !is_nsfs(path) || stat(path, &st) < 0)
		return 0;
	return (unsigned long long)st.st_ino;
}

/* /run/netns as a shared mount point, so that namespaces mounted there
 * are seen from every mount namespace (iproute2 does the same). */
static int prepare_run_dir(struct wj_err *e)
{
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return wj_errnof(e, errno, "%s", NETNS_RUN_DIR);
	for (int tries = 0; tries < 2; tries++) {
		if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
			return 0;
		if (errno != EINVAL || tries)
			return wj_errnof(e, errno, "making %s a shared mount", NETNS_RUN_DIR);
		/* Not a mount point yet: bind it on itself, then retry. */
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return wj_errnof(e, errno, "bind-mounting %s", NETNS_RUN_DIR);
	}
	return 0;
}

/* Does a mount made under DIR reach the other mount namespaces?  Not when
 * the mount holding DIR is a slave ("master:N" in /proc/self/mountinfo):
 * that is the case inside `ip netns exec`, which runs its command in a
 * private mount namespace made a slave of the host's.  A namespace created
 * there would be named only until the command exits. */
static bool mounts_under_are_private(const char *dir)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], best_opts[512] = "";
	size_t best = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - ... */
		char *fields[6] = {0}, *save = NULL, *tok = strtok_r(line, " ", &save);
		size_t len;
		int n = 0;
		while (tok && n < 6) {
			fields[n++] = tok;
			tok = strtok_r(NULL, " ", &save);
		}
		if (n < 6)
			continue;
		len = strlen(fields[4]);
		if (strncmp(dir, fields[4], len) != 0 || (dir[len] != '/' && dir[len] != '\0' && len != 1))
			continue;
		if (len < best)
			continue;
		best = len; /* later entries of the same mount point are on top */
		best_opts[0] = '\0';
		for (char *o = tok; o && strcmp(o, "-") != 0; o = strtok_r(NULL, " ", &save)) {
			size_t used = strlen(best_opts);
			snprintf(best_opts + used, sizeof(best_opts) - used, " %s", o);
		}
	}
	fclose(f);
	return strstr(best_opts, " master:") != NULL;
}

int netns_create(const char *name, bool *created, struct wj_err *e)
{
	char path[128];
	int fd, saved;

	*created = false;
	if (ns_path(path, sizeof(path), name, e) < 0)
		return -1;
	if (is_nsfs(path))
		return 0;
	if (mounts_under_are_private(NETNS_RUN_DIR))
		return wj_errf(e, "cannot create network namespace %s: mounts under %s here do not reach the host's "
			       "mount namespace (is wgjail running under `ip netns exec`?), so the namespace would "
			       "vanish when this command exits; run wgjail in the host's mount namespace "
			       "(to work from another network namespace, use nsenter --net=/run/netns/NAME)",
			       name, NETNS_RUN_DIR);
	if (prepare_run_dir(e) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EEXIST && is_nsfs(path))
			return 0;
		/* A leftover empty file from an interrupted create: reuse it. */
		if (errno != EEXIST || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return wj_errnof(e, errno, "creating %s", path);
	}
	close(fd);
	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0) {
		int err = errno;
		unlink(path);
		return wj_errnof(e, err, "namespace %s: cannot open the current namespace", name);
	}
	if (unshare(CLONE_NEWNET) < 0) {
		int err = errno;
		close(saved);
		unlink(path);
		return wj_errnof(e, err, "namespace %s: unshare", name);
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		int err = errno;
		if (setns(saved, CLONE_NEWNET) < 0)
			err = errno;
		close(saved);
		unlink(path);
		return wj_errnof(e, err, "namespace %s: bind mount on %s", name, path);
	}
	if (setns(saved, CLONE_NEWNET) < 0) {
		int err = errno;
		close(saved);
		return wj_errnof(e, err, "namespace %s: cannot return to the original namespace", name);
	}
	close(saved);
	*created = true;
	return 0;
}

int netns_delete(const char *name, struct wj_err *e)
{
	char path[128];

	if (ns_path(path, sizeof(path), name, e) < 0)
		return -1;
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return wj_errnof(e, errno, "unmounting %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return wj_errnof(e, errno, "removing %s", path);
	return 0;
}

int netns_open(const char *name, struct wj_err *e)
{
	char path[128];
	int fd;

	if (ns_path(path, sizeof(path), name, e) < 0)
		return -1;
	if (!is_nsfs(path))
		return wj_errf(e, "jail %s: no network namespace at %s (is it up?)", name, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wj_errnof(e, errno, "%s", path);
	return fd;
}

int netns_enter_fd(int fd, int *saved_fd, struct wj_err *e)
{
	int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (saved < 0)
		return wj_errnof(e, errno, "cannot open the current network namespace");
	if (setns(fd, CLONE_NEWNET) < 0) {
		int err = errno;
		close(saved);
		return wj_errnof(e, err, "entering a network namespace");
	}
	*saved_fd = saved;
	return 0;
}

int netns_enter(const char *name, int *saved_fd, struct wj_err *e)
{
	int fd = netns_open(name, e), r;

	if (fd < 0)
		return -1;
	r = netns_enter_fd(fd, saved_fd, e);
	close(fd);
	return r < 0 ? wj_err_prefix(e, "jail %s", name) : 0;
}

int netns_new_anonymous(struct wj_err *e)
{
	int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), fd;

	if (saved < 0)
		return wj_errnof(e, errno, "cannot open the current network namespace");
	if (unshare(CLONE_NEWNET) < 0) {
		int err = errno;
		close(saved);
		return wj_errnof(e, err, "unshare");
	}
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(saved, CLONE_NEWNET) < 0) {
		int err = errno;
		close(saved);
		if (fd >= 0)
			close(fd);
		return wj_errnof(e, err, "cannot return to the original network namespace");
	}
	close(saved);
	if (fd < 0)
		return wj_errnof(e, errno, "opening a new namespace");
	return fd;
}

void netns_leave(int saved_fd)
{
	if (saved_fd < 0)
		return;
	/* Failing to return is not recoverable for the caller's later
	 * steps; it cannot happen for a namespace we were in. */
	if (setns(saved_fd, CLONE_NEWNET) < 0)
		perror("wgjail: setns back to the original namespace");
	close(saved_fd);
}
