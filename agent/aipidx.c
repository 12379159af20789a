/* The allowed-IP index of a jail's drop-ins (see agent/aipidx.h). */
#include "agent/aipidx.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/jailwg.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"

#define IDX_DIR WJ_AIP_DIR /* util/paths.h */
#define IDX_NEW ".aip.new"
#define LINK_TMP ".link.tmp"
#define SHARED ".shared"

void aipidx_name(char *out, size_t sz, const struct wg_ipmask *m)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(m->family, &m->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(out, sz, "%c-%s_%u", m->family == AF_INET ? '4' : '6', a, m->cidr);
}

static int sub_path(char *buf, size_t sz, const char *dir, const char *name, struct wj_err *e)
{
	if (snprintf(buf, sz, "%s/%s", dir, name) >= (int)sz)
		return wj_errf(e, "%s: path too long", dir);
	return 0;
}

static bool same_prefix(const struct wg_ipmask *a, const struct wg_ipmask *b)
{
	struct wg_ipmask x = *a, y = *b;

	wg_ipmask_mask(&x);
	wg_ipmask_mask(&y);
	return x.family == y.family && x.cidr == y.cidr && wg_ipmask_cmp(&x, &y) == 0;
}

/* The key a link in directory FD called NAME points at: 1, 0 if there is
 * no such link (or it is not one of ours), -1 on error. */
static int link_owner(int fd, const char *name, uint8_t key[WG_KEY_LEN])
{
	char t[WG_KEY_HEX_LEN + 2];
	ssize_t n = readlinkat(fd, name, t, sizeof(t));

	if (n < 0)
		return errno == ENOENT || errno == EINVAL ? 0 : -1;
	return n == WG_KEY_HEX_LEN && key_from_hex_n(key, t, (size_t)n) ? 1 : 0;
}

/* Does KEY's drop-in still list PREFIX?  1 (and its [Peer] line), 0 if
 * not (the link is stale), -1 if the drop-in cannot be read. */
static int owner_lists(const char *dir, const uint8_t key[WG_KEY_LEN], const struct wg_ipmask *prefix,
		       unsigned *line, struct wj_err *e)
{
	struct wg_device *one = NULL;
	bool missing = false;
	int r = 0;

	if (jailwg_read_dropin(dir, key, &one, &missing, e) < 0)
		return missing ? 0 : -1;
	for (size_t i = 0; i < one->peers[0].n_aips && !r; i++)
		r = same_prefix(&one->peers[0].aips[i], prefix);
	*line = one->peers[0].line;
	wg_device_free(one);
	return r;
}

/* Remove directory PATH and the files in it (flat: the index has no
 * subdirectories). */
static int rm_flat(const char *path, struct wj_err *e)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : wj_errnof(e, errno, "%s", path);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT)
		return wj_errnof(e, errno, "%s", path);
	return 0;
}

/* ---- stamp ---- */

static void stamp_fmt(char *buf, size_t sz, const struct stat *st)
{
	snprintf(buf, sz, "%ju %ju %jd.%09ld\n", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino,
		 (intmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

void aipidx_stamp(const char *dir)
{
	char path[PATH_MAX], line[96];
	struct stat st;

	if (jail_aip_stamp_path(path, sizeof(path), dir) < 0)
		return;
	if (stat(dir, &st) < 0) {
		unlink(path);
		return;
	}
	stamp_fmt(line, sizeof(line), &st);
	wj_cache_write(path, line); /* a lost stamp only costs a rebuild */
}

static bool stamp_ok(const char *dir)
{
	char path[PATH_MAX], want[96];
	struct stat st;

	if (stat(dir, &st) < 0 || jail_aip_stamp_path(path, sizeof(path), dir) < 0)
		return false;
	stamp_fmt(want, sizeof(want), &st);
	return wj_cache_is(path, want);
}

/* ---- rebuild ---- */

struct build {
	int fd; /* the new index directory */
	const char *path;
	bool shared;
};

static int put_link(int fd, const char *name, const char *hex, struct wj_err *e)
{
	if (symlinkat(hex, fd, name) == 0)
		return 0;
	if (errno != EEXIST)
		return wj_errnof(e, errno, "index link %s", name);
	/* Replace it atomically: readers see the old owner or the new. */
	unlinkat(fd, LINK_TMP, 0);
	if (symlinkat(hex, fd, LINK_TMP) < 0 || renameat(fd, LINK_TMP, fd, name) < 0) {
		int err = errno;
		unlinkat(fd, LINK_TMP, 0);
		return wj_errnof(e, err, "index link %s", name);
	}
	return 0;
}

static int build_fn(void *arg, const char *dir, const uint8_t key[WG_KEY_LEN], struct wg_device *one,
		    struct wj_err *e)
{
	struct build *b = arg;
	const struct wg_peer *p = &one->peers[0];
	char hex[WG_KEY_HEX_LEN + 1], name[WG_PEER_NAME_MAX + 8];

	(void)dir;
	key_to_hex(hex, key);
	if (p->name[0]) {
		snprintf(name, sizeof(name), "n-%s", p->name);
		if (put_link(b->fd, name, hex, e) < 0)
			return wj_err_prefix(e, "%s", b->path);
	}
	for (size_t i = 0; i < p->n_aips; i++) {
		struct wg_ipmask m = p->aips[i];
		uint8_t was[WG_KEY_LEN];

		wg_ipmask_mask(&m);
		aipidx_name(name, sizeof(name), &m);
		if (link_owner(b->fd, name, was) == 1 && !key_equal(was, key))
			b->shared = true; /* two drop-ins list it: the last one is indexed */
		if (put_link(b->fd, name, hex, e) < 0)
			return wj_err_prefix(e, "%s", b->path);
	}
	return 0;
}

int aipidx_rebuild(const char *dir, struct wj_err *e)
{
	char idx[PATH_MAX], tmp[PATH_MAX];
	struct build b = {-1, NULL, false};
	int r = -1;

	if (sub_path(idx, sizeof(idx), dir, IDX_DIR, e) < 0 || sub_path(tmp, sizeof(tmp), dir, IDX_NEW, e) < 0)
		return -1;
	b.path = tmp;
	jailwg_remove_stale_temps(dir);
	if (rm_flat(tmp, e) < 0)
		return -1;
	if (mkdir(tmp, 0700) < 0)
		return wj_errnof(e, errno, "%s", tmp);
	if ((b.fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		wj_errnof(e, errno, "%s", tmp);
		goto fail;
	}
	if (jailwg_foreach(dir, true, build_fn, &b, e) < 0)
		goto fail;
	if (b.shared) {
		int fd = openat(b.fd, SHARED, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0)
			close(fd);
	}
	if (fsync(b.fd) < 0) {
		wj_errnof(e, errno, "%s: fsync", tmp);
		goto fail;
	}
	if (rm_flat(idx, e) < 0)
		goto fail;
	if (rename(tmp, idx) < 0) {
		wj_errnof(e, errno, "%s", idx);
		goto fail;
	}
	close(b.fd);
	aipidx_stamp(dir);
	return 0;
fail:
	if (b.fd >= 0)
		close(b.fd);
	rm_flat(tmp, NULL);
	return r;
}

int aipidx_ensure(const char *dir, bool *rebuilt, struct wj_err *e)
{
	struct stat st;

	if (rebuilt)
		*rebuilt = false;
	if (stat(dir, &st) < 0)
		return errno == ENOENT ? 0 : wj_errnof(e, errno, "%s", dir);
	if (stamp_ok(dir))
		return 0;
	if (rebuilt)
		*rebuilt = true;
	return aipidx_rebuild(dir, e);
}

/* ---- lookups and changes ---- */

static int open_idx(const char *dir, bool create, struct wj_err *e)
{
	char idx[PATH_MAX];
	int fd;

	if (sub_path(idx, sizeof(idx), dir, IDX_DIR, e) < 0)
		return -1;
	if (create && mkdir(idx, 0700) < 0 && errno != EEXIST)
		return wj_errnof(e, errno, "%s", idx);
	if ((fd = open(idx, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return (errno == ENOENT && !create) ? -2 : wj_errnof(e, errno, "%s", idx);
	return fd;
}

int aipidx_find(const char *dir, const struct wg_ipmask *aips, size_t n, struct aipidx_hit *hit,
		struct wj_err *e)
{
	int fd = open_idx(dir, false, e), r = 0;

	if (fd == -2)
		return 0; /* no drop-ins yet */
	if (fd < 0)
		return -1;
	for (size_t i = 0; i < n && !r; i++) {
		unsigned lo = aips[i].cidr ? 1 : 0;

		for (unsigned L = aips[i].cidr + 1; L-- > lo && !r;) {
			struct wg_ipmask m = aips[i];
			uint8_t owner[WG_KEY_LEN];
			char name[64];
			unsigned line = 0;
			int o;

			m.cidr = (uint8_t)L;
			wg_ipmask_mask(&m);
			aipidx_name(name, sizeof(name), &m);
			if ((o = link_owner(fd, name, owner)) < 0) {
				r = wj_errnof(e, errno, "%s/" IDX_DIR "/%s", dir, name);
				break;
			}
			if (!o)
				continue;
			if ((o = owner_lists(dir, owner, &m, &line, e)) < 0) {
				r = -1;
				break;
			}
			if (!o)
				continue; /* stale */
			hit->idx = i;
			hit->theirs = m;
			memcpy(hit->owner, owner, WG_KEY_LEN);
			hit->line = line;
			r = 1;
		}
	}
	close(fd);
	return r;
}

int aipidx_add(const char *dir, const uint8_t key[WG_KEY_LEN], const struct wg_ipmask *aips, size_t n,
	       int *sync_fd, struct wj_err *e)
{
	char hex[WG_KEY_HEX_LEN + 1], name[64];
	bool shared = false;
	int fd = open_idx(dir, true, e), r = 0;

	if (fd < 0)
		return -1;
	key_to_hex(hex, key);
	for (size_t i = 0; i < n && !r; i++) {
		struct wg_ipmask m = aips[i];
		uint8_t was[WG_KEY_LEN];
		unsigned line;

		wg_ipmask_mask(&m);
		aipidx_name(name, sizeof(name), &m);
		if (symlinkat(hex, fd, name) == 0)
			continue;
		if (errno != EEXIST) {
			r = wj_errnof(e, errno, "%s/" IDX_DIR "/%s", dir, name);
			break;
		}
		if (link_owner(fd, name, was) == 1) {
			if (key_equal(was, key))
				continue;
			if (owner_lists(dir, was, &m, &line, e) != 0)
				shared = true; /* taken with --force (or unreadable: assume so) */
		}
		if (put_link(fd, name, hex, e) < 0)
			r = wj_err_prefix(e, "%s", dir);
	}
	if (!r && shared) {
		int sfd = openat(fd, SHARED, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (sfd < 0)
			r = wj_errnof(e, errno, "%s/" IDX_DIR "/" SHARED, dir);
		else
			close(sfd);
	}
	if (!r && sync_fd) {
		*sync_fd = fd; /* the caller's to fsync and close */
		return 0;
	}
	if (!r && fsync(fd) < 0)
		r = wj_errnof(e, errno, "%s/" IDX_DIR ": fsync", dir);
	close(fd);
	return r;
}

int aipidx_remove(const char *dir, const uint8_t key[WG_KEY_LEN], const struct wg_ipmask *aips, size_t n,
		  struct wj_err *e)
{
	char name[64];
	int fd = open_idx(dir, false, e);

	if (fd == -2)
		return 0;
	if (fd < 0)
		return -1;
	struct stat st;

	if (fstatat(fd, SHARED, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		close(fd);
		return aipidx_rebuild(dir, e);
	}
	for (size_t i = 0; i < n; i++) {
		struct wg_ipmask m = aips[i];
		uint8_t was[WG_KEY_LEN];

		wg_ipmask_mask(&m);
		aipidx_name(name, sizeof(name), &m);
		if (link_owner(fd, name, was) == 1 && key_equal(was, key))
			unlinkat(fd, name, 0);
	}
	close(fd);
	return 0;
}

/* ---- names ---- */

int aipidx_name_find(const char *dir, const char *name, uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	char ln[WG_PEER_NAME_MAX + 8];
	struct wg_device *one = NULL;
	bool missing = false;
	int fd = open_idx(dir, false, e), o;

	if (fd == -2)
		return 0;
	if (fd < 0)
		return -1;
	snprintf(ln, sizeof(ln), "n-%s", name);
	o = link_owner(fd, ln, key);
	close(fd);
	if (o <= 0)
		return o < 0 ? wj_errnof(e, errno, "%s/" IDX_DIR "/%s", dir, ln) : 0;
	/* Believed only if the drop-in still has that name. */
	if (jailwg_read_dropin(dir, key, &one, &missing, e) < 0)
		return missing ? 0 : -1;
	o = strcmp(one->peers[0].name, name) == 0;
	wg_device_free(one);
	return o;
}

int aipidx_name_set(const char *dir, const uint8_t key[WG_KEY_LEN], const char *name, struct wj_err *e)
{
	char ln[WG_PEER_NAME_MAX + 8], hex[WG_KEY_HEX_LEN + 1];
	int fd = open_idx(dir, true, e), r;

	if (fd < 0)
		return -1;
	key_to_hex(hex, key);
	snprintf(ln, sizeof(ln), "n-%s", name);
	r = put_link(fd, ln, hex, e);
	close(fd);
	return r;
}

void aipidx_name_unset(const char *dir, const uint8_t key[WG_KEY_LEN], const char *name)
{
	char ln[WG_PEER_NAME_MAX + 8];
	uint8_t was[WG_KEY_LEN];
	struct wj_err ignored;
	int fd = open_idx(dir, false, &ignored);

	if (fd < 0)
		return;
	snprintf(ln, sizeof(ln), "n-%s", name);
	if (link_owner(fd, ln, was) == 1 && key_equal(was, key))
		unlinkat(fd, ln, 0);
	close(fd);
}
