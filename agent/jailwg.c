/* A jail's WireGuard config: main file + drop-ins (see agent/jailwg.h). */
#include "agent/jailwg.h"
#include "agent/peername.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/safefile.h"
#include "util/strutil.h"
#include "wg/conf_edit.h"
#include "wg/config.h"

#define DROPIN_MAX (1u << 20) /* one peer's section: far more than any AllowedIPs list */
#define MAIN_MAX (64u << 20)  /* a main file: as the parser's limit */

/* The sections of a drop-in: exactly one [Peer], nothing else. */
struct sections {
	unsigned n_peer, first_peer, second_peer, other_line;
	char other[32];
};

static int count_fn(void *arg, const char *section, const char *key, const char *value, unsigned line)
{
	struct sections *s = arg;

	(void)value;
	if (key)
		return 0;
	if (!strcmp(section, "peer")) {
		if (s->n_peer == 0)
			s->first_peer = line;
		else if (s->n_peer == 1)
			s->second_peer = line;
		s->n_peer++;
	} else if (!s->other_line) {
		s->other_line = line;
		snprintf(s->other, sizeof(s->other), "%s", section);
	}
	return 0;
}

static bool one_bracket(const char *text, size_t len)
{
	const char *b = memchr(text, '[', len);

	return b && !memchr(b + 1, '[', len - (size_t)(b + 1 - text));
}

int jailwg_parse_dropin(const char *text, size_t len, const char *path, const uint8_t key[WG_KEY_LEN],
			struct wg_device **out, struct wj_err *e)
{
	struct sections s;
	struct wg_device *d = NULL;

	*out = NULL;
	/* The usual drop-in first: a single '[' in it, so one section at
	 * most, and a parse that gives one peer of the file's key needs no
	 * scan of its sections.  Anything else is read again the long way,
	 * for its exact error. */
	if (one_bracket(text, len) && wg_config_parse(text, len, path, &d, e) == 0) {
		if (d->n_peers == 1 && key_equal(d->peers[0].public_key, key)) {
			*out = d;
			return 0;
		}
		wg_device_free(d);
		d = NULL;
	}
	memset(&s, 0, sizeof(s));
	if (conf_scan(text, len, count_fn, &s, NULL, NULL) != 0)
		return wj_errnof(e, ENOMEM, "%s", path);
	if (s.other_line)
		return wj_errf(e, "%s:%u: [%s] in a peer drop-in (it holds exactly one [Peer] section)", path,
			       s.other_line, !strcmp(s.other, "interface") ? "Interface" : "section");
	if (s.n_peer != 1)
		return s.n_peer ? wj_errf(e, "%s:%u: a second [Peer] section in a peer drop-in (one per file)", path,
					  s.second_peer)
				: wj_errf(e, "%s: no [Peer] section in a peer drop-in", path);
	if (wg_config_parse(text, len, path, &d, e) < 0)
		return -1;
	if (d->n_peers != 1 || !key_equal(d->peers[0].public_key, key)) {
		char b64[WG_KEY_B64_LEN + 1];
		key_to_base64(b64, key);
		wg_device_free(d);
		return wj_errf(e, "%s:%u: PublicKey does not match the file's name, which says %s (a drop-in is "
				  "named after its key, in hex)",
			       path, s.first_peer, b64);
	}
	*out = d;
	return 0;
}

/* One reusable, wiped buffer for reading drop-ins (they hold PSKs). */
struct rdbuf {
	char *p;
	size_t cap;
};

static void rdbuf_free(struct rdbuf *b)
{
	sodium_free(b->p); /* wipes */
	b->p = NULL;
	b->cap = 0;
}

/* Read NAME in directory DFD (path PATH for messages) into B. */
/* As util/fsutil.c's wj_read_file, but relative to the open directory DFD
 * (openat: 50,000 drop-ins are not looked up by path) and into a buffer
 * reused from one drop-in to the next. */
static int read_at(int dfd, const char *name, const char *path, struct rdbuf *b, size_t *len, bool *missing,
		   struct wj_err *e)
{
	struct stat st;
	size_t size, used = 0;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (missing)
		*missing = fd < 0 && errno == ENOENT;
	if (fd < 0)
		return wj_errnof(e, errno, "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > DROPIN_MAX) {
		close(fd);
		return wj_errf(e, "%s: not a regular file of at most %u bytes", path, DROPIN_MAX);
	}
	size = (size_t)st.st_size;
	if (size + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < size + 1)
			cap *= 2;
		rdbuf_free(b);
		if (!(b->p = sodium_malloc(cap))) {
			close(fd);
			return wj_errnof(e, ENOMEM, "%s", path);
		}
		b->cap = cap;
	}
	while (used < size) {
		ssize_t n = read(fd, b->p + used, size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;
			close(fd);
			sodium_memzero(b->p, used);
			return wj_errnof(e, err, "%s: read (file changing while read?)", path);
		}
		used += (size_t)n;
	}
	close(fd);
	b->p[used] = '\0';
	*len = used;
	return 0;
}

static int parse_at(int dfd, const char *dir, const uint8_t key[WG_KEY_LEN], struct rdbuf *b,
		    struct wg_device **out, bool *missing, struct wj_err *e)
{
	char name[JAILWG_DROPIN_NAME_LEN + 1], path[PATH_MAX];
	size_t len = 0;
	int r;

	jailwg_dropin_name(name, key);
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return wj_errf(e, "%s: path too long", dir);
	if (read_at(dfd, dfd == AT_FDCWD ? path : name, path, b, &len, missing, e) < 0)
		return -1;
	r = jailwg_parse_dropin(b->p, len, path, key, out, e);
	sodium_memzero(b->p, len);
	return r;
}

int jailwg_read_dropin(const char *dir, const uint8_t key[WG_KEY_LEN], struct wg_device **out, bool *missing,
		       struct wj_err *e)
{
	struct rdbuf b = {0};
	int r;

	*out = NULL;
	r = parse_at(AT_FDCWD, dir, key, &b, out, missing, e);
	rdbuf_free(&b);
	return r;
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, WG_KEY_LEN); /* byte order = hex name order */
}

int jailwg_list(const char *dir, uint8_t (**keys)[WG_KEY_LEN], size_t *n, struct wj_err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint8_t(*v)[WG_KEY_LEN] = NULL;
	size_t cnt = 0, cap = 0;

	*keys = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : wj_errnof(e, errno, "%s", dir);
	while ((errno = 0, de = readdir(d))) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 64;
			uint8_t(*nv)[WG_KEY_LEN] = realloc(v, nc * sizeof(*nv));
			if (!nv) {
				free(v);
				closedir(d);
				return wj_errnof(e, ENOMEM, "%s", dir);
			}
			v = nv;
			cap = nc;
		}
		if (jailwg_is_dropin_name(de->d_name, v[cnt]))
			cnt++;
	}
	if (errno) {
		int err = errno;
		free(v);
		closedir(d);
		return wj_errnof(e, err, "%s", dir);
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_key);
	*keys = v;
	*n = cnt;
	return 0;
}

/* Move peer SRC (from a drop-in) into DEV as a new peer: its heap parts
 * change owner, SRC is left empty. */
static int adopt_peer(struct wg_device *dev, struct wg_peer *src, struct wj_err *e)
{
	struct wg_peer *p = wg_device_add_peer(dev, src->public_key);

	if (!p)
		return wj_errnof(e, ENOMEM, "merging peers");
	*p = *src; /* the same key; a parsed peer has no device state to lose */
	src->endpoint = NULL;
	src->aips = NULL;
	src->n_aips = src->cap_aips = 0;
	return 0;
}

/* The drop-ins KEYS[0..N) of DIR (jailwg_list's), parsed in that order
 * (see jailwg_foreach); KEYS freed. */
static int foreach_listed(const char *dir, uint8_t (*keys)[WG_KEY_LEN], size_t n, bool lenient, jailwg_fn fn,
			  void *arg, struct wj_err *e)
{
	struct rdbuf b = {0};
	int dfd = -1, r = -1;

	/* Drop-ins are peers of the jail: their directory must be wgjail's
	 * alone (util/safefile.h), and is not followed if a link. */
	if (n && wj_check_trusted_dir(dir, true, e) < 0) {
		free(keys);
		return -1;
	}
	if (n && (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		wj_errnof(e, errno, "%s", dir);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		struct wg_device *one = NULL;
		bool missing = false;
		int fr;

		if (parse_at(dfd, dir, keys[i], &b, &one, &missing, e) < 0) {
			if (missing || lenient)
				continue; /* removed since the listing: it is gone */
			goto done;
		}
		fr = fn(arg, dir, keys[i], one, e);
		wg_device_free(one);
		if (fr < 0)
			goto done;
	}
	r = 0;
done:
	if (dfd >= 0)
		close(dfd);
	rdbuf_free(&b);
	free(keys);
	return r;
}

int jailwg_foreach(const char *dir, bool lenient, jailwg_fn fn, void *arg, struct wj_err *e)
{
	uint8_t(*keys)[WG_KEY_LEN] = NULL;
	size_t n = 0;

	if (jailwg_list(dir, &keys, &n, e) < 0)
		return -1;
	return foreach_listed(dir, keys, n, lenient, fn, arg, e);
}

struct merge {
	struct wg_device *dev;
	size_t n_main;
	const char *main_path;
};

static int merge_fn(void *arg, const char *dir, const uint8_t key[WG_KEY_LEN], struct wg_device *one,
		    struct wj_err *e)
{
	struct merge *m = arg;
	const struct wg_peer *dup = wg_device_find_peer(m->dev, key);

	if (dup && (size_t)(dup - m->dev->peers) < m->n_main) {
		char name[JAILWG_DROPIN_NAME_LEN + 1], b64[WG_KEY_B64_LEN + 1];
		jailwg_dropin_name(name, key);
		key_to_base64(b64, key);
		return wj_errf(e, "%s/%s:%u: peer %s is also in %s:%u (a key may be listed in one place only)", dir,
			       name, one->peers[0].line, b64, m->main_path, dup->line);
	}
	return adopt_peer(m->dev, &one->peers[0], e);
}

int jailwg_load_main(const char *path, struct wg_device **out, struct wj_err *e)
{
	char *text;
	size_t len;
	int r;

	*out = NULL;
	if (wj_read_conf(path, MAIN_MAX, true, &text, &len, e) < 0)
		return -1;
	r = wg_config_parse(text, len, path, out, e);
	wj_free_file(text, len, true);
	return r;
}

int jailwg_load_paths(const char *main_path, const char *dir, struct wg_device **out, struct wj_err *e)
{
	struct merge m = {NULL, 0, main_path};
	uint8_t(*keys)[WG_KEY_LEN] = NULL;
	size_t n = 0;

	*out = NULL;
	if (jailwg_load_main(main_path, &m.dev, e) < 0)
		return -1;
	m.n_main = m.dev->n_peers;
	/* Room for every peer at once: the merged device's array and index
	 * are not grown (and rehashed) along the way. */
	if (jailwg_list(dir, &keys, &n, e) < 0) {
		wg_device_free(m.dev);
		return -1;
	}
	if (n && n < SIZE_MAX / 2 - m.n_main && wg_device_reserve(m.dev, m.n_main + n) < 0) {
		free(keys);
		wg_device_free(m.dev);
		return wj_errnof(e, ENOMEM, "%s", dir);
	}
	if (foreach_listed(dir, keys, n, false, merge_fn, &m, e) < 0 ||
	    peername_check_unique(m.dev, m.n_main, main_path, dir, e) < 0) {
		wg_device_free(m.dev);
		return -1;
	}
	*out = m.dev;
	return 0;
}

int jailwg_load(const char *jail, const char *ifname, struct wg_device **out, struct wj_err *e)
{
	char main_path[PATH_MAX], dir[PATH_MAX];

	*out = NULL;
	if (jailwg_main_path(main_path, sizeof(main_path), jail, ifname, e) < 0 ||
	    jailwg_dir_path(dir, sizeof(dir), jail, ifname, e) < 0)
		return -1;
	return jailwg_load_paths(main_path, dir, out, e);
}

void jailwg_remove_stale_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char name[JAILWG_DROPIN_NAME_LEN + 1];

	if (!d)
		return;
	/* wj_write_atomic's temporary name: PATH.tmp + mkstemp's six */
	while ((de = readdir(d))) {
		if (strlen(de->d_name) != JAILWG_DROPIN_NAME_LEN + 4 + 6 ||
		    strncmp(de->d_name + JAILWG_DROPIN_NAME_LEN, ".tmp", 4) != 0)
			continue;
		memcpy(name, de->d_name, JAILWG_DROPIN_NAME_LEN);
		name[JAILWG_DROPIN_NAME_LEN] = '\0';
		if (jailwg_is_dropin_name(name, NULL))
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int jailwg_mkdir(const char *dir, struct wj_err *e)
{
	char parent[PATH_MAX];
	char *slash;

	if (mkdir(dir, 0700) < 0)
		return errno == EEXIST ? 0 : wj_errnof(e, errno, "%s", dir);
	/* A new directory: its entry in the jail's directory made durable. */
	snprintf(parent, sizeof(parent), "%s", dir);
	if ((slash = strrchr(parent, '/')) && slash != parent) {
		*slash = '\0';
		return jailwg_sync_dir(parent, e);
	}
	return 0;
}

int jailwg_sync_dir(const char *dir, struct wj_err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return wj_errnof(e, errno, "%s", dir);
	if (fsync(fd) < 0) {
		int err = errno;
		close(fd);
		return wj_errnof(e, err, "%s: fsync", dir);
	}
	close(fd);
	return 0;
}
