/* A device as a UAPI GET reply (see wg/uapi_write.h). */
#include "wg/uapi_write.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/err.h"
#include "util/secmem.h"
#include "wg/uapi_decode.h"

#define WBUF 16384
#define WLINE 256 /* the longest line written (an endpoint, a key) */

struct wout {
	int fd;
	char *buf; /* wiped: holds hex keys */
	size_t len;
	int err;   /* errno of the first failed write */
};

/* A socket is written with send (no SIGPIPE when the other end is gone:
 * the error says it), anything else with write. */
static ssize_t wsend(int fd, const char *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

	return n < 0 && errno == ENOTSOCK ? write(fd, buf, len) : n;
}

static void wflush(struct wout *o)
{
	for (size_t off = 0; off < o->len && !o->err;) {
		ssize_t n = wsend(o->fd, o->buf + off, o->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			o->err = n < 0 ? errno : EIO;
		else
			off += (size_t)n;
	}
	sodium_memzero(o->buf, o->len);
	o->len = 0;
}

static void wline(struct wout *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wline(struct wout *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + WLINE > WBUF)
		wflush(o);
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, WBUF - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < WBUF - o->len ? (size_t)n : WBUF - o->len - 1;
}

static void wkey(struct wout *o, const char *k, const uint8_t key[WG_KEY_LEN])
{
	char hex[WG_KEY_HEX_LEN + 1];

	key_to_hex(hex, key);
	wline(o, "%s=%s\n", k, hex);
	sodium_memzero(hex, sizeof(hex));
}

static void wpeer(struct wout *o, const struct wg_peer *p)
{
	char buf[96];

	wkey(o, "public_key", p->public_key);
	if ((p->flags & WGPEER_HAS_PSK) && !key_is_zero(p->psk))
		wkey(o, "preshared_key", p->psk);
	if (p->endpoint_addr.sa.sa_family == AF_INET || p->endpoint_addr.sa.sa_family == AF_INET6)
		wline(o, "endpoint=%s\n", wg_sockaddr_fmt(&p->endpoint_addr, buf, sizeof(buf)));
	wline(o, "persistent_keepalive_interval=%u\n", (unsigned)p->keepalive);
	wline(o, "last_handshake_time_sec=%" PRId64 "\nlast_handshake_time_nsec=%" PRId64 "\n",
	      p->last_handshake_sec, p->last_handshake_nsec);
	wline(o, "rx_bytes=%" PRIu64 "\ntx_bytes=%" PRIu64 "\n", p->rx_bytes, p->tx_bytes);
	for (size_t i = 0; i < p->n_aips; i++)
		wline(o, "allowed_ip=%s\n", wg_ipmask_fmt(&p->aips[i], buf, sizeof(buf)));
}

int wg_uapi_write_get(int fd, const struct wg_device *dev, struct wj_err *e)
{
	struct wout o = {fd, wj_secret_alloc(WBUF), 0, 0};

	if (!o.buf)
		return wj_errnof(e, ENOMEM, "%s: writing the device", dev->name);
	if (dev->private_key && (dev->flags & WGDEV_HAS_PRIVATE_KEY))
		wkey(&o, "private_key", dev->private_key);
	else if (dev->flags & WGDEV_HAS_PUBLIC_KEY)
		wkey(&o, "own_public_key", dev->public_key);
	wline(&o, "listen_port=%u\n", (unsigned)dev->listen_port);
	if (dev->fwmark)
		wline(&o, "fwmark=%" PRIu32 "\n", dev->fwmark);
	for (size_t i = 0; i < dev->n_peers; i++)
		wpeer(&o, &dev->peers[i]);
	wline(&o, "errno=0\n\n");
	wflush(&o);
	wj_secret_free(o.buf);
	if (o.err)
		return wj_errnof(e, o.err, "%s: writing the device", dev->name[0] ? dev->name : "interface");
	return 0;
}

/* ---- the set form ------------------------------------------------------ */

/* "ip:port", "[ip6]:port", "[fe80::1%zone]:port": the zone by name, as
 * wg(8) sends it (by number if the index has no name here, or always with
 * WG_UAPI_SET_REQUEST: a request is read in another network stack). */
static void wendpoint(struct wout *o, const union wg_sockaddr *a, unsigned flags)
{
	char host[INET6_ADDRSTRLEN], zone[IF_NAMESIZE + 1], buf[96];

	if (a->sa.sa_family != AF_INET6 || !a->in6.sin6_scope_id) {
		wline(o, "endpoint=%s\n", wg_sockaddr_fmt(a, buf, sizeof(buf)));
		return;
	}
	inet_ntop(AF_INET6, &a->in6.sin6_addr, host, sizeof(host));
	if ((flags & WG_UAPI_SET_REQUEST) || !if_indextoname(a->in6.sin6_scope_id, zone))
		snprintf(zone, sizeof(zone), "%u", a->in6.sin6_scope_id);
	wline(o, "endpoint=[%s%%%s]:%u\n", host, zone, ntohs(a->in6.sin6_port));
}

static bool addr_set(const struct wg_peer *p)
{
	return p->endpoint_addr.sa.sa_family == AF_INET || p->endpoint_addr.sa.sa_family == AF_INET6;
}

/* An endpoint that can be written as text: printable, no blank, short. */
static bool text_ok(const char *t)
{
	size_t n = strlen(t);

	_Static_assert(WG_UAPI_ENDPOINT_TEXT_MAX + 16 <= WLINE, "an endpoint's line fits");
	if (n == 0 || n > WG_UAPI_ENDPOINT_TEXT_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
			return false;
	return true;
}

static int wpeer_set(struct wout *o, const char *ifname, const struct wg_peer *p, unsigned flags,
		     struct wj_err *e)
{
	wkey(o, "public_key", p->public_key);
	if (p->flags & WGPEER_REMOVE) {
		wline(o, "remove=true\n");
		return 0;
	}
	if (p->flags & WGPEER_UPDATE_ONLY)
		wline(o, "update_only=true\n");
	if (p->flags & WGPEER_HAS_PSK)
		wkey(o, "preshared_key", p->psk);
	if ((p->flags & WGPEER_HAS_ENDPOINT) && addr_set(p))
		wendpoint(o, &p->endpoint_addr, flags);
	else if ((p->flags & WGPEER_HAS_ENDPOINT) && (flags & WG_UAPI_SET_REQUEST) && p->endpoint &&
		 text_ok(p->endpoint))
		wline(o, "endpoint=%s\n", p->endpoint);
	else if (p->flags & WGPEER_HAS_ENDPOINT) {
		char kb[WG_KEY_B64_LEN + 1];
		key_to_base64(kb, p->public_key);
		return wj_errf(e, "%s: peer %s: endpoint not resolved", ifname, kb);
	}
	if (p->flags & WGPEER_HAS_KEEPALIVE)
		wline(o, "persistent_keepalive_interval=%u\n", (unsigned)p->keepalive);
	if (p->flags & WGPEER_REPLACE_AIPS)
		wline(o, "replace_allowed_ips=true\n");
	for (size_t i = 0; i < p->n_aips; i++) {
		char buf[96];
		wline(o, "allowed_ip=%s\n", wg_ipmask_fmt(&p->aips[i], buf, sizeof(buf)));
	}
	return 0;
}

int wg_uapi_set_check(const char *ifname, const struct wg_device *c, unsigned flags, struct wj_err *e)
{
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer *p = &c->peers[i];
		if (!(p->flags & WGPEER_HAS_ENDPOINT) || (p->flags & WGPEER_REMOVE) || addr_set(p) ||
		    ((flags & WG_UAPI_SET_REQUEST) && p->endpoint && text_ok(p->endpoint)))
			continue;
		char kb[WG_KEY_B64_LEN + 1];
		key_to_base64(kb, p->public_key);
		return wj_errf(e, "%s: peer %s: endpoint not resolved", ifname, kb);
	}
	return 0;
}

int wg_uapi_write_set(int fd, const char *ifname, const struct wg_device *c, unsigned flags, struct wj_err *e)
{
	static const uint8_t zero[WG_KEY_LEN];
	struct wout o = {fd, NULL, 0, 0};
	int r = 0;

	if (wg_uapi_set_check(ifname, c, flags, e) < 0)
		return -1;
	if (!(o.buf = wj_secret_alloc(WBUF)))
		return wj_errnof(e, ENOMEM, "%s: writing the change", ifname);
	wline(&o, "set=1\n");
	if (c->flags & WGDEV_HAS_PRIVATE_KEY)
		wkey(&o, "private_key", c->private_key ? c->private_key : zero);
	if (c->flags & WGDEV_HAS_LISTEN_PORT)
		wline(&o, "listen_port=%u\n", (unsigned)c->listen_port);
	if (c->flags & WGDEV_HAS_FWMARK)
		wline(&o, "fwmark=%" PRIu32 "\n", c->fwmark);
	if (c->flags & WGDEV_REPLACE_PEERS)
		wline(&o, "replace_peers=true\n");
	for (size_t i = 0; i < c->n_peers && r == 0; i++)
		r = wpeer_set(&o, ifname, &c->peers[i], flags, e);
	if (r == 0) {
		wline(&o, "\n");
		wflush(&o);
	}
	sodium_memzero(o.buf, o.len);
	wj_secret_free(o.buf);
	if (r == 0 && o.err)
		return wj_errnof(e, o.err, "%s: sending the change", ifname);
	return r;
}
