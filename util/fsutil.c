#include "util/fsutil.h"
#include "util/err.h"
#include "util/platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int wj_pread_all(int fd, char *buf, size_t n, uint64_t at)
{
	while (n) {
		ssize_t k = pread(fd, buf, n, (off_t)at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		buf += k;
		at += (uint64_t)k;
		n -= (size_t)k;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char buf[PATH_MAX];
	int fd, r;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int wj_atomic_open(struct wj_atomic *w, const char *path, mode_t mode, struct wj_err *e)
{
	w->path = path;
	w->err = 0;
	w->fd = -1;
	w->also = -1;
	w->nosync = false;
	if (snprintf(w->tmp, sizeof(w->tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(w->tmp))
		return wj_errf(e, "%s: path too long", path);
	w->fd = mkstemp(w->tmp);
	if (w->fd < 0)
		return wj_errnof(e, errno, "%s: cannot create temporary file", path);
	/* mkstemp makes 0600; set the final mode before any byte is written. */
	if (fchmod(w->fd, mode) < 0) {
		int saved = errno;
		wj_atomic_abort(w);
		return wj_errnof(e, saved, "%s: cannot write", path);
	}
	return 0;
}

void wj_atomic_write(struct wj_atomic *w, const void *data, size_t len)
{
	if (!w->err && write_all(w->fd, data, len) < 0)
		w->err = errno ? errno : EIO;
}

void wj_atomic_abort(struct wj_atomic *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp);
	}
	w->fd = -1;
}

struct sync_arg {
	int fd, err;
};

static void *sync_thread(void *arg)
{
	struct sync_arg *s = arg;

	s->err = fsync(s->fd) < 0 ? errno : 0;
	return NULL;
}

/* fsync FD and ALSO (-1: none) at the same time; 0 or an errno. */
static int fsync_both(int fd, int also)
{
	struct sync_arg s = {also, 0};
	pthread_t th;
	bool threaded = also >= 0 && pthread_create(&th, NULL, sync_thread, &s) == 0;
	int err = fsync(fd) < 0 ? errno : 0;

	if (threaded)
		pthread_join(th, NULL);
	else if (also >= 0)
		sync_thread(&s); /* no thread: in turn */
	return err ? err : s.err;
}

int wj_atomic_commit(struct wj_atomic *w, struct wj_err *e)
{
	int fd = w->fd, saved = w->err;

	w->fd = -1;
	if (!saved && !w->nosync)
		saved = fsync_both(fd, w->also);
	if (close(fd) < 0 && !saved)
		saved = errno;
	if (!saved && rename(w->tmp, w->path) < 0)
		saved = errno;
	if (saved) {
		unlink(w->tmp);
		return wj_errnof(e, saved, "%s: cannot write", w->path);
	}
	if (!w->nosync && fsync_dir_of(w->path) < 0)
		return wj_errnof(e, errno, "%s: written, but syncing its directory failed", w->path);
	return 0;
}

/* One whole write through an atomic writer: ALSO fsync'd with the file
 * (-1: none), or no fsync at all (NOSYNC, reports). */
static int write_whole(const char *path, const void *data, size_t len, mode_t mode, int also, bool nosync,
		       struct wj_err *e)
{
	struct wj_atomic w;

	if (wj_atomic_open(&w, path, mode, e) < 0)
		return -1;
	w.also = also;
	w.nosync = nosync;
	wj_atomic_write(&w, data, len);
	return wj_atomic_commit(&w, e);
}

int wj_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct wj_err *e)
{
	return write_whole(path, data, len, mode, -1, false, e);
}

int wj_write_atomic_with(const char *path, const void *data, size_t len, mode_t mode, int also,
			 struct wj_err *e)
{
	return write_whole(path, data, len, mode, also, false, e);
}

int wj_write_report(const char *path, const void *data, size_t len, mode_t mode, struct wj_err *e)
{
	return write_whole(path, data, len, mode, -1, true, e);
}

/* Does PATH (a regular file of mode MODE, not a link) hold exactly
 * DATA[0..LEN)?  Read in pieces: no copy of a secret on the heap. */
static bool holds(const char *path, const void *data, size_t len, mode_t mode)
{
	char buf[4096];
	struct stat st;
	size_t at = 0;
	bool same;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return false;
	same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == mode &&
	       (size_t)st.st_size == len;
	while (same && at < len) {
		ssize_t n = read(fd, buf, len - at < sizeof(buf) ? len - at : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		same = n > 0 && memcmp(buf, (const char *)data + at, (size_t)n) == 0;
		at += n > 0 ? (size_t)n : 0;
	}
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return same;
}

int wj_write_atomic_changed(const char *path, const void *data, size_t len, mode_t mode, struct wj_err *e)
{
	return holds(path, data, len, mode) ? 0 : wj_write_atomic(path, data, len, mode, e);
}

void wj_cache_write(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	size_t len = strlen(text);
	bool ok;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		unlink(path);
		return;
	}
	ok = write(fd, text, len) == (ssize_t)len;
	if (close(fd) < 0 || !ok || rename(tmp, path) < 0) {
		unlink(tmp);
		unlink(path);
	}
}

bool wj_cache_is(const char *path, const char *text)
{
	char have[256];
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	if (len >= sizeof(have) || (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return false;
	n = read(fd, have, sizeof(have));
	close(fd);
	return n == (ssize_t)len && memcmp(have, text, len) == 0;
}

void wj_remove_stale_temps(const char *path)
{
	char dir[PATH_MAX], pre[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t plen;
	DIR *d;
	struct dirent *de;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	if (snprintf(pre, sizeof(pre), "%s.tmp", slash + 1) >= (int)sizeof(pre))
		return;
	plen = strlen(pre);
	d = opendir(dir);
	if (!d)
		return;
	/* mkstemp's six characters follow the prefix */
	while ((de = readdir(d)) != NULL)
		if (strlen(de->d_name) == plen + 6 && strncmp(de->d_name, pre, plen) == 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

int wj_read_fd(int fd, char *buf, size_t cap, size_t *len, const char *path, struct wj_err *e)
{
	size_t used = 0;

	for (;;) {
		ssize_t n;
		char c;

		if (used + 1 >= cap) {
			/* The file grew since fstat, or it is a stream: one byte of
			 * headroom tells us whether more is coming. */
			n = read(fd, &c, 1);
			if (n == 0)
				break;
			if (n < 0 && errno == EINTR)
				continue;
			return wj_errf(e, "%s: file too large or changing while read", path);
		}
		n = read(fd, buf + used, cap - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return wj_errnof(e, errno, "%s", path);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*len = used;
	return 0;
}

int wj_read_file(const char *path, size_t max, bool secret, char **out, size_t *len, struct wj_err *e)
{
	struct stat st;
	char *buf = NULL;
	size_t cap, used = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wj_errnof(e, errno, "%s", path);
	if (fstat(fd, &st) < 0) {
		wj_errnof(e, errno, "%s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
		wj_errf(e, "%s: not a regular file", path);
		goto fail;
	}
	if (S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
		wj_errf(e, "%s: file too large (%lld bytes, limit %zu)", path, (long long)st.st_size, max);
		goto fail;
	}
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : max + 1;
	buf = secret ? sodium_malloc(cap) : malloc(cap);
	if (!buf) {
		wj_errnof(e, ENOMEM, "%s", path);
		goto fail;
	}
	if (wj_read_fd(fd, buf, cap, &used, path, e) < 0)
		goto fail;
	close(fd);
	*out = buf;
	*len = used;
	return 0;
fail:
	if (buf)
		wj_free_file(buf, cap, secret);
	close(fd);
	return -1;
}

static int read_mapped(const char *path, int oflags, size_t max, size_t room, char **out, size_t *len,
		       struct stat *stp, struct wj_err *e)
{
	struct stat st;
	size_t size, used = 0, maplen;
	char *buf;
	/* O_NONBLOCK: a FIFO in place of the file must not block the open;
	 * it is refused below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | oflags);

	if (fd < 0)
		return wj_errnof(e, errno, "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return wj_errf(e, "%s: not a regular file of at most %zu bytes", path, max);
	}
	size = (size_t)st.st_size;
	maplen = size + room ? size + room : 1;
	buf = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | WJ_MAP_PREFAULT, -1, 0);
	if (buf == MAP_FAILED) {
		close(fd);
		return wj_errnof(e, errno, "%s", path);
	}
	wj_madvise_nodump(buf, maplen);
	while (used < size) {
		ssize_t n = read(fd, buf + used, size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;
			wj_free_mapped(buf, maplen);
			close(fd);
			return wj_errnof(e, err, "%s: read (file changing while read?)", path);
		}
		used += (size_t)n;
	}
	close(fd);
	*out = buf;
	*len = size;
	if (stp)
		*stp = st;
	return 0;
}

int wj_read_mapped(const char *path, size_t max, size_t room, char **out, size_t *len, struct stat *stp,
		   struct wj_err *e)
{
	return read_mapped(path, 0, max, room, out, len, stp, e);
}

int wj_read_mapped_conf(const char *path, size_t max, size_t room, char **out, size_t *len, struct stat *stp,
			struct wj_err *e)
{
	if (read_mapped(path, O_NOFOLLOW, max, room, out, len, stp, e) == 0)
		return 0;
	if (e && (e->code == ELOOP || e->code == EMLINK)) /* a link: ELOOP (Linux), EMLINK (FreeBSD) */
		wj_errf(e, "%s: a symbolic link; configuration files are read only as regular files", path);
	return -1;
}

void wj_free_mapped(char *buf, size_t maplen)
{
	if (!buf)
		return;
	if (!maplen)
		maplen = 1;
	sodium_memzero(buf, maplen);
	munmap(buf, maplen);
}

void wj_free_file(char *buf, size_t len, bool secret)
{
	if (!buf)
		return;
	if (secret) {
		sodium_free(buf); /* wipes */
	} else {
		(void)len;
		free(buf);
	}
}

int wj_check_private(int fd, const char *path, struct wj_err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return wj_errnof(e, errno, "%s", path);
	if (S_ISREG(st.st_mode) && (st.st_mode & 077))
		return wj_errf(e, "%s: holds a secret but is accessible by group or others (mode %04o); run chmod 600 %s",
			       path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

/* The locks this process holds, by path: taking one again (a function
 * that locks, called by one that holds the lock already) returns a
 * duplicate of the holder's descriptor, which shares its open file
 * description and so its flock: no self-deadlock.  The lock ends when the
 * last of those descriptors is closed. */
#define HELD_MAX 8
static struct {
	int fd;
	char path[PATH_MAX];
} held[HELD_MAX];
static size_t n_held;

bool wj_lock_held(const char *path)
{
	for (size_t i = 0; i < n_held; i++)
		if (!strcmp(held[i].path, path))
			return true;
	return false;
}

int wj_lock(const char *path, int *fd_out, struct wj_err *e)
{
	struct stat st;
	int fd;

	for (size_t i = 0; i < n_held; i++)
		if (!strcmp(held[i].path, path)) {
			if ((fd = fcntl(held[i].fd, F_DUPFD_CLOEXEC, 0)) < 0)
				return wj_errnof(e, errno, "%s: cannot lock", path);
			*fd_out = fd;
			return 0;
		}
	/* O_NOFOLLOW: a link planted in place of the lock file is refused,
	 * never followed (the file is created 0600 by root). */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0)
		return wj_errnof(e, errno, "%s: cannot open lock file", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return wj_errf(e, "%s: the lock file is not a regular file", path);
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int saved = errno;
			close(fd);
			return wj_errnof(e, saved, "%s: cannot lock", path);
		}
	}
	if (n_held < HELD_MAX && strlen(path) < sizeof(held[0].path)) {
		held[n_held].fd = fd;
		snprintf(held[n_held].path, sizeof(held[n_held].path), "%s", path);
		n_held++;
	}
	*fd_out = fd;
	return 0;
}

void wj_unlock(int fd)
{
	if (fd < 0)
		return;
	for (size_t i = 0; i < n_held; i++)
		if (held[i].fd == fd) {
			held[i] = held[--n_held];
			break;
		}
	close(fd); /* releases the flock with the last descriptor */
}

int wj_mkdirs(const char *path, mode_t mode, struct wj_err *e)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return wj_errf(e, "%s: path too long", path);
	for (p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return wj_errnof(e, errno, "%s: cannot create directory", buf);
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

bool wj_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}
