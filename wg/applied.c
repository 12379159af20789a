/* The record of the last sync (see wg/applied.h). */
#include "wg/applied.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/platform.h"
#include "wg/backend.h"
#include "wg/config_private.h"
#include "wg/uapi.h"

#define REC_MAGIC "wgjail applied 2\n"

int wg_state_path(const char *kind, const char *ifname, const char *suffix, char *out, size_t outsz)
{
	const char *dir = wj_statedir();
	struct stat st;
	unsigned long long ns = 0;
	int n;

	/* Interface names repeat across namespaces (every jail has its wg0),
	 * and so do UAPI sockets in per-jail socket directories. */
	if (stat("/proc/self/ns/net", &st) == 0)
		ns = (unsigned long long)st.st_ino;
	if (strcmp(wg_uapi_dir(), "/var/run/wireguard") != 0) {
		unsigned char h[crypto_shorthash_BYTES];
		static const unsigned char k[crypto_shorthash_KEYBYTES] = "wgjail-uapi-dir";
		crypto_shorthash(h, (const unsigned char *)wg_uapi_dir(), strlen(wg_uapi_dir()), k);
		n = snprintf(out, outsz, "%s/%s/%llu-%02x%02x%02x%02x-%s%s", dir, kind, ns, h[0], h[1], h[2], h[3],
			     ifname, suffix);
	} else {
		n = snprintf(out, outsz, "%s/%s/%llu-%s%s", dir, kind, ns, ifname, suffix);
	}
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int wg_applied_identity(const struct wg_backend *b, const char *ifname, bool mint, char *out, size_t outsz)
{
	return b && b->identity ? b->identity(ifname, mint, out, outsz) : -1;
}

/* The directory of PATH, made private if missing. */
static int parent_dir(const char *path, struct wj_err *e)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	return wj_mkdirs(dir, 0700, e);
}

int wg_applied_lock(const char *ifname)
{
	char path[PATH_MAX];
	struct wj_err e;
	int fd;

	if (wg_state_path("applied", ifname, ",lock", path, sizeof(path)) < 0 || parent_dir(path, &e) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

void wg_applied_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

int wg_applied_load(const char *ifname, const char *identity, struct wg_applied *a)
{
	char path[PATH_MAX];
	size_t hl = sizeof(REC_MAGIC) - 1, il = strlen(identity), at;
	unsigned long long tl, cl;
	const char *nl;
	char num[48], *endp;
	struct stat st;
	void *map;
	int fd;

	memset(a, 0, sizeof(*a));
	if (wg_state_path("applied", ifname, "", path, sizeof(path)) < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
	    st.st_size < (off_t)(hl + il + 4) || (unsigned long long)st.st_size > 2ull * WG_CONFIG_MAX_SIZE) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | WJ_MAP_PREFAULT, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 0;
	a->buf = map;
	a->buflen = (size_t)st.st_size;
	/* MAGIC, IDENTITY "\n", "TEXTLEN CUTLEN\n", text, cut */
	at = hl + il + 1;
	if (memcmp(a->buf, REC_MAGIC, hl) != 0 || memcmp(a->buf + hl, identity, il) != 0 || a->buf[hl + il] != '\n' ||
	    !(nl = memchr(a->buf + at, '\n', a->buflen - at)) || (size_t)(nl - (a->buf + at)) >= sizeof(num))
		goto bad;
	memcpy(num, a->buf + at, (size_t)(nl - (a->buf + at)));
	num[nl - (a->buf + at)] = '\0';
	tl = strtoull(num, &endp, 10);
	if (*endp != ' ')
		goto bad;
	cl = strtoull(endp + 1, &endp, 10);
	if (*endp != '\0')
		goto bad;
	at = (size_t)(nl + 1 - a->buf);
	if (tl > WG_CONFIG_MAX_SIZE || cl > WG_CONFIG_MAX_SIZE || a->buflen - at != tl + cl)
		goto bad;
	a->text = a->buf + at;
	a->len = (size_t)tl;
	a->cut = a->buf + at + tl;
	a->cutlen = (size_t)cl;
	return 1;
bad:
	wg_applied_free(a);
	return 0;
}

void wg_applied_free(struct wg_applied *a)
{
	if (a->buf)
		munmap(a->buf, a->buflen);
	memset(a, 0, sizeof(*a));
}

int wg_applied_save(const char *ifname, const char *identity, const char *text, size_t len, const void *cut,
		    size_t cutlen, struct wj_err *e)
{
	char path[PATH_MAX], head[256];
	struct iovec parts[3];
	int n;

	if (wg_state_path("applied", ifname, "", path, sizeof(path)) < 0)
		return wj_errf(e, "%s: state path too long", ifname);
	if (parent_dir(path, e) < 0)
		return -1;
	n = snprintf(head, sizeof(head), "%s%s\n%zu %zu\n", REC_MAGIC, identity, len, cutlen);
	if (n < 0 || (size_t)n >= sizeof(head))
		return wj_errf(e, "%s: device identity too long", ifname);
	parts[0] = (struct iovec){.iov_base = head, .iov_len = (size_t)n};
	parts[1] = (struct iovec){.iov_base = (void *)(uintptr_t)text, .iov_len = len};
	parts[2] = (struct iovec){.iov_base = (void *)(uintptr_t)cut, .iov_len = cutlen};
	return wj_write_atomicv(path, parts, 3, 0600, e);
}

/* NAME (in a state directory) belongs to NS_INO's IFNAME: "INO-IF",
 * "INO-HASH-IF", optionally followed by ",lock" or a temporary suffix. */
static bool state_of(const char *name, const char *prefix, const char *ifname)
{
	const char *p;
	size_t n = strlen(ifname);

	if (strncmp(name, prefix, strlen(prefix)) != 0)
		return false;
	if (!ifname[0])
		return true;
	for (p = name + strlen(prefix); (p = strstr(p, ifname)); p++)
		if (p[-1] == '-' && (p[n] == '\0' || p[n] == ',' || !strncmp(p + n, ".tmp", 4)))
			return true;
	return false;
}

void wg_state_forget(unsigned long long ns_ino, const char *ifname)
{
	static const char *const kinds[] = {"applied", "endpoints"};
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "%llu-", ns_ino);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
		char dir[PATH_MAX], probe[PATH_MAX], *slash;
		struct dirent *de;
		DIR *d;

		/* the directory, as wg_state_path makes it */
		if (wg_state_path(kinds[k], "x", "", probe, sizeof(probe)) < 0)
			continue;
		snprintf(dir, sizeof(dir), "%s", probe);
		if ((slash = strrchr(dir, '/')))
			*slash = '\0';
		if (!(d = opendir(dir)))
			continue;
		while ((de = readdir(d)))
			if (state_of(de->d_name, prefix, ifname ? ifname : ""))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
}

void wg_applied_forget(const char *ifname)
{
	char path[PATH_MAX];

	if (wg_state_path("applied", ifname, "", path, sizeof(path)) == 0)
		unlink(path);
}

int wg_device_set(const struct wg_backend *b, const char *ifname, const struct wg_device *changes,
		  struct wj_err *e)
{
	int fd = wg_applied_lock(ifname), r;

	wg_applied_forget(ifname);
	r = b->set(ifname, changes, e);
	wg_applied_unlock(fd);
	return r;
}
