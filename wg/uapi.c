/* The UAPI backend: the unix socket DIR/IFNAME.sock of a userspace
 * WireGuard daemon (wireguard-go, boringtun) and its text protocol.  One
 * connection per operation, as wg(8).  Keys are sent as lowercase hex;
 * replies are decoded by wg/uapi_decode.c. */
#include "wg/uapi.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/err.h"
#include "util/paths.h"
#include "util/strutil.h"
#include "wg/backend.h"
#include "wg/uapi_decode.h"
#include "wg/uapi_frame.h"
#include "wg/uapi_write.h"

/* A daemon that stops answering must not hang wgjail forever.  One read
 * waits for a whole SET to be processed: wireguard-go creates 50,000 new
 * peers in about 5 s here, so the limit is generous. */
#define UAPI_TIMEOUT_SEC 120
/* Read buffer: small, it is mlock'd (sodium_malloc). */
#define UAPI_RDBUF 16384

static int sock_path(const char *ifname, struct sockaddr_un *sun)
{
	int n;

	if (wj_ifname_invalid(ifname))
		return -1;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s.sock", wj_uapi_dir(), ifname);
	return n < 0 || (size_t)n >= sizeof(sun->sun_path) ? -1 : 0;
}

/* Connect to IFNAME's socket.  Returns the fd, or -1 with errno set:
 * ENOENT when there is no socket (a stale one, refusing connections, is
 * removed as wg(8) does). */
static int uapi_connect(const char *ifname)
{
	struct sockaddr_un sun;
	struct stat st;
	struct timeval tv = {UAPI_TIMEOUT_SEC, 0};
	int fd, err;

	if (sock_path(ifname, &sun) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (stat(sun.sun_path, &st) < 0)
		return -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = ENOENT;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		close(fd);
		if (err == ECONNREFUSED) {
			unlink(sun.sun_path);
			err = ENOENT;
		}
		errno = err;
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

bool wg_uapi_present(const char *ifname)
{
	struct sockaddr_un sun;
	struct stat st;

	return sock_path(ifname, &sun) == 0 && stat(sun.sun_path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static bool uapi_has(const char *ifname)
{
	int fd = uapi_connect(ifname);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int open_or_fail(const char *ifname, struct wj_err *e)
{
	int fd = uapi_connect(ifname);

	if (fd < 0) {
		if (errno == ENOENT)
			wj_errf(e, "%s: no userspace WireGuard socket %s/%s.sock", ifname, wj_uapi_dir(), ifname);
		else
			wj_errnof(e, errno, "%s: connecting to %s/%s.sock", ifname, wj_uapi_dir(), ifname);
	}
	return fd;
}

/* As util/fsutil.c's write loop, but send(2) with MSG_NOSIGNAL: a closed
 * socket must not raise SIGPIPE. */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Where a reply's bytes go as they come: the decoder, or the shape check
 * and a descriptor (wg_uapi_pass_get).  As wg_uapi_dec_feed: 0, 1 (the
 * reply ended after *USED bytes), -1 with E set. */
typedef int (*reply_sink)(void *arg, const char *data, size_t len, size_t *used, struct wj_err *e);

static int to_decoder(void *arg, const char *data, size_t len, size_t *used, struct wj_err *e)
{
	return wg_uapi_dec_feed(arg, data, len, used, e);
}

/* Read one reply into SINK.  SECRET: it may carry keys (a GET's carries
 * the private key), read into locked memory; a set's reply is errno=N,
 * read through a small buffer on the stack (locking a page costs more
 * than the whole answer). */
static int read_reply(int fd, const char *ifname, bool secret, reply_sink sink, void *arg, struct wj_err *e)
{
	char small[256];
	char *buf = secret ? sodium_malloc(UAPI_RDBUF) : small;
	size_t cap = secret ? UAPI_RDBUF : sizeof(small);
	int r = 0;

	if (!buf)
		return wj_errnof(e, ENOMEM, "%s", ifname);
	while (r == 0) {
		ssize_t n = read(fd, buf, cap);
		size_t used;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = wj_errnof(e, errno == EAGAIN ? ETIMEDOUT : errno, "%s: reading the UAPI reply", ifname);
			break;
		}
		if (n == 0) {
			r = wj_errf(e, "%s: the WireGuard daemon closed the connection before the end of its reply",
				    ifname);
			e->code = EPROTO;
			break;
		}
		r = sink(arg, buf, (size_t)n, &used, e);
		if (r == 1 && used != (size_t)n) {
			r = wj_errf(e, "%s: bytes after the end of the UAPI reply", ifname);
			e->code = EPROTO;
		} else if (r < 0) {
			wj_err_prefix(e, "%s", ifname);
		}
	}
	if (secret)
		sodium_free(buf);
	return r < 0 ? -1 : 0;
}

/* Send "get=1"; the connected socket, or -1 with E set. */
static int send_get(const char *ifname, struct wj_err *e)
{
	static const char req[] = "get=1\n\n";
	int fd;

	if ((fd = open_or_fail(ifname, e)) < 0)
		return -1;
	if (send_all(fd, req, sizeof(req) - 1) < 0) {
		wj_errnof(e, errno, "%s: sending a UAPI get", ifname);
		close(fd);
		return -1;
	}
	return fd;
}

int wg_uapi_get_stream(const char *ifname, wg_uapi_peer_fn fn, void *arg, struct wg_device **out, struct wj_err *e)
{
	struct wg_uapi_dec *d;
	int fd, r;

	*out = NULL;
	if ((fd = send_get(ifname, e)) < 0)
		return -1;
	if (!(d = wg_uapi_dec_new(false))) {
		close(fd);
		return wj_errnof(e, ENOMEM, "%s", ifname);
	}
	if (fn)
		wg_uapi_dec_stream(d, fn, arg);
	r = read_reply(fd, ifname, true, to_decoder, d, e);
	close(fd);
	if (r == 0) {
		*out = wg_uapi_dec_take(d);
		snprintf((*out)->name, sizeof((*out)->name), "%s", ifname);
	}
	wg_uapi_dec_free(d);
	return r;
}

/* ---- get, passed through: checked for shape, written to a descriptor ---- */

/* The reply is held whole before it is written: the daemon answers at
 * its own pace while the reader does something else (`peer list` reads
 * the config's files meanwhile), instead of waiting on a full pipe.  In
 * wiped, locked memory (it holds the keys); where that cannot grow, what
 * is held goes out and the rest streams. */
struct pass {
	struct wg_uapi_frame frame;
	int out;
	char *held;
	size_t n_held, cap_held;
};

static int write_out(int fd, const char *data, size_t len, struct wj_err *e)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return wj_errnof(e, errno, "passing the UAPI reply on");
		off += (size_t)n;
	}
	return 0;
}

/* Room for MORE bytes in P's held reply: false when it cannot grow. */
static bool hold_room(struct pass *p, size_t more)
{
	size_t cap = p->cap_held ? p->cap_held : (size_t)1 << 20;
	char *np;

	if (p->n_held + more <= p->cap_held)
		return true;
	while (cap < p->n_held + more)
		cap *= 2;
	if (!(np = sodium_malloc(cap)))
		return false;
	if (p->held) {
		memcpy(np, p->held, p->n_held);
		sodium_free(p->held); /* wipes */
	}
	p->held = np;
	p->cap_held = cap;
	return true;
}

static int flush_held(struct pass *p, struct wj_err *e)
{
	int r = p->n_held ? write_out(p->out, p->held, p->n_held, e) : 0;

	if (p->held)
		sodium_free(p->held);
	p->held = NULL;
	p->n_held = p->cap_held = 0;
	return r;
}

static int to_descriptor(void *arg, const char *data, size_t len, size_t *used, struct wj_err *e)
{
	struct pass *p = arg;
	int r = wg_uapi_frame_feed(&p->frame, data, len, used, e);

	if (r < 0)
		return -1; /* the bytes before the fault need not go: the call fails */
	if (p->cap_held != SIZE_MAX && hold_room(p, *used)) {
		memcpy(p->held + p->n_held, data, *used);
		p->n_held += *used;
		return r == 1 && flush_held(p, e) < 0 ? -1 : r;
	}
	if (flush_held(p, e) < 0)
		return -1;
	p->cap_held = SIZE_MAX; /* streaming from here on */
	return write_out(p->out, data, *used, e) < 0 ? -1 : r;
}

static int uapi_pass_get(const char *ifname, int out, struct wj_err *e)
{
	struct pass p = {.out = out};
	int fd, r;

	wg_uapi_frame_init(&p.frame);
	if ((fd = send_get(ifname, e)) < 0)
		return -1;
	r = read_reply(fd, ifname, true, to_descriptor, &p, e);
	close(fd);
	if (p.held)
		sodium_free(p.held); /* a reply that failed: wiped, not sent */
	return r;
}

static int uapi_get(const char *ifname, struct wg_device **out, struct wj_err *e)
{
	return wg_uapi_get_stream(ifname, NULL, NULL, out, e);
}

/* ---- set: the set form (wg/uapi_write.h), then the daemon's errno ---- */

static int uapi_set(const char *ifname, const struct wg_device *c, struct wj_err *e)
{
	struct wg_uapi_dec *d = NULL;
	struct wj_err se;
	int fd, sent, r = -1;

	/* Everything that can be refused is refused before a byte is sent. */
	if (wg_uapi_set_check(ifname, c, 0, e) < 0)
		return -1;
	if (!(d = wg_uapi_dec_new(true)))
		return wj_errnof(e, ENOMEM, "%s", ifname);
	if ((fd = open_or_fail(ifname, e)) < 0)
		goto out;
	wj_err_clear(&se);
	sent = wg_uapi_write_set(fd, ifname, c, 0, &se);
	/* Even when sending failed, the daemon may have answered why (it
	 * replies errno=N at the first bad line and stops reading). */
	if (read_reply(fd, ifname, false, to_decoder, d, e) < 0) {
		if (sent < 0 && e->code == EPROTO)
			*e = se;
		goto out;
	}
	if (sent < 0) {
		*e = se;
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	wg_uapi_dec_free(d);
	return r;
}

static int uapi_list(char ***names, size_t *n, struct wj_err *e)
{
	DIR *dir = opendir(wj_uapi_dir());
	struct dirent *de;

	if (!dir) {
		if (errno == ENOENT)
			return 0;
		return wj_errnof(e, errno, "listing %s", wj_uapi_dir());
	}
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		char name[64], **nv;
		if (len <= 5 || len - 5 >= sizeof(name) || strcmp(de->d_name + len - 5, ".sock") != 0)
			continue;
		memcpy(name, de->d_name, len - 5);
		name[len - 5] = '\0';
		if (wj_ifname_invalid(name) || !uapi_has(name))
			continue;
		nv = realloc(*names, (*n + 1) * sizeof(*nv));
		if (!nv || !(nv[*n] = strdup(name))) {
			if (nv)
				*names = nv;
			closedir(dir);
			return wj_errnof(e, ENOMEM, "listing %s", wj_uapi_dir());
		}
		*names = nv;
		(*n)++;
	}
	closedir(dir);
	return 0;
}

/* The socket's inode and ctime: a restarted daemon makes a new socket. */
static int uapi_identity(const char *ifname, bool mint, char *out, size_t outsz)
{
	struct sockaddr_un sun;
	struct stat st;
	int n;

	(void)mint;
	if (sock_path(ifname, &sun) < 0 || stat(sun.sun_path, &st) < 0)
		return -1;
	n = snprintf(out, outsz, "uapi %llu:%llu:%lld.%09ld", (unsigned long long)st.st_dev,
		     (unsigned long long)st.st_ino, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

const struct wg_backend wg_backend_uapi = {"uapi",   uapi_has,      uapi_get, uapi_set,
					   uapi_list, uapi_identity, uapi_pass_get};
