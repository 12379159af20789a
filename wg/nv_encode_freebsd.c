/* SIOCSWG payload builder (see wg/nv_freebsd.h): the change set written
 * straight into libnv's packed format, in two passes (size, then bytes)
 * into sodium memory.
 *
 * Why not nvlist_create + nvlist_pack: libnv's packer writes, for every
 * nvlist header, a count of descriptors that it gets by walking the rest
 * of the nvlist from there (nvlist_pack_header -> nvlist_ndescriptors,
 * which follows each array element to the next), so packing an array of
 * N peers costs N^2 / 2 walks: 2.7 s at 2,000 peers and 30 s at 8,000
 * with the test kit's libnv (the FreeBSD kernel, which counts no
 * descriptors, is linear).  Writing the format directly is linear, and
 * the keys never pass through libnv's heap.  The bytes are libnv's to the
 * byte: tests/unit/test_nv_freebsd.c compares them with nvlist_pack's for
 * the same nvlist and unpacks them with nvlist_unpack.
 *
 * The format (sys/contrib/libnv/nvlist.c and nvpair.c, version 0), all
 * integers in the host's byte order, which the header's flags announce:
 *   nvlist header  u8 magic 0x6c, u8 version 0, u8 flags (0x80: big
 *                  endian), u64 descriptors (0 here), u64 size (the bytes
 *                  that follow it in the whole buffer)
 *   pair header    u8 type, u16 name size (with its NUL), u64 data size,
 *                  u64 items; then the name, then the data
 *   bool 1 byte, number 8 bytes, binary its bytes; an nvlist array has
 *   data size 0 and items N, and is followed by its N nvlists, each a
 *   header, its pairs and an "array next" pair (type 254, name "", no
 *   data). */
#include "wg/nv_freebsd.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>
#include <sys/nv.h>

#include "util/err.h"
#include "wg/model.h"
#include "wg/nv_wire_freebsd.h"

#define NV_MAGIC 0x6c
#define NV_VERSION 0
#define NV_BIG_ENDIAN 0x80
#define NV_ARRAY_NEXT 254 /* libnv's NV_TYPE_NVLIST_ARRAY_NEXT (nv_impl.h) */
#define HDR_LEN 19        /* both headers, packed */

/* The output: counting only (buf NULL) or writing. */
struct out {
	uint8_t *buf;
	size_t at, total;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->buf)
		memcpy(o->buf + o->at, p, n);
	o->at += n;
}

static void list_header(struct out *o)
{
	uint8_t h[HDR_LEN] = {NV_MAGIC, NV_VERSION, 0};
	uint64_t desc = 0, size = o->buf ? o->total - o->at - HDR_LEN : 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	h[2] = NV_BIG_ENDIAN;
#endif
	memcpy(h + 3, &desc, 8);
	memcpy(h + 11, &size, 8);
	put(o, h, sizeof(h));
}

static void pair(struct out *o, uint8_t type, const char *name, uint64_t datasize, uint64_t nitems)
{
	uint8_t h[HDR_LEN];
	uint16_t namesize = (uint16_t)(strlen(name) + 1);

	h[0] = type;
	memcpy(h + 1, &namesize, 2);
	memcpy(h + 3, &datasize, 8);
	memcpy(h + 11, &nitems, 8);
	put(o, h, sizeof(h));
	put(o, name, namesize);
}

static void put_number(struct out *o, const char *name, uint64_t v)
{
	pair(o, NV_TYPE_NUMBER, name, sizeof(v), 0);
	put(o, &v, sizeof(v));
}

static void put_true(struct out *o, const char *name)
{
	static const uint8_t one = 1;

	pair(o, NV_TYPE_BOOL, name, 1, 0);
	put(o, &one, 1);
}

static void put_binary(struct out *o, const char *name, const void *p, size_t n)
{
	pair(o, NV_TYPE_BINARY, name, n, 0);
	put(o, p, n);
}

static void array_next(struct out *o)
{
	pair(o, NV_ARRAY_NEXT, "", 0, 0);
}

static void put_aips(struct out *o, const struct wg_peer *p)
{
	pair(o, NV_TYPE_NVLIST_ARRAY, "allowed-ips", 0, p->n_aips);
	for (size_t i = 0; i < p->n_aips; i++) {
		const struct wg_ipmask *ip = &p->aips[i];
		list_header(o);
		put_number(o, "cidr", ip->cidr);
		if (ip->family == AF_INET)
			put_binary(o, "ipv4", &ip->addr.ip4, sizeof(ip->addr.ip4));
		else
			put_binary(o, "ipv6", &ip->addr.ip6, sizeof(ip->addr.ip6));
		array_next(o);
	}
}

static void put_peer(struct out *o, const struct wg_peer *p)
{
	list_header(o);
	put_binary(o, "public-key", p->public_key, WG_KEY_LEN);
	if (p->flags & WGPEER_REMOVE) {
		put_true(o, "remove");
	} else {
		if (p->flags & WGPEER_REPLACE_AIPS)
			put_true(o, "replace-allowedips");
		if (p->flags & WGPEER_HAS_PSK)
			put_binary(o, "preshared-key", p->psk, WG_KEY_LEN);
		if (p->flags & WGPEER_HAS_ENDPOINT) {
			uint8_t sa[WG_NV_SIN6_LEN];
			size_t len = wg_nv_sa_to_wire(&p->endpoint_addr, sa);
			put_binary(o, "endpoint", sa, len);
		}
		if (p->flags & WGPEER_HAS_KEEPALIVE)
			put_number(o, "persistent-keepalive-interval", p->keepalive);
		if (p->n_aips)
			put_aips(o, p);
	}
	array_next(o);
}

/* Is peer P sent?  Update-only peers only when the device has them. */
static bool sent(const struct wg_peer *p, const struct wg_device *current)
{
	return !(p->flags & WGPEER_UPDATE_ONLY) || (p->flags & WGPEER_REMOVE) ||
	       wg_device_find_peer(current, p->public_key);
}

static void put_device(struct out *o, const struct wg_device *c, const struct wg_device *current, size_t n_sent)
{
	static const uint8_t zero[WG_KEY_LEN];

	list_header(o);
	if (c->flags & WGDEV_HAS_PRIVATE_KEY)
		put_binary(o, "private-key", c->private_key ? c->private_key : zero, WG_KEY_LEN);
	if (c->flags & WGDEV_HAS_LISTEN_PORT)
		put_number(o, "listen-port", c->listen_port);
	if (c->flags & WGDEV_HAS_FWMARK)
		put_number(o, "user-cookie", c->fwmark);
	if (c->flags & WGDEV_REPLACE_PEERS)
		put_true(o, "replace-peers");
	if (!n_sent)
		return;
	pair(o, NV_TYPE_NVLIST_ARRAY, "peers", 0, n_sent);
	for (size_t i = 0; i < c->n_peers; i++)
		if (sent(&c->peers[i], current))
			put_peer(o, &c->peers[i]);
}

/* What the nvlist cannot express: checked first, so that nothing is sent.
 * Sets *N_SENT. */
static int check(const struct wg_device *c, const struct wg_device *current, size_t *n_sent, struct wj_err *e)
{
	*n_sent = 0;
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer *p = &c->peers[i];
		sa_family_t f = p->endpoint_addr.sa.sa_family;
		if (!(p->flags & WGPEER_REMOVE)) {
			if ((p->flags & WGPEER_UPDATE_ONLY) && !current)
				return wj_errf(e, "peer %zu is update-only: the device must be read first", i + 1);
			if ((p->flags & WGPEER_HAS_ENDPOINT) && f != AF_INET && f != AF_INET6)
				return wj_errf(e, "peer %zu: endpoint %s is not resolved to an address", i + 1,
					       p->endpoint ? "(as written)" : "");
			for (size_t j = 0; j < p->n_aips; j++) {
				const struct wg_ipmask *ip = &p->aips[j];
				if ((ip->family != AF_INET && ip->family != AF_INET6) ||
				    ip->cidr > (ip->family == AF_INET ? 32 : 128))
					return wj_errf(e,
						       "peer %zu: allowed IP %zu has no address family or a bad prefix "
						       "length",
						       i + 1, j + 1);
			}
		}
		*n_sent += sent(p, current);
	}
	return 0;
}

uint8_t *wg_nv_encode_set(const struct wg_device *changes, const struct wg_device *current, size_t *len,
			  struct wj_err *e)
{
	struct out o = {NULL, 0, 0};
	size_t n_sent;

	*len = 0;
	if (check(changes, current, &n_sent, e) < 0)
		return NULL;
	put_device(&o, changes, current, n_sent); /* count */
	if (o.at > WG_NV_MAX_PACKED)
		return wj_errnof(e, E2BIG, "the nvlist of %zu peers (%zu bytes)", n_sent, o.at), NULL;
	o.total = o.at;
	o.at = 0;
	if (!(o.buf = sodium_malloc(o.total)))
		return wj_errnof(e, ENOMEM, "the nvlist of %zu peers (%zu bytes)", n_sent, o.total), NULL;
	put_device(&o, changes, current, n_sent); /* write */
	*len = o.total;
	return o.buf;
}

void wg_nv_packed_free(uint8_t *buf)
{
	if (buf)
		sodium_free(buf); /* wipes */
}
