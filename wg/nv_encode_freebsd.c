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
 * the same nvlist and unpacks them with nvlist_unpack.  The format and
 * its writer: wg/nv_wire_freebsd.h. */
#include "wg/nv_freebsd.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "util/err.h"
#include "wg/model.h"
#include "wg/nv_wire_freebsd.h"

static void put_aips(struct wg_nv_out *o, const struct wg_peer *p)
{
	wg_nv_array(o, "allowed-ips", p->n_aips);
	for (size_t i = 0; i < p->n_aips; i++) {
		const struct wg_ipmask *ip = &p->aips[i];
		wg_nv_list(o);
		wg_nv_number(o, "cidr", ip->cidr);
		if (ip->family == AF_INET)
			wg_nv_binary(o, "ipv4", &ip->addr.ip4, sizeof(ip->addr.ip4));
		else
			wg_nv_binary(o, "ipv6", &ip->addr.ip6, sizeof(ip->addr.ip6));
		wg_nv_next(o);
	}
}

static void put_peer(struct wg_nv_out *o, const struct wg_peer *p)
{
	wg_nv_list(o);
	wg_nv_binary(o, "public-key", p->public_key, WG_KEY_LEN);
	if (p->flags & WGPEER_REMOVE) {
		wg_nv_true(o, "remove");
	} else {
		if (p->flags & WGPEER_REPLACE_AIPS)
			wg_nv_true(o, "replace-allowedips");
		if (p->flags & WGPEER_HAS_PSK)
			wg_nv_binary(o, "preshared-key", p->psk, WG_KEY_LEN);
		if (p->flags & WGPEER_HAS_ENDPOINT) {
			uint8_t sa[WG_NV_SIN6_LEN];
			size_t len = wg_nv_sa_to_wire(&p->endpoint_addr, sa);
			wg_nv_binary(o, "endpoint", sa, len);
		}
		if (p->flags & WGPEER_HAS_KEEPALIVE)
			wg_nv_number(o, "persistent-keepalive-interval", p->keepalive);
		if (p->n_aips)
			put_aips(o, p);
	}
	wg_nv_next(o);
}

/* Is peer P sent?  Update-only peers only when the device has them. */
static bool sent(const struct wg_peer *p, const struct wg_device *current)
{
	return !(p->flags & WGPEER_UPDATE_ONLY) || (p->flags & WGPEER_REMOVE) ||
	       wg_device_find_peer(current, p->public_key);
}

static void put_device(struct wg_nv_out *o, const struct wg_device *c, const struct wg_device *current, size_t n_sent)
{
	static const uint8_t zero[WG_KEY_LEN];

	wg_nv_list(o);
	if (c->flags & WGDEV_HAS_PRIVATE_KEY)
		wg_nv_binary(o, "private-key", c->private_key ? c->private_key : zero, WG_KEY_LEN);
	if (c->flags & WGDEV_HAS_LISTEN_PORT)
		wg_nv_number(o, "listen-port", c->listen_port);
	if (c->flags & WGDEV_HAS_FWMARK)
		wg_nv_number(o, "user-cookie", c->fwmark);
	if (c->flags & WGDEV_REPLACE_PEERS)
		wg_nv_true(o, "replace-peers");
	if (!n_sent)
		return;
	wg_nv_array(o, "peers", n_sent);
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
	struct wg_nv_out o = {NULL, 0, 0};
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
