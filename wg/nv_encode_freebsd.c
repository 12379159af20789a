/* SIOCSWG payload builder (see wg/nv_freebsd.h): one nvlist for the whole
 * change set, device fields first, then one nvlist per peer with exactly
 * the fields its flags name. */
#include "wg/nv_freebsd.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/nv.h>

#include "util/err.h"
#include "wg/model.h"
#include "wg/nv_wire_freebsd.h"

/* ---- secrets ------------------------------------------------------------
 * Each secret goes into the nvlist as a placeholder: a random marker (one
 * per call, 16 bytes), the secret's index (8 bytes, little-endian) and 8
 * zero bytes.  libnv packs binary values verbatim, so after packing the
 * placeholders are found, in one pass, in the copy of the packed bytes
 * that lives in sodium memory, and the secrets are written over them. */
#define MARKER_LEN 16

struct secrets {
	uint8_t marker[MARKER_LEN];
	const uint8_t **src; /* the secrets, WG_KEY_LEN bytes each */
	size_t n, cap;
};

static void add_secret(nvlist_t *nvl, const char *name, const uint8_t *key, struct secrets *s)
{
	uint8_t ph[WG_KEY_LEN] = {0};
	uint64_t i = s->n;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		const uint8_t **v = realloc(s->src, cap * sizeof(*v));
		if (!v) {
			nvlist_set_error(nvl, ENOMEM);
			return;
		}
		s->src = v;
		s->cap = cap;
	}
	s->src[s->n++] = key;
	memcpy(ph, s->marker, MARKER_LEN);
	for (size_t b = 0; b < 8; b++)
		ph[MARKER_LEN + b] = (uint8_t)(i >> (8 * b));
	nvlist_add_binary(nvl, name, ph, sizeof(ph));
}

/* Write every secret over its placeholder in BUF.  Returns 0, or -1 if a
 * placeholder is missing or unknown (then BUF must not be sent). */
static int fill_secrets(uint8_t *buf, size_t len, const struct secrets *s)
{
	size_t at = 0, found = 0;

	while (found < s->n && at < len) {
		uint8_t *m = memmem(buf + at, len - at, s->marker, MARKER_LEN);
		uint64_t i = 0;
		if (!m || (size_t)(m - buf) + WG_KEY_LEN > len)
			break;
		for (size_t b = 0; b < 8; b++)
			i |= (uint64_t)m[MARKER_LEN + b] << (8 * b);
		if (i >= s->n)
			return -1;
		memcpy(m, s->src[i], WG_KEY_LEN);
		found++;
		at = (size_t)(m - buf) + WG_KEY_LEN;
	}
	return found == s->n ? 0 : -1;
}

/* ---- the nvlist ----------------------------------------------------------- */

static nvlist_t *aip_nvl(const struct wg_ipmask *ip)
{
	nvlist_t *a = nvlist_create(0);

	if (!a)
		return NULL;
	nvlist_add_number(a, "cidr", ip->cidr);
	if (ip->family == AF_INET)
		nvlist_add_binary(a, "ipv4", &ip->addr.ip4, sizeof(ip->addr.ip4));
	else
		nvlist_add_binary(a, "ipv6", &ip->addr.ip6, sizeof(ip->addr.ip6));
	return a;
}

/* ARR[0..N) (malloc'd) becomes NAME of NVL, or is freed when NVL is in
 * error or an element is. */
static void move_array(nvlist_t *nvl, const char *name, nvlist_t **arr, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!arr[i] || nvlist_error(arr[i])) {
			nvlist_set_error(nvl, arr[i] ? nvlist_error(arr[i]) : ENOMEM);
			for (size_t j = 0; j < n; j++)
				nvlist_destroy(arr[j]);
			free(arr);
			return;
		}
	}
	nvlist_move_nvlist_array(nvl, name, arr, n);
}

static nvlist_t *peer_nvl(const struct wg_peer *p, struct secrets *s)
{
	nvlist_t *n = nvlist_create(0);

	if (!n)
		return NULL;
	nvlist_add_binary(n, "public-key", p->public_key, WG_KEY_LEN);
	if (p->flags & WGPEER_REMOVE) {
		nvlist_add_bool(n, "remove", true);
		return n;
	}
	if (p->flags & WGPEER_REPLACE_AIPS)
		nvlist_add_bool(n, "replace-allowedips", true);
	if (p->flags & WGPEER_HAS_PSK)
		add_secret(n, "preshared-key", p->psk, s);
	if (p->flags & WGPEER_HAS_ENDPOINT) {
		uint8_t sa[WG_NV_SIN6_LEN];
		size_t len = wg_nv_sa_to_wire(&p->endpoint_addr, sa);
		nvlist_add_binary(n, "endpoint", sa, len);
	}
	if (p->flags & WGPEER_HAS_KEEPALIVE)
		nvlist_add_number(n, "persistent-keepalive-interval", p->keepalive);
	if (p->n_aips) {
		nvlist_t **arr = calloc(p->n_aips, sizeof(*arr));
		if (!arr) {
			nvlist_set_error(n, ENOMEM);
			return n;
		}
		for (size_t i = 0; i < p->n_aips; i++)
			arr[i] = aip_nvl(&p->aips[i]);
		move_array(n, "allowed-ips", arr, p->n_aips);
	}
	return n;
}

/* Is peer P sent?  Update-only peers only when the device has them. */
static bool sent(const struct wg_peer *p, const struct wg_device *current)
{
	return !(p->flags & WGPEER_UPDATE_ONLY) || (p->flags & WGPEER_REMOVE) ||
	       wg_device_find_peer(current, p->public_key);
}

/* What the nvlist cannot express: checked first, so that nothing is sent. */
static int check(const struct wg_device *c, const struct wg_device *current, struct wj_err *e)
{
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer *p = &c->peers[i];
		sa_family_t f = p->endpoint_addr.sa.sa_family;
		if (p->flags & WGPEER_REMOVE)
			continue;
		if ((p->flags & WGPEER_UPDATE_ONLY) && !current)
			return wj_errf(e, "peer %zu is update-only: the device must be read first", i + 1);
		if ((p->flags & WGPEER_HAS_ENDPOINT) && f != AF_INET && f != AF_INET6)
			return wj_errf(e, "peer %zu: endpoint %s is not resolved to an address", i + 1,
				       p->endpoint ? "(as written)" : "");
		for (size_t j = 0; j < p->n_aips; j++) {
			const struct wg_ipmask *ip = &p->aips[j];
			if ((ip->family != AF_INET && ip->family != AF_INET6) ||
			    ip->cidr > (ip->family == AF_INET ? 32 : 128))
				return wj_errf(e, "peer %zu: allowed IP %zu has no address family or a bad prefix length",
					       i + 1, j + 1);
		}
	}
	return 0;
}

static nvlist_t *device_nvl(const struct wg_device *c, const struct wg_device *current, struct secrets *s)
{
	static const uint8_t zero[WG_KEY_LEN];
	nvlist_t *nvl = nvlist_create(0);
	size_t n = 0;

	if (!nvl)
		return NULL;
	if (c->flags & WGDEV_HAS_PRIVATE_KEY)
		add_secret(nvl, "private-key", c->private_key ? c->private_key : zero, s);
	if (c->flags & WGDEV_HAS_LISTEN_PORT)
		nvlist_add_number(nvl, "listen-port", c->listen_port);
	if (c->flags & WGDEV_HAS_FWMARK)
		nvlist_add_number(nvl, "user-cookie", c->fwmark);
	if (c->flags & WGDEV_REPLACE_PEERS)
		nvlist_add_bool(nvl, "replace-peers", true);
	for (size_t i = 0; i < c->n_peers; i++)
		n += sent(&c->peers[i], current);
	if (n) {
		nvlist_t **arr = calloc(n, sizeof(*arr));
		size_t k = 0;
		if (!arr) {
			nvlist_set_error(nvl, ENOMEM);
			return nvl;
		}
		for (size_t i = 0; i < c->n_peers; i++)
			if (sent(&c->peers[i], current))
				arr[k++] = peer_nvl(&c->peers[i], s);
		move_array(nvl, "peers", arr, n);
	}
	return nvl;
}

uint8_t *wg_nv_encode_set(const struct wg_device *changes, const struct wg_device *current, size_t *len,
			  struct wj_err *e)
{
	struct secrets s;
	nvlist_t *nvl;
	void *packed = NULL;
	uint8_t *out = NULL;
	size_t size = 0;
	int err;

	*len = 0;
	if (check(changes, current, e) < 0)
		return NULL;
	memset(&s, 0, sizeof(s));
	randombytes_buf(s.marker, sizeof(s.marker));
	nvl = device_nvl(changes, current, &s);
	err = nvl ? nvlist_error(nvl) : ENOMEM;
	if (!err && !(packed = nvlist_pack(nvl, &size)))
		err = errno ? errno : ENOMEM;
	nvlist_destroy(nvl); /* placeholders only, no secret */
	if (!err && size > WG_NV_MAX_PACKED)
		err = E2BIG;
	if (!err && !(out = sodium_malloc(size)))
		err = ENOMEM;
	if (!err) {
		memcpy(out, packed, size);
		if (fill_secrets(out, size, &s) < 0) {
			sodium_free(out);
			out = NULL;
			wj_errf(e, "building the nvlist: a key placeholder went missing (nothing sent)");
		}
	} else {
		wj_errnof(e, err, "building the nvlist (%zu peers)", changes->n_peers);
	}
	free(packed);
	free(s.src);
	if (out)
		*len = size;
	return out;
}

void wg_nv_packed_free(uint8_t *buf)
{
	if (buf)
		sodium_free(buf); /* wipes */
}
