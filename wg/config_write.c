/* wg0.conf writer: the canonical text of a model.
 *
 *   [Interface]  PrivateKey, ListenPort, FwMark, then the wg-quick keys
 *                (Address, DNS, MTU, Table, PreUp, PostUp, PreDown,
 *                PostDown, SaveConfig) unless WG_CONFIG_STRIP_QUICK
 *   [Peer]       PublicKey, PresharedKey, AllowedIPs (one line), Endpoint,
 *                PersistentKeepalive
 *
 * The buffer is sized exactly once (no realloc leaving copies of keys in
 * freed memory) and wiped when released. */
#include "wg/config.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/fsutil.h"

struct out {
	char *buf;
	size_t len, cap;
	bool overflow;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->overflow = true;
		return;
	}
	o->len += (size_t)n;
}

static size_t strv_size(char *const *v, size_t n)
{
	size_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += strlen(v[i]) + 16;
	return s;
}

/* An upper bound of the text's size. */
static size_t text_bound(const struct wg_device *dev)
{
	const struct wg_quick *q = &dev->quick;
	size_t s = 256; /* [Interface], PrivateKey, ListenPort, FwMark */

	s += q->n_address * 56 + 16 + strv_size(q->dns, q->n_dns) + 16 + 32;
	s += (q->table ? strlen(q->table) : 0) + 16 + 32;
	s += strv_size(q->pre_up, q->n_pre_up) + strv_size(q->post_up, q->n_post_up);
	s += strv_size(q->pre_down, q->n_pre_down) + strv_size(q->post_down, q->n_post_down);
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];
		s += 8 + 64 + 64 + 16 + p->n_aips * 46 + 24 + 40;
		s += (p->endpoint ? strlen(p->endpoint) : 64) + 16;
	}
	return s;
}

static void put_key(struct out *o, const char *name, const uint8_t k[WG_KEY_LEN], bool hide)
{
	char b64[WG_KEY_B64_LEN + 1];

	if (hide) {
		put(o, "%s = (hidden)\n", name);
		return;
	}
	key_to_base64(b64, k);
	put(o, "%s = %s\n", name, b64);
	sodium_memzero(b64, sizeof(b64));
}

static void put_strv(struct out *o, const char *name, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, "%s = %s\n", name, v[i]);
}

static void put_list_ip(struct out *o, const char *name, const struct wg_ipmask *ips, size_t n)
{
	char buf[64];

	if (!n)
		return;
	put(o, "%s = ", name);
	for (size_t i = 0; i < n; i++)
		put(o, "%s%s", i ? ", " : "", wg_ipmask_fmt(&ips[i], buf, sizeof(buf)));
	put(o, "\n");
}

static void put_interface(struct out *o, const struct wg_device *dev, unsigned flags)
{
	const struct wg_quick *q = &dev->quick;

	put(o, "[Interface]\n");
	if ((dev->flags & WGDEV_HAS_PRIVATE_KEY) && dev->private_key)
		put_key(o, "PrivateKey", dev->private_key, flags & WG_CONFIG_HIDE_KEYS);
	if (dev->flags & WGDEV_HAS_LISTEN_PORT)
		put(o, "ListenPort = %u\n", dev->listen_port);
	if (dev->flags & WGDEV_HAS_FWMARK) {
		if (dev->fwmark)
			put(o, "FwMark = 0x%x\n", dev->fwmark);
		else
			put(o, "FwMark = off\n");
	}
	if (flags & WG_CONFIG_STRIP_QUICK)
		return;
	put_list_ip(o, "Address", q->address, q->n_address);
	if (q->n_dns) {
		put(o, "DNS = ");
		for (size_t i = 0; i < q->n_dns; i++)
			put(o, "%s%s", i ? ", " : "", q->dns[i]);
		put(o, "\n");
	}
	if (q->mtu)
		put(o, "MTU = %u\n", q->mtu);
	if (q->table)
		put(o, "Table = %s\n", q->table);
	put_strv(o, "PreUp", q->pre_up, q->n_pre_up);
	put_strv(o, "PostUp", q->post_up, q->n_post_up);
	put_strv(o, "PreDown", q->pre_down, q->n_pre_down);
	put_strv(o, "PostDown", q->post_down, q->n_post_down);
	if (q->save_config >= 0)
		put(o, "SaveConfig = %s\n", q->save_config ? "true" : "false");
}

static void put_peer(struct out *o, const struct wg_peer *p, unsigned flags)
{
	char buf[128];

	put(o, "\n[Peer]\n");
	put_key(o, "PublicKey", p->public_key, false);
	if (p->flags & WGPEER_HAS_PSK)
		put_key(o, "PresharedKey", p->psk, flags & WG_CONFIG_HIDE_KEYS);
	put_list_ip(o, "AllowedIPs", p->aips, p->n_aips);
	if (p->endpoint)
		put(o, "Endpoint = %s\n", p->endpoint);
	else if (p->endpoint_addr.sa.sa_family != AF_UNSPEC)
		put(o, "Endpoint = %s\n", wg_sockaddr_fmt(&p->endpoint_addr, buf, sizeof(buf)));
	if (p->flags & WGPEER_HAS_KEEPALIVE) {
		if (p->keepalive)
			put(o, "PersistentKeepalive = %u\n", p->keepalive);
		else
			put(o, "PersistentKeepalive = off\n");
	}
}

char *wg_config_format(const struct wg_device *dev, unsigned flags, size_t *len)
{
	struct out o = {0};

	o.cap = text_bound(dev);
	o.buf = malloc(o.cap);
	if (!o.buf)
		return NULL;
	o.buf[0] = '\0';
	put_interface(&o, dev, flags);
	for (size_t i = 0; i < dev->n_peers; i++)
		put_peer(&o, &dev->peers[i], flags);
	if (o.overflow) { /* the bound is wrong: a bug, not a user error */
		wg_config_free_text(o.buf, o.cap);
		return NULL;
	}
	if (len)
		*len = o.len;
	return o.buf;
}

void wg_config_free_text(char *text, size_t len)
{
	if (!text)
		return;
	/* The allocation may be longer than the text: wipe up to the NUL too. */
	sodium_memzero(text, len > strlen(text) ? len : strlen(text));
	free(text);
}

