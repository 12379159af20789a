/* SIOCGWG reply decoder (see wg/nv_freebsd.h).  The reply is untrusted
 * input (it is fuzzed): every value is taken only after its type and size
 * were checked, so libnv never aborts on a missing or mistyped key, and an
 * error names the field, the peer and the allowed IP by position and what
 * was expected - never a key's bytes.
 *
 * Each nvlist is read in two steps: collect() walks its pairs once and
 * keeps the known ones, checking their types against a table; then the
 * values are checked and put into the model.  Unknown keys are ignored
 * (newer kernels may add some). */
#include "wg/nv_freebsd.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/cnv.h>
#include <sys/nv.h>

#include "keys/keys.h"
#include "util/err.h"
#include "wg/model.h"
#include "wg/nv_wire_freebsd.h"

struct field {
	const char *name;
	int type;
};

struct val {
	bool set;
	uint64_t num;
	const uint8_t *bin;
	size_t len;                   /* binary: bytes; nvlist array: elements */
	const nvlist_t *const *arr;
};

/* Device, peer and allowed-IP keys, in the order of the val arrays. */
enum { D_PRIVATE, D_PUBLIC, D_PORT, D_COOKIE, D_PEERS, D_N };
static const struct field dev_fields[D_N] = {
	{"private-key", NV_TYPE_BINARY}, {"public-key", NV_TYPE_BINARY},      {"listen-port", NV_TYPE_NUMBER},
	{"user-cookie", NV_TYPE_NUMBER}, {"peers", NV_TYPE_NVLIST_ARRAY},
};
enum { P_PUBLIC, P_PSK, P_ENDPOINT, P_KEEPALIVE, P_HANDSHAKE, P_RX, P_TX, P_AIPS, P_N };
static const struct field peer_fields[P_N] = {
	{"public-key", NV_TYPE_BINARY},
	{"preshared-key", NV_TYPE_BINARY},
	{"endpoint", NV_TYPE_BINARY},
	{"persistent-keepalive-interval", NV_TYPE_NUMBER},
	{"last-handshake-time", NV_TYPE_BINARY},
	{"rx-bytes", NV_TYPE_NUMBER},
	{"tx-bytes", NV_TYPE_NUMBER},
	{"allowed-ips", NV_TYPE_NVLIST_ARRAY},
};
enum { A_CIDR, A_IPV4, A_IPV6, A_N };
static const struct field aip_fields[A_N] = {
	{"cidr", NV_TYPE_NUMBER}, {"ipv4", NV_TYPE_BINARY}, {"ipv6", NV_TYPE_BINARY}};

struct dec {
	struct wg_device *dev;
	const struct wg_nv_limits *lim;
	struct wj_err *e;
	char where[128]; /* "peer 3 of 7" / "peer 3 of 7, allowed IP 2 of 4" */
};

/* "SIOCGWG reply: peer 3 of 7: 'NAME' WHAT" */
static int bad(struct dec *d, const char *name, const char *what)
{
	return wj_errf(d->e, "SIOCGWG reply: %s%s'%s' %s", d->where, d->where[0] ? ": " : "", name, what);
}

/* Walk NVL once; keep the pairs named in TAB (type-checked) in V. */
static int collect(struct dec *d, const nvlist_t *nvl, const struct field *tab, size_t n, struct val *v)
{
	const char *name;
	void *cookie = NULL;
	int type;

	memset(v, 0, n * sizeof(*v));
	while ((name = nvlist_next(nvl, &type, &cookie))) {
		size_t i;
		for (i = 0; i < n && strcmp(name, tab[i].name) != 0; i++)
			;
		if (i == n)
			continue;
		if (type != tab[i].type) {
			char got[64];
			snprintf(got, sizeof(got), "%s", wg_nv_type_name(type));
			return wj_errf(d->e, "SIOCGWG reply: %s%s'%s' is a %s, expected a %s", d->where,
				       d->where[0] ? ": " : "", name, got, wg_nv_type_name(tab[i].type));
		}
		v[i].set = true;
		if (type == NV_TYPE_NUMBER) {
			v[i].num = cnvlist_get_number(cookie);
		} else if (type == NV_TYPE_BINARY) {
			v[i].bin = cnvlist_get_binary(cookie, &v[i].len);
		} else {
			v[i].arr = cnvlist_get_nvlist_array(cookie, &v[i].len);
		}
	}
	return 0;
}

static int key_field(struct dec *d, const struct val *v, const char *name)
{
	char msg[128];

	if (v->len == WG_KEY_LEN)
		return 0;
	snprintf(msg, sizeof(msg), "is %zu bytes, expected %d", v->len, WG_KEY_LEN);
	return bad(d, name, msg);
}

static int number_field(struct dec *d, const struct val *v, const char *name, uint64_t max)
{
	char msg[128];

	if (v->num <= max)
		return 0;
	snprintf(msg, sizeof(msg), "is %llu, more than %llu", (unsigned long long)v->num, (unsigned long long)max);
	return bad(d, name, msg);
}

static int decode_aip(struct dec *d, const nvlist_t *nvl, struct wg_peer *p)
{
	struct val v[A_N];
	struct wg_ipmask ip;
	char msg[128];

	if (collect(d, nvl, aip_fields, A_N, v) < 0)
		return -1;
	if (!v[A_CIDR].set)
		return bad(d, "cidr", "is missing (a number)");
	if (v[A_IPV4].set == v[A_IPV6].set)
		return bad(d, "ipv4", v[A_IPV4].set ? "and 'ipv6' are both there" : "or 'ipv6' is missing");
	memset(&ip, 0, sizeof(ip));
	/* IPv4 or IPv6: the same checks on addresses of two sizes. */
	if (v[A_IPV4].set) {
		if (v[A_IPV4].len != sizeof(ip.addr.ip4)) {
			snprintf(msg, sizeof(msg), "is %zu bytes, expected 4", v[A_IPV4].len);
			return bad(d, "ipv4", msg);
		}
		if (number_field(d, &v[A_CIDR], "cidr", 32) < 0)
			return -1;
		ip.family = AF_INET;
		memcpy(&ip.addr.ip4, v[A_IPV4].bin, sizeof(ip.addr.ip4));
	} else {
		if (v[A_IPV6].len != sizeof(ip.addr.ip6)) {
			snprintf(msg, sizeof(msg), "is %zu bytes, expected 16", v[A_IPV6].len);
			return bad(d, "ipv6", msg);
		}
		if (number_field(d, &v[A_CIDR], "cidr", 128) < 0)
			return -1;
		ip.family = AF_INET6;
		memcpy(&ip.addr.ip6, v[A_IPV6].bin, sizeof(ip.addr.ip6));
	}
	ip.cidr = (uint8_t)v[A_CIDR].num;
	if (wg_peer_add_aip(p, &ip) < 0)
		return wj_errnof(d->e, ENOMEM, "SIOCGWG reply: %s", d->where);
	return 0;
}

/* Everything about one peer but its allowed IPs. */
static int peer_fields_in(struct dec *d, const struct val *v, struct wg_peer *p)
{
	if (v[P_PSK].set) {
		if (key_field(d, &v[P_PSK], "preshared-key") < 0)
			return -1;
		memcpy(p->psk, v[P_PSK].bin, WG_KEY_LEN);
		if (!key_is_zero(p->psk))
			p->flags |= WGPEER_HAS_PSK;
	}
	if (v[P_ENDPOINT].set) {
		const char *why;
		char msg[128];
		if (wg_nv_sa_from_wire(v[P_ENDPOINT].bin, v[P_ENDPOINT].len, &p->endpoint_addr, &why) < 0) {
			snprintf(msg, sizeof(msg), "(%zu bytes) is %s", v[P_ENDPOINT].len, why);
			return bad(d, "endpoint", msg);
		}
		p->flags |= WGPEER_HAS_ENDPOINT;
	}
	if (v[P_KEEPALIVE].set) {
		if (number_field(d, &v[P_KEEPALIVE], "persistent-keepalive-interval", UINT16_MAX) < 0)
			return -1;
		p->keepalive = (uint16_t)v[P_KEEPALIVE].num;
		if (p->keepalive)
			p->flags |= WGPEER_HAS_KEEPALIVE;
	}
	if (v[P_HANDSHAKE].set) {
		int64_t ts[2];
		char msg[128];
		if (v[P_HANDSHAKE].len != sizeof(ts)) {
			snprintf(msg, sizeof(msg), "is %zu bytes, expected 16", v[P_HANDSHAKE].len);
			return bad(d, "last-handshake-time", msg);
		}
		memcpy(ts, v[P_HANDSHAKE].bin, sizeof(ts));
		p->last_handshake_sec = ts[0];
		p->last_handshake_nsec = ts[1];
	}
	p->rx_bytes = v[P_RX].num;
	p->tx_bytes = v[P_TX].num;
	return 0;
}

static int decode_peer(struct dec *d, const nvlist_t *nvl, size_t idx, size_t n)
{
	struct val v[P_N];
	struct wg_peer *p;

	snprintf(d->where, sizeof(d->where), "peer %zu of %zu", idx + 1, n);
	if (collect(d, nvl, peer_fields, P_N, v) < 0)
		return -1;
	if (!v[P_PUBLIC].set)
		return bad(d, "public-key", "is missing (a binary of 32 bytes)");
	if (key_field(d, &v[P_PUBLIC], "public-key") < 0)
		return -1;
	if (wg_device_find_peer(d->dev, v[P_PUBLIC].bin))
		return bad(d, "public-key", "is that of an earlier peer (a peer listed twice)");
	if (v[P_AIPS].set && v[P_AIPS].len > d->lim->aips) {
		char msg[128];
		snprintf(msg, sizeof(msg), "has %zu entries, more than %zu", v[P_AIPS].len, d->lim->aips);
		return bad(d, "allowed-ips", msg);
	}
	if (!(p = wg_device_add_peer(d->dev, v[P_PUBLIC].bin)))
		return wj_errnof(d->e, ENOMEM, "SIOCGWG reply: %s", d->where);
	if (peer_fields_in(d, v, p) < 0)
		return -1;
	for (size_t i = 0; v[P_AIPS].set && i < v[P_AIPS].len; i++) {
		snprintf(d->where, sizeof(d->where), "peer %zu of %zu, allowed IP %zu of %zu", idx + 1, n, i + 1,
			 v[P_AIPS].len);
		if (decode_aip(d, v[P_AIPS].arr[i], &d->dev->peers[d->dev->n_peers - 1]) < 0)
			return -1;
	}
	d->where[0] = '\0';
	return 0;
}

static int decode_device(struct dec *d, const nvlist_t *nvl)
{
	struct val v[D_N];
	struct wg_device *dev = d->dev;

	if (collect(d, nvl, dev_fields, D_N, v) < 0)
		return -1;
	if (v[D_PRIVATE].set) {
		if (key_field(d, &v[D_PRIVATE], "private-key") < 0)
			return -1;
		if (!key_is_zero(v[D_PRIVATE].bin) && wg_device_set_private_key(dev, v[D_PRIVATE].bin) < 0)
			return wj_errnof(d->e, ENOMEM, "SIOCGWG reply: the private key");
	}
	if (v[D_PUBLIC].set) {
		if (key_field(d, &v[D_PUBLIC], "public-key") < 0)
			return -1;
		/* Derived from the private key when there is one. */
		if (!(dev->flags & WGDEV_HAS_PRIVATE_KEY) && !key_is_zero(v[D_PUBLIC].bin)) {
			memcpy(dev->public_key, v[D_PUBLIC].bin, WG_KEY_LEN);
			dev->flags |= WGDEV_HAS_PUBLIC_KEY;
		}
	}
	if (v[D_PORT].set) {
		if (number_field(d, &v[D_PORT], "listen-port", UINT16_MAX) < 0)
			return -1;
		dev->listen_port = (uint16_t)v[D_PORT].num;
		dev->flags |= WGDEV_HAS_LISTEN_PORT;
	}
	if (v[D_COOKIE].set) {
		if (number_field(d, &v[D_COOKIE], "user-cookie", UINT32_MAX) < 0)
			return -1;
		dev->fwmark = (uint32_t)v[D_COOKIE].num;
		if (dev->fwmark)
			dev->flags |= WGDEV_HAS_FWMARK;
	}
	if (v[D_PEERS].set && v[D_PEERS].len > d->lim->peers) {
		char msg[128];
		snprintf(msg, sizeof(msg), "has %zu entries, more than %zu", v[D_PEERS].len, d->lim->peers);
		return bad(d, "peers", msg);
	}
	for (size_t i = 0; v[D_PEERS].set && i < v[D_PEERS].len; i++)
		if (decode_peer(d, v[D_PEERS].arr[i], i, v[D_PEERS].len) < 0)
			return -1;
	return 0;
}

/* Wipe the copies of the private key and the PSKs that nvlist_unpack made
 * (whatever their type and size), before the nvlist is freed. */
static void wipe_secrets(const nvlist_t *nvl)
{
	const char *name;
	void *cookie = NULL;
	int type;

	while ((name = nvlist_next(nvl, &type, &cookie))) {
		if (type == NV_TYPE_BINARY && (!strcmp(name, "private-key") || !strcmp(name, "preshared-key"))) {
			size_t len;
			const void *b = cnvlist_get_binary(cookie, &len);
			sodium_memzero((void *)(uintptr_t)b, len);
		} else if (type == NV_TYPE_NVLIST_ARRAY && !strcmp(name, "peers")) {
			size_t n;
			const nvlist_t *const *a = cnvlist_get_nvlist_array(cookie, &n);
			for (size_t i = 0; i < n; i++)
				wipe_secrets(a[i]);
		}
	}
}

int wg_nv_decode_get(const void *buf, size_t len, const struct wg_nv_limits *limits, struct wg_device **out,
		     struct wj_err *e)
{
	static const struct wg_nv_limits def = {WG_NV_MAX_PEERS, WG_NV_MAX_AIPS};
	struct dec d;
	nvlist_t *nvl;
	int r;

	*out = NULL;
	if (len > WG_NV_MAX_PACKED)
		return wj_errf(e, "SIOCGWG reply: %zu bytes, more than %zu", len, WG_NV_MAX_PACKED);
	errno = 0;
	if (!(nvl = nvlist_unpack(buf, len, 0)))
		return wj_errnof(e, errno ? errno : EINVAL,
				 "SIOCGWG reply: %zu bytes that are not a well-formed nvlist (nvlist_unpack)", len);
	memset(&d, 0, sizeof(d));
	d.lim = limits ? limits : &def;
	d.e = e;
	if (!(d.dev = wg_device_new())) {
		r = wj_errnof(e, ENOMEM, "SIOCGWG reply");
	} else if ((r = decode_device(&d, nvl)) < 0) {
		wg_device_free(d.dev);
	} else {
		*out = d.dev;
	}
	wipe_secrets(nvl);
	nvlist_destroy(nvl);
	return r;
}
