/* A device as a UAPI GET reply (see wg/uapi_write.h). */
#include "wg/uapi_write.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/secmem.h"

#define WBUF 16384
#define WLINE 256 /* the longest line written (an endpoint, a key) */

struct wout {
	int fd;
	char *buf; /* wiped: holds hex keys */
	size_t len;
	int err;   /* errno of the first failed write */
};

static void wflush(struct wout *o)
{
	for (size_t off = 0; off < o->len && !o->err;) {
		ssize_t n = write(o->fd, o->buf + off, o->len - off);
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
