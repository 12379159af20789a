/* Files that others may try to trick us with (see util/safefile.h). */
#include "util/safefile.h"
#include "util/err.h"
#include "util/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_OPEN (O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)

static int read_regular(int fd, const char *path, size_t max, bool secret, char **out, size_t *len,
			struct wj_err *e)
{
	struct stat st;
	size_t cap, used = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return wj_errnof(e, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return wj_errf(e, "%s: not a regular file (a configuration file must be one)", path);
	if ((size_t)st.st_size > max)
		return wj_errf(e, "%s: file too large (%lld bytes, limit %zu)", path, (long long)st.st_size, max);
	cap = (size_t)st.st_size + 1;
	buf = secret ? sodium_malloc(cap) : malloc(cap);
	if (!buf)
		return wj_errnof(e, ENOMEM, "%s", path);
	if (wj_read_fd(fd, buf, cap, &used, path, e) < 0)
		goto fail;
	*out = buf;
	*len = used;
	return 0;
fail:
	wj_free_file(buf, cap, secret);
	return -1;
}

/* O_NOFOLLOW on a link: ELOOP on Linux, EMLINK on FreeBSD. */
static int open_error(const char *path, struct wj_err *e)
{
	if (errno == ELOOP || errno == EMLINK)
		return wj_errf(e, "%s: a symbolic link; configuration files are read only as regular files", path);
	return wj_errnof(e, errno, "%s", path);
}

int wj_read_conf_at(int dirfd, const char *name, const char *path, size_t max, bool secret, char **out,
		    size_t *len, struct wj_err *e)
{
	int fd = openat(dirfd, name, CONF_OPEN), r;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return open_error(path, e);
	r = read_regular(fd, path, max, secret, out, len, e);
	close(fd);
	return r;
}

int wj_read_conf(const char *path, size_t max, bool secret, char **out, size_t *len, struct wj_err *e)
{
	return wj_read_conf_at(AT_FDCWD, path, path, max, secret, out, len, e);
}

int wj_check_trusted_dir(const char *path, bool nofollow, struct wj_err *e)
{
	struct stat st;
	uid_t me = geteuid();

	if ((nofollow ? lstat(path, &st) : stat(path, &st)) < 0)
		return wj_errnof(e, errno, "%s", path);
	if (S_ISLNK(st.st_mode))
		return wj_errf(e, "%s: a symbolic link where a directory of wgjail's is expected; refusing it", path);
	if (!S_ISDIR(st.st_mode))
		return wj_errf(e, "%s: not a directory", path);
	if ((st.st_uid != 0 && st.st_uid != me) || (st.st_mode & 022))
		return wj_errf(e,
			       "%s: mode %04o, owner uid %u: wgjail trusts a configuration directory only if it is "
			       "owned by root and writable by no one else (chown root %s; chmod go-w %s)",
			       path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, path, path);
	return 0;
}

int wj_open_dir_below(int base, const char *rel, bool create, mode_t mode, const char *shown, bool *missing,
		      struct wj_err *e)
{
	char comp[NAME_MAX + 1];
	const char *p = rel;
	int fd = dup(base);

	if (missing)
		*missing = false;
	if (fd < 0)
		return wj_errnof(e, errno, "%s", shown);
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		int next;

		if (n == 0) {
			p++;
			continue;
		}
		if (n > NAME_MAX || (n == 2 && !memcmp(p, "..", 2)) || (n == 1 && *p == '.')) {
			close(fd);
			return wj_errf(e, "%s: not a plain path below its root", shown);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST) {
				int err = errno;
				close(fd);
				return wj_errnof(e, err, "%s: cannot create directory %s", shown, comp);
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int err = errno;
			struct stat st;
			const char *what = NULL;

			if (err != ENOENT && fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0)
				what = S_ISLNK(st.st_mode) ? "a symbolic link" : !S_ISDIR(st.st_mode) ? "not a directory" : NULL;
			close(fd);
			if (err == ENOENT && missing) {
				*missing = true;
				return wj_errf(e, "%s: %s does not exist", shown, comp);
			}
			if (what)
				return wj_errf(e, "%s: component '%s' is %s; refusing to go through it", shown, comp, what);
			return wj_errnof(e, err, "%s: %s", shown, comp);
		}
		close(fd);
		fd = next;
		p += n;
	}
	return fd;
}

static void temp_name(char *out, size_t sz, const char *name)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char suffix[7];

	for (int i = 0; i < 6; i++)
		suffix[i] = abc[randombytes_uniform(sizeof(abc) - 1)];
	suffix[6] = '\0';
	snprintf(out, sz, "%s.tmp%s", name, suffix);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int wj_write_atomic_at(int dirfd, const char *name, const char *shown, const void *data, size_t len, mode_t mode,
		       struct wj_err *e)
{
	char tmp[NAME_MAX + 1];
	int fd = -1, saved;

	if (strlen(name) + 10 > NAME_MAX)
		return wj_errf(e, "%s: name too long", shown);
	for (int tries = 0; fd < 0; tries++) {
		temp_name(tmp, sizeof(tmp), name);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && (errno != EEXIST || tries > 100))
			return wj_errnof(e, errno, "%s: cannot create temporary file", shown);
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		goto fail;
	if (fsync(dirfd) < 0)
		return wj_errnof(e, errno, "%s: written, but syncing its directory failed", shown);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return wj_errnof(e, saved, "%s: cannot write", shown);
}

/* Is NAME a writer's temporary file: PREFIX.tmpXXXXXX (six letters or
 * digits), or, if CACHE, PREFIX.tmp?  PREFIX NULL: any. */
static bool is_temp(const char *name, const char *prefix, bool cache)
{
	size_t n = strlen(name);
	const char *t;

	if (prefix) {
		size_t pl = strlen(prefix);
		if (strncmp(name, prefix, pl))
			return false;
		t = name + pl;
		if (strncmp(t, ".tmp", 4))
			return false;
	} else {
		if (n >= 4 && cache && !strcmp(name + n - 4, ".tmp"))
			return n > 4;
		if (n < 11 || strncmp(name + n - 10, ".tmp", 4))
			return false;
		t = name + n - 10;
	}
	if (cache && !t[4])
		return true;
	if (strlen(t + 4) != 6)
		return false;
	for (const char *c = t + 4; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
			return false;
	return true;
}

static void sweep(int dirfd, const char *prefix, bool cache)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		struct stat st;
		if (!is_temp(de->d_name, prefix, cache))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

void wj_remove_stale_temps_at(int dirfd, const char *name)
{
	sweep(dirfd, name, false);
}

void wj_sweep_temps(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	sweep(fd, NULL, true);
	close(fd);
}
