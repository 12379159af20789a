/* The FreeBSD if_wg payload (wg/nv_*_freebsd.c) with FreeBSD's own libnv,
 * built from the test kit (../shared/freebsd/libnv):
 *   - every field of a change set -> packed nvlist -> nvlist_unpack ->
 *     checked key by key and type by type against the table of
 *     ../shared/reference/wireguard-control.md 3.2 (below), values and
 *     FreeBSD's sockaddr bytes included;
 *   - GET replies built the way if_wg.c's wgc_get builds them (as root
 *     and unprivileged, peers without endpoint, IPv6) decode right;
 *   - the sync plans of test_plan.c become the expected per-peer nvlists;
 *   - malformed replies (truncated, wrong types, 31-byte keys, bad
 *     sockaddrs, absurd counts, a peer twice) are refused with a message
 *     naming the field, the peer and what was expected, never a key, and
 *     no device.
 * Built and run only when the kit is there (tests/run.sh skips it loudly
 * otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/nv.h>

#include "keys/keys.h"
#include "util/err.h"
#include "wg/model.h"
#include "wg/nv_freebsd.h"
#include "wg/plan.h"

/* libnv 12.1 (the kit's) leaks the pair it was unpacking when an nvlist
 * array in it is malformed (nvlist_xunpack does not free it): not ours,
 * and the only leak LeakSanitizer may forgive here. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:nvpair_unpack\n";
}

/* ---- the reference table ------------------------------------------------ */

enum dir { SET = 1, GET = 2, BOTH = 3 };
struct ref {
	const char *name;
	int type;
	size_t size; /* binary: bytes (0: 16 or 28, a sockaddr) */
	uint64_t max; /* number: largest value */
	enum dir dir;
};
static const struct ref dev_ref[] = {
	{"private-key", NV_TYPE_BINARY, 32, 0, BOTH},
	{"public-key", NV_TYPE_BINARY, 32, 0, GET},
	{"listen-port", NV_TYPE_NUMBER, 0, 65535, BOTH},
	{"user-cookie", NV_TYPE_NUMBER, 0, UINT32_MAX, BOTH},
	{"replace-peers", NV_TYPE_BOOL, 0, 0, SET},
	{"peers", NV_TYPE_NVLIST_ARRAY, 0, 0, BOTH},
};
static const struct ref peer_ref[] = {
	{"public-key", NV_TYPE_BINARY, 32, 0, BOTH},
	{"remove", NV_TYPE_BOOL, 0, 0, SET},
	{"replace-allowedips", NV_TYPE_BOOL, 0, 0, SET},
	{"endpoint", NV_TYPE_BINARY, 0, 0, BOTH},
	{"preshared-key", NV_TYPE_BINARY, 32, 0, BOTH},
	{"persistent-keepalive-interval", NV_TYPE_NUMBER, 0, 65535, BOTH},
	{"allowed-ips", NV_TYPE_NVLIST_ARRAY, 0, 0, BOTH},
	{"last-handshake-time", NV_TYPE_BINARY, 16, 0, GET},
	{"rx-bytes", NV_TYPE_NUMBER, 0, UINT64_MAX, GET},
	{"tx-bytes", NV_TYPE_NUMBER, 0, UINT64_MAX, GET},
};
static const struct ref aip_ref[] = {
	{"cidr", NV_TYPE_NUMBER, 0, 128, BOTH},
	{"ipv4", NV_TYPE_BINARY, 4, 0, BOTH},
	{"ipv6", NV_TYPE_BINARY, 16, 0, BOTH},
};
#define N(a) (sizeof(a) / sizeof(*(a)))

/* Every key of NVL is in REF (for a SET: a key sent in a SET) with the
 * type and size there; the keys, in order, are the comma-separated WANT. */
static void check_keys(const nvlist_t *nvl, const struct ref *ref, size_t nref, const char *want)
{
	char got[512] = "";
	const char *name;
	void *cookie = NULL;
	int type;

	while ((name = nvlist_next(nvl, &type, &cookie))) {
		size_t i;
		for (i = 0; i < nref && strcmp(ref[i].name, name); i++)
			;
		if (i == nref)
			fail_msg("key '%s' is not in the reference table", name);
		assert_true(ref[i].dir & SET);
		assert_int_equal(type, ref[i].type);
		if (type == NV_TYPE_BINARY) {
			size_t size;
			nvlist_get_binary(nvl, name, &size);
			if (ref[i].size)
				assert_int_equal(size, ref[i].size);
			else
				assert_true(size == 16 || size == 28);
		} else if (type == NV_TYPE_NUMBER) {
			assert_true(nvlist_get_number(nvl, name) <= ref[i].max);
		} else if (type == NV_TYPE_BOOL) {
			assert_true(nvlist_get_bool(nvl, name)); /* flags are only ever sent as true */
		}
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", got[0] ? "," : "", name);
	}
	assert_string_equal(got, want);
}

/* ---- helpers ------------------------------------------------------------ */

static void key_n(uint8_t k[WG_KEY_LEN], uint32_t n)
{
	memset(k, 0, WG_KEY_LEN);
	memcpy(k, &n, sizeof(n));
	k[31] = 0x55;
}

static struct wg_peer *peer(struct wg_device *d, uint32_t n)
{
	uint8_t k[WG_KEY_LEN];
	struct wg_peer *p;

	key_n(k, n);
	assert_non_null(p = wg_device_add_peer(d, k));
	return p;
}

static struct wg_peer *find(const struct wg_device *d, uint32_t n)
{
	uint8_t k[WG_KEY_LEN];

	key_n(k, n);
	return wg_device_find_peer(d, k);
}

static void aip(struct wg_peer *p, const char *s)
{
	struct wg_ipmask ip;

	assert_int_equal(wg_ipmask_parse(s, &ip), 0);
	assert_int_equal(wg_peer_add_aip(p, &ip), 0);
	p->flags |= WGPEER_HAS_AIPS;
}

static void ep(struct wg_peer *p, const char *addr, uint16_t port)
{
	memset(&p->endpoint_addr, 0, sizeof(p->endpoint_addr));
	if (strchr(addr, ':')) {
		p->endpoint_addr.in6.sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, addr, &p->endpoint_addr.in6.sin6_addr), 1);
		p->endpoint_addr.in6.sin6_port = htons(port);
	} else {
		p->endpoint_addr.in.sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, addr, &p->endpoint_addr.in.sin_addr), 1);
		p->endpoint_addr.in.sin_port = htons(port);
	}
	p->flags |= WGPEER_HAS_ENDPOINT;
}

/* ---- the same change set built with libnv -------------------------------
 * The mapping of wg/nv_freebsd.h, written with nvlist_add_*: nvlist_pack
 * of this must give the encoder's bytes exactly. */
static nvlist_t *libnv_peer(const struct wg_peer *p)
{
	nvlist_t *n = nvlist_create(0);

	nvlist_add_binary(n, "public-key", p->public_key, WG_KEY_LEN);
	if (p->flags & WGPEER_REMOVE) {
		nvlist_add_bool(n, "remove", true);
		return n;
	}
	if (p->flags & WGPEER_REPLACE_AIPS)
		nvlist_add_bool(n, "replace-allowedips", true);
	if (p->flags & WGPEER_HAS_PSK)
		nvlist_add_binary(n, "preshared-key", p->psk, WG_KEY_LEN);
	if (p->flags & WGPEER_HAS_ENDPOINT) {
		uint8_t sa[28] = {0};
		const union wg_sockaddr *a = &p->endpoint_addr;
		if (a->sa.sa_family == AF_INET) {
			sa[0] = 16, sa[1] = 2;
			memcpy(sa + 2, &a->in.sin_port, 2);
			memcpy(sa + 4, &a->in.sin_addr, 4);
		} else {
			sa[0] = 28, sa[1] = 28;
			memcpy(sa + 2, &a->in6.sin6_port, 2);
			memcpy(sa + 4, &a->in6.sin6_flowinfo, 4);
			memcpy(sa + 8, &a->in6.sin6_addr, 16);
			memcpy(sa + 24, &a->in6.sin6_scope_id, 4);
		}
		nvlist_add_binary(n, "endpoint", sa, sa[0]);
	}
	if (p->flags & WGPEER_HAS_KEEPALIVE)
		nvlist_add_number(n, "persistent-keepalive-interval", p->keepalive);
	if (p->n_aips) {
		nvlist_t **a = calloc(p->n_aips, sizeof(*a));
		for (size_t i = 0; i < p->n_aips; i++) {
			a[i] = nvlist_create(0);
			nvlist_add_number(a[i], "cidr", p->aips[i].cidr);
			if (p->aips[i].family == AF_INET)
				nvlist_add_binary(a[i], "ipv4", &p->aips[i].addr.ip4, 4);
			else
				nvlist_add_binary(a[i], "ipv6", &p->aips[i].addr.ip6, 16);
		}
		nvlist_move_nvlist_array(n, "allowed-ips", a, p->n_aips);
	}
	return n;
}

static void *libnv_pack(const struct wg_device *c, const struct wg_device *current, size_t *len)
{
	static const uint8_t zero[WG_KEY_LEN];
	nvlist_t *nvl = nvlist_create(0), **peers = calloc(c->n_peers + 1, sizeof(*peers));
	size_t n = 0;
	void *packed;

	if (c->flags & WGDEV_HAS_PRIVATE_KEY)
		nvlist_add_binary(nvl, "private-key", c->private_key ? c->private_key : zero, WG_KEY_LEN);
	if (c->flags & WGDEV_HAS_LISTEN_PORT)
		nvlist_add_number(nvl, "listen-port", c->listen_port);
	if (c->flags & WGDEV_HAS_FWMARK)
		nvlist_add_number(nvl, "user-cookie", c->fwmark);
	if (c->flags & WGDEV_REPLACE_PEERS)
		nvlist_add_bool(nvl, "replace-peers", true);
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer *p = &c->peers[i];
		if (!(p->flags & WGPEER_UPDATE_ONLY) || (p->flags & WGPEER_REMOVE) ||
		    wg_device_find_peer(current, p->public_key))
			peers[n++] = libnv_peer(p);
	}
	if (n)
		nvlist_move_nvlist_array(nvl, "peers", peers, n);
	else
		free(peers);
	assert_int_equal(nvlist_error(nvl), 0);
	packed = nvlist_pack(nvl, len);
	assert_non_null(packed);
	nvlist_destroy(nvl);
	return packed;
}

/* Encode; the bytes are nvlist_pack's (for sizes where libnv's quadratic
 * packer is quick); check the header; unpack with libnv. */
static nvlist_t *encode(const struct wg_device *c, const struct wg_device *current)
{
	struct wj_err e;
	size_t len;
	uint8_t *packed;
	nvlist_t *nvl;

	wj_err_clear(&e);
	packed = wg_nv_encode_set(c, current, &len, &e);
	if (!packed)
		fail_msg("encode failed: %s", e.msg);
	if (c->n_peers <= 300) {
		size_t rlen;
		void *ref = libnv_pack(c, current, &rlen);
		assert_int_equal(len, rlen);
		assert_memory_equal(packed, ref, len);
		sodium_memzero(ref, rlen);
		free(ref);
	}
	assert_true(len >= 19);
	assert_int_equal(packed[0], 0x6c); /* NVLIST_HEADER_MAGIC */
	assert_int_equal(packed[1], 0);    /* version 0, as FreeBSD 14 unpacks */
	assert_int_equal(packed[2] & 0x80, 0); /* NV_FLAG_BIG_ENDIAN: little-endian */
	nvl = nvlist_unpack(packed, len, 0);
	wg_nv_packed_free(packed);
	assert_non_null(nvl);
	return nvl;
}

static const nvlist_t *const *peers_of(const nvlist_t *nvl, size_t *n)
{
	*n = 0;
	if (!nvlist_exists_nvlist_array(nvl, "peers"))
		return NULL;
	return nvlist_get_nvlist_array(nvl, "peers", n);
}

static void assert_bin(const nvlist_t *nvl, const char *name, const void *want, size_t len)
{
	size_t size;
	const void *b = nvlist_get_binary(nvl, name, &size);

	assert_int_equal(size, len);
	assert_memory_equal(b, want, len);
}

/* ---- SET: every field --------------------------------------------------- */

static void set_every_field(void **state)
{
	struct wg_device *c = wg_device_new(), *cur = wg_device_new();
	struct wg_peer *p;
	uint8_t k[WG_KEY_LEN], want[28];
	const nvlist_t *const *peers, *const *aips;
	nvlist_t *nvl;
	size_t n, na;

	memset(k, 0x41, sizeof(k));
	assert_int_equal(wg_device_set_private_key(c, k), 0);
	c->listen_port = 51820;
	c->fwmark = 0xdeadbeef;
	c->flags |= WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK | WGDEV_REPLACE_PEERS;
	p = peer(c, 1); /* removal: the key and "remove" only */
	p->flags = WGPEER_REMOVE | WGPEER_HAS_PSK;
	aip(p, "10.1.0.1/32");
	p = peer(c, 2); /* everything, IPv4 endpoint */
	p->flags |= WGPEER_REPLACE_AIPS | WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE;
	memset(p->psk, 0x22, WG_KEY_LEN);
	p->keepalive = 25;
	ep(p, "192.0.2.7", 51821);
	aip(p, "10.2.0.0/16");
	aip(p, "fd00:2::/64");
	p = peer(c, 3); /* IPv6 endpoint with flow and scope, PSK and keepalive removed, allowed IPs emptied */
	p->flags |= WGPEER_REPLACE_AIPS | WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE;
	ep(p, "fe80::3", 443);
	p->endpoint_addr.in6.sin6_flowinfo = htonl(0x12345);
	p->endpoint_addr.in6.sin6_scope_id = 7;
	peer(c, 4)->flags = WGPEER_UPDATE_ONLY | WGPEER_HAS_PSK; /* on the device: sent */
	memset(find(c, 4)->psk, 0x44, WG_KEY_LEN);
	peer(c, 5)->flags = WGPEER_UPDATE_ONLY | WGPEER_HAS_KEEPALIVE; /* gone from the device: left out */
	peer(cur, 4);

	nvl = encode(c, cur);
	check_keys(nvl, dev_ref, N(dev_ref), "private-key,listen-port,user-cookie,replace-peers,peers");
	assert_bin(nvl, "private-key", k, WG_KEY_LEN);
	assert_int_equal(nvlist_get_number(nvl, "listen-port"), 51820);
	assert_int_equal(nvlist_get_number(nvl, "user-cookie"), 0xdeadbeef);
	peers = peers_of(nvl, &n);
	assert_int_equal(n, 4);

	check_keys(peers[0], peer_ref, N(peer_ref), "public-key,remove");
	key_n(k, 1);
	assert_bin(peers[0], "public-key", k, WG_KEY_LEN);

	check_keys(peers[1], peer_ref, N(peer_ref),
		   "public-key,replace-allowedips,preshared-key,endpoint,persistent-keepalive-interval,allowed-ips");
	memset(k, 0x22, sizeof(k));
	assert_bin(peers[1], "preshared-key", k, WG_KEY_LEN);
	memcpy(want, "\x10\x02\xca\x6d\xc0\x00\x02\x07\0\0\0\0\0\0\0\0", 16); /* len 16, AF_INET 2, port, address */
	assert_bin(peers[1], "endpoint", want, 16);
	assert_int_equal(nvlist_get_number(peers[1], "persistent-keepalive-interval"), 25);
	aips = nvlist_get_nvlist_array(peers[1], "allowed-ips", &na);
	assert_int_equal(na, 2);
	check_keys(aips[0], aip_ref, N(aip_ref), "cidr,ipv4");
	assert_int_equal(nvlist_get_number(aips[0], "cidr"), 16);
	assert_bin(aips[0], "ipv4", "\x0a\x02\x00\x00", 4);
	check_keys(aips[1], aip_ref, N(aip_ref), "cidr,ipv6");
	assert_int_equal(nvlist_get_number(aips[1], "cidr"), 64);
	assert_bin(aips[1], "ipv6", "\xfd\x00\x00\x02\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	check_keys(peers[2], peer_ref, N(peer_ref),
		   "public-key,replace-allowedips,preshared-key,endpoint,persistent-keepalive-interval");
	memset(k, 0, sizeof(k));
	assert_bin(peers[2], "preshared-key", k, WG_KEY_LEN); /* zeros: removal */
	assert_int_equal(nvlist_get_number(peers[2], "persistent-keepalive-interval"), 0);
	/* len 28, AF_INET6 28 (FreeBSD's), port 443, flow label, fe80::3, scope 7 */
	memcpy(want, "\x1c\x1c\x01\xbb\x00\x01\x23\x45\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x03\x07\0\0\0", 28);
	assert_bin(peers[2], "endpoint", want, 28);

	check_keys(peers[3], peer_ref, N(peer_ref), "public-key,preshared-key");
	memset(k, 0x44, sizeof(k));
	assert_bin(peers[3], "preshared-key", k, WG_KEY_LEN);
	key_n(k, 4);
	assert_bin(peers[3], "public-key", k, WG_KEY_LEN);

	nvlist_destroy(nvl);
	wg_device_free(c);
	wg_device_free(cur);
}

/* The private key flag without a key removes it: 32 zero bytes. */
static void set_key_removal_and_nothing(void **state)
{
	struct wg_device *c = wg_device_new();
	uint8_t zero[WG_KEY_LEN] = {0};
	nvlist_t *nvl;

	c->flags |= WGDEV_HAS_PRIVATE_KEY;
	nvl = encode(c, NULL);
	check_keys(nvl, dev_ref, N(dev_ref), "private-key");
	assert_bin(nvl, "private-key", zero, WG_KEY_LEN);
	nvlist_destroy(nvl);
	c->flags = 0;
	nvl = encode(c, NULL); /* an empty change set: an empty nvlist */
	check_keys(nvl, dev_ref, N(dev_ref), "");
	nvlist_destroy(nvl);
	wg_device_free(c);
}

/* Every secret lands on its own placeholder, for many peers. */
static void set_many_secrets(void **state)
{
	struct wg_device *c = wg_device_new();
	const nvlist_t *const *peers;
	uint8_t k[WG_KEY_LEN];
	nvlist_t *nvl;
	size_t n;

	randombytes_buf(k, sizeof(k));
	assert_int_equal(wg_device_set_private_key(c, k), 0);
	for (uint32_t i = 0; i < 3000; i++) {
		struct wg_peer *p = peer(c, i + 100);
		p->flags |= WGPEER_HAS_PSK;
		randombytes_buf(p->psk, WG_KEY_LEN);
	}
	nvl = encode(c, NULL);
	assert_bin(nvl, "private-key", c->private_key, WG_KEY_LEN);
	peers = peers_of(nvl, &n);
	assert_int_equal(n, 3000);
	for (size_t i = 0; i < n; i++)
		assert_bin(peers[i], "preshared-key", c->peers[i].psk, WG_KEY_LEN);
	nvlist_destroy(nvl);
	wg_device_free(c);
}

/* Random change sets: byte for byte what libnv packs (encode() checks). */
static void set_random_same_as_libnv(void **state)
{
	static const uint32_t peer_flags[] = {WGPEER_REMOVE, WGPEER_REPLACE_AIPS, WGPEER_HAS_PSK, WGPEER_HAS_KEEPALIVE,
					      WGPEER_HAS_ENDPOINT, WGPEER_UPDATE_ONLY};
	uint8_t k[WG_KEY_LEN];

	for (int round = 0; round < 300; round++) {
		struct wg_device *c = wg_device_new(), *cur = wg_device_new();
		uint32_t np = randombytes_uniform(12), r = randombytes_random();
		nvlist_t *nvl;

		if (r & 1) {
			randombytes_buf(k, sizeof(k));
			assert_int_equal(wg_device_set_private_key(c, k), 0);
		}
		if (r & 2)
			c->flags |= WGDEV_HAS_PRIVATE_KEY; /* with or without a key */
		if (r & 4)
			c->flags |= WGDEV_HAS_LISTEN_PORT, c->listen_port = (uint16_t)randombytes_random();
		if (r & 8)
			c->flags |= WGDEV_HAS_FWMARK, c->fwmark = randombytes_random();
		if (r & 16)
			c->flags |= WGDEV_REPLACE_PEERS;
		for (uint32_t i = 0; i < np; i++) {
			struct wg_peer *p = peer(c, i);
			for (size_t f = 0; f < N(peer_flags); f++)
				if (randombytes_uniform(3) == 0)
					p->flags |= peer_flags[f];
			randombytes_buf(p->psk, WG_KEY_LEN);
			p->keepalive = (uint16_t)randombytes_random();
			if (p->flags & WGPEER_HAS_ENDPOINT) {
				ep(p, randombytes_uniform(2) ? "2001:db8::9" : "198.51.100.9", (uint16_t)randombytes_random());
				if (p->endpoint_addr.sa.sa_family == AF_INET6)
					p->endpoint_addr.in6.sin6_scope_id = randombytes_random();
			}
			for (uint32_t j = randombytes_uniform(5); j > 0; j--)
				aip(p, j % 2 ? "10.0.0.0/8" : "fd00::/16");
			if (randombytes_uniform(2))
				peer(cur, i);
		}
		nvl = encode(c, cur);
		nvlist_destroy(nvl);
		wg_device_free(c);
		wg_device_free(cur);
	}
}

static void set_refuses_what_it_cannot_send(void **state)
{
	struct wg_device *c = wg_device_new();
	struct wg_peer *p = peer(c, 1);
	struct wj_err e;
	size_t len = 99;

	assert_int_equal(wg_peer_set_endpoint_text(p, "vpn.example.org:51820"), 0);
	p->flags |= WGPEER_HAS_ENDPOINT;
	wj_err_clear(&e);
	assert_null(wg_nv_encode_set(c, NULL, &len, &e));
	assert_int_equal(len, 0);
	assert_non_null(strstr(e.msg, "peer 1: endpoint (as written) is not resolved"));
	p->flags = WGPEER_UPDATE_ONLY;
	assert_null(wg_nv_encode_set(c, NULL, &len, &e));
	assert_non_null(strstr(e.msg, "update-only"));
	p->flags = 0;
	aip(p, "10.0.0.1/32");
	p->aips[0].family = 0;
	assert_null(wg_nv_encode_set(c, NULL, &len, &e));
	assert_non_null(strstr(e.msg, "allowed IP 1"));
	wg_device_free(c);
}

/* ---- GET: replies as wgc_get builds them -------------------------------- */

static void add_sockaddr(nvlist_t *nvl, const char *addr, uint16_t port)
{
	uint8_t sa[28] = {0};

	if (strchr(addr, ':')) {
		sa[0] = 28;
		sa[1] = 28;
		memcpy(sa + 2, &(uint16_t){htons(port)}, 2);
		assert_int_equal(inet_pton(AF_INET6, addr, sa + 8), 1);
		nvlist_add_binary(nvl, "endpoint", sa, 28);
	} else {
		sa[0] = 16;
		sa[1] = 2;
		memcpy(sa + 2, &(uint16_t){htons(port)}, 2);
		assert_int_equal(inet_pton(AF_INET, addr, sa + 4), 1);
		nvlist_add_binary(nvl, "endpoint", sa, 16);
	}
}

static nvlist_t *kernel_aip(const char *s)
{
	struct wg_ipmask ip;
	nvlist_t *a = nvlist_create(0);

	assert_int_equal(wg_ipmask_parse(s, &ip), 0);
	if (ip.family == AF_INET)
		nvlist_add_binary(a, "ipv4", &ip.addr.ip4, 4);
	else
		nvlist_add_binary(a, "ipv6", &ip.addr.ip6, 16);
	nvlist_add_number(a, "cidr", ip.cidr);
	return a;
}

/* wgc_get's order: listen-port and user-cookie when not 0, public-key,
 * private-key (root); per peer public-key, preshared-key (root), endpoint
 * (when known), last-handshake-time, keepalive, rx, tx, allowed-ips (in
 * reverse order of insertion). */
static uint8_t *kernel_reply(bool root, size_t *len)
{
	nvlist_t *nvl = nvlist_create(0), *peers[3], *aips[2];
	uint8_t k[WG_KEY_LEN], pub[WG_KEY_LEN];
	int64_t hs[2] = {1700000000, 123456789};
	void *packed;
	uint8_t *out;

	nvlist_add_number(nvl, "listen-port", 51820);
	nvlist_add_number(nvl, "user-cookie", 42);
	memset(k, 0x11, sizeof(k));
	key_clamp(k);
	assert_int_equal(key_public_from_private(pub, k), 0);
	nvlist_add_binary(nvl, "public-key", pub, WG_KEY_LEN);
	if (root)
		nvlist_add_binary(nvl, "private-key", k, WG_KEY_LEN);
	for (uint32_t i = 0; i < 3; i++) {
		nvlist_t *p = peers[i] = nvlist_create(0);
		key_n(k, i + 1);
		nvlist_add_binary(p, "public-key", k, WG_KEY_LEN);
		memset(k, i == 1 ? 0x22 : 0, sizeof(k)); /* peer 2 has a PSK */
		if (root)
			nvlist_add_binary(p, "preshared-key", k, WG_KEY_LEN);
		if (i == 0)
			add_sockaddr(p, "192.0.2.1", 51820);
		else if (i == 1)
			add_sockaddr(p, "2001:db8::2", 443);
		nvlist_add_binary(p, "last-handshake-time", hs, sizeof(hs));
		nvlist_add_number(p, "persistent-keepalive-interval", i == 1 ? 25 : 0);
		nvlist_add_number(p, "rx-bytes", 1000 + i);
		nvlist_add_number(p, "tx-bytes", 2000 + i);
		if (i < 2) {
			aips[0] = kernel_aip(i == 0 ? "fd00::1/128" : "10.0.2.0/24");
			aips[1] = kernel_aip(i == 0 ? "10.0.0.1/32" : "fd00:2::/64");
			nvlist_add_nvlist_array(p, "allowed-ips", (const nvlist_t *const *)aips, 2);
			nvlist_destroy(aips[0]);
			nvlist_destroy(aips[1]);
		}
		nvlist_add_binary(p, "future-key", "x", 1); /* a newer kernel's key: ignored */
	}
	nvlist_add_nvlist_array(nvl, "peers", (const nvlist_t *const *)peers, 3);
	for (int i = 0; i < 3; i++)
		nvlist_destroy(peers[i]);
	assert_int_equal(nvlist_error(nvl), 0);
	packed = nvlist_pack(nvl, len);
	assert_non_null(packed);
	out = malloc(*len);
	memcpy(out, packed, *len);
	free(packed);
	nvlist_destroy(nvl);
	return out;
}

static struct wg_device *decode_ok(const uint8_t *buf, size_t len)
{
	struct wg_device *d = NULL;
	struct wj_err e;

	wj_err_clear(&e);
	if (wg_nv_decode_get(buf, len, NULL, &d, &e) < 0)
		fail_msg("decode failed: %s", e.msg);
	return d;
}

static void get_as_root_and_not(void **state)
{
	for (int root = 1; root >= 0; root--) {
		size_t len;
		uint8_t *buf = kernel_reply(root, &len), k[WG_KEY_LEN], pub[WG_KEY_LEN];
		struct wg_device *d = decode_ok(buf, len);
		struct wg_peer *p;
		char s[64];

		free(buf);
		memset(k, 0x11, sizeof(k));
		key_clamp(k);
		if (root) {
			assert_true(d->flags & WGDEV_HAS_PRIVATE_KEY);
			assert_memory_equal(d->private_key, k, WG_KEY_LEN);
		} else {
			assert_false(d->flags & WGDEV_HAS_PRIVATE_KEY);
			assert_null(d->private_key);
		}
		assert_true(d->flags & WGDEV_HAS_PUBLIC_KEY);
		assert_int_equal(key_public_from_private(pub, k), 0);
		assert_memory_equal(d->public_key, pub, WG_KEY_LEN);
		assert_true(d->flags & WGDEV_HAS_LISTEN_PORT);
		assert_int_equal(d->listen_port, 51820);
		assert_true(d->flags & WGDEV_HAS_FWMARK);
		assert_int_equal(d->fwmark, 42);
		assert_int_equal(d->n_peers, 3);

		p = find(d, 1);
		assert_non_null(p);
		assert_false(p->flags & (WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE));
		assert_true(p->flags & WGPEER_HAS_ENDPOINT);
		assert_string_equal(wg_sockaddr_fmt(&p->endpoint_addr, s, sizeof(s)), "192.0.2.1:51820");
		assert_int_equal(p->n_aips, 2);
		assert_string_equal(wg_ipmask_fmt(&p->aips[0], s, sizeof(s)), "fd00::1/128");
		assert_string_equal(wg_ipmask_fmt(&p->aips[1], s, sizeof(s)), "10.0.0.1/32");
		assert_int_equal(p->last_handshake_sec, 1700000000);
		assert_int_equal(p->last_handshake_nsec, 123456789);
		assert_int_equal(p->rx_bytes, 1000);
		assert_int_equal(p->tx_bytes, 2000);

		p = find(d, 2);
		assert_int_equal(!!(p->flags & WGPEER_HAS_PSK), root);
		if (root)
			assert_int_equal(p->psk[0], 0x22);
		assert_true(p->flags & WGPEER_HAS_KEEPALIVE);
		assert_int_equal(p->keepalive, 25);
		assert_int_equal(p->endpoint_addr.sa.sa_family, AF_INET6);
		assert_string_equal(wg_sockaddr_fmt(&p->endpoint_addr, s, sizeof(s)), "[2001:db8::2]:443");
		assert_string_equal(wg_ipmask_fmt(&p->aips[0], s, sizeof(s)), "10.0.2.0/24");
		assert_string_equal(wg_ipmask_fmt(&p->aips[1], s, sizeof(s)), "fd00:2::/64");

		p = find(d, 3); /* no endpoint, no allowed IPs */
		assert_false(p->flags & WGPEER_HAS_ENDPOINT);
		assert_int_equal(p->endpoint_addr.sa.sa_family, AF_UNSPEC);
		assert_int_equal(p->n_aips, 0);
		assert_int_equal(p->tx_bytes, 2002);
		wg_device_free(d);
	}
}

/* A new interface: no key, no port, no cookie, no peer. */
static void get_blank_device(void **state)
{
	nvlist_t *nvl = nvlist_create(0);
	size_t len;
	void *packed = nvlist_pack(nvl, &len);
	struct wg_device *d = decode_ok(packed, len);

	assert_int_equal(d->flags, 0);
	assert_int_equal(d->n_peers, 0);
	assert_int_equal(d->listen_port, 0);
	wg_device_free(d);
	free(packed);
	nvlist_destroy(nvl);
}

/* What GET returns is what SET needs to reach it: decoded, planned
 * against itself, nothing to do. */
static void get_then_plan_is_empty(void **state)
{
	size_t len;
	uint8_t *buf = kernel_reply(true, &len);
	struct wg_device *d = decode_ok(buf, len), *p;
	struct wj_err e;

	free(buf);
	wj_err_clear(&e);
	assert_non_null(p = wg_plan(d, d, &e));
	assert_true(wg_plan_is_empty(p));
	wg_device_free(p);
	wg_device_free(d);
}

/* ---- the sync plans of test_plan.c, as per-peer nvlists ----------------- */

static struct wg_device *sample_current(void)
{
	struct wg_device *d = wg_device_new();
	uint8_t k[WG_KEY_LEN];
	struct wg_peer *p;

	memset(k, 0x11, sizeof(k));
	key_clamp(k);
	assert_int_equal(wg_device_set_private_key(d, k), 0);
	d->listen_port = 51820;
	d->flags |= WGDEV_HAS_LISTEN_PORT;
	p = peer(d, 1);
	aip(p, "10.0.0.2/32");
	ep(p, "192.0.2.1", 51820);
	p = peer(d, 2);
	aip(p, "10.0.0.3/32");
	aip(p, "fd00::3/128");
	memset(p->psk, 0x22, WG_KEY_LEN);
	p->flags |= WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE;
	p->keepalive = 25;
	return d;
}

static struct wg_device *sample_desired(void)
{
	struct wg_device *d = sample_current();

	wg_peer_set_endpoint_text(find(d, 1), "192.0.2.1:51820");
	return d;
}

static nvlist_t *plan_nvl(const struct wg_device *c, const struct wg_device *d, const struct wg_device *prev)
{
	struct wj_err e;
	struct wg_device *p;
	nvlist_t *nvl;

	wj_err_clear(&e);
	if (!(p = wg_plan_ex(c, d, prev, &e)))
		fail_msg("plan failed: %s", e.msg);
	nvl = encode(p, c);
	wg_device_free(p);
	return nvl;
}

static void plan_identical_sends_nothing(void **state)
{
	struct wg_device *c = sample_current(), *d = sample_desired();
	nvlist_t *nvl = plan_nvl(c, d, NULL);

	check_keys(nvl, dev_ref, N(dev_ref), "");
	nvlist_destroy(nvl);
	wg_device_free(c);
	wg_device_free(d);
}

static void plan_add_remove_change(void **state)
{
	struct wg_device *c = sample_current(), *d = sample_desired();
	const nvlist_t *const *peers, *const *aips;
	struct wg_peer *x;
	uint8_t k[WG_KEY_LEN];
	nvlist_t *nvl;
	size_t n, na;

	aip(peer(c, 9), "10.9.0.0/16");        /* only on the device: removed */
	x = peer(d, 5);                        /* new */
	aip(x, "10.5.0.1/24");
	ep(x, "2001:db8::5", 443);
	memset(x->psk, 0x44, WG_KEY_LEN);
	x->flags |= WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE;
	x->keepalive = 10;
	aip(find(d, 1), "10.1.0.0/16");        /* allowed IPs change */
	nvl = plan_nvl(c, d, NULL);
	check_keys(nvl, dev_ref, N(dev_ref), "peers"); /* never replace-peers, no device field */
	peers = peers_of(nvl, &n);
	assert_int_equal(n, 3);
	check_keys(peers[0], peer_ref, N(peer_ref), "public-key,remove");
	key_n(k, 9);
	assert_bin(peers[0], "public-key", k, WG_KEY_LEN);
	check_keys(peers[1], peer_ref, N(peer_ref), "public-key,replace-allowedips,allowed-ips");
	key_n(k, 1);
	assert_bin(peers[1], "public-key", k, WG_KEY_LEN);
	aips = nvlist_get_nvlist_array(peers[1], "allowed-ips", &na);
	assert_int_equal(na, 2);
	/* (replace-allowedips on a new peer: what the planner asks of every
	 * backend; if_wg ignores it for a peer it creates) */
	check_keys(peers[2], peer_ref, N(peer_ref),
		   "public-key,replace-allowedips,preshared-key,endpoint,persistent-keepalive-interval,allowed-ips");
	aips = nvlist_get_nvlist_array(peers[2], "allowed-ips", &na);
	assert_int_equal(na, 1);
	assert_bin(aips[0], "ipv4", "\x0a\x05\x00\x00", 4); /* masked */
	nvlist_destroy(nvl);
	wg_device_free(c);
	wg_device_free(d);
}

static void plan_removals_are_explicit(void **state)
{
	struct wg_device *c = sample_current(), *d = sample_desired();
	const nvlist_t *const *peers;
	struct wg_peer *x = find(d, 2);
	uint8_t zero[WG_KEY_LEN] = {0};
	nvlist_t *nvl;
	size_t n;

	x->flags &= ~(uint32_t)(WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE);
	memset(x->psk, 0, WG_KEY_LEN);
	x->keepalive = 0;
	nvl = plan_nvl(c, d, NULL);
	peers = peers_of(nvl, &n);
	assert_int_equal(n, 1);
	check_keys(peers[0], peer_ref, N(peer_ref), "public-key,preshared-key,persistent-keepalive-interval");
	assert_bin(peers[0], "preshared-key", zero, WG_KEY_LEN);
	assert_int_equal(nvlist_get_number(peers[0], "persistent-keepalive-interval"), 0);
	nvlist_destroy(nvl);
	wg_device_free(c);
	wg_device_free(d);
}

static void plan_roamed_endpoint_left_alone(void **state)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *prev = wg_device_new();
	const nvlist_t *const *peers;
	nvlist_t *nvl;
	size_t n;

	ep(find(c, 1), "192.0.2.9", 40000); /* roamed */
	ep(peer(prev, 1), "192.0.2.1", 51820);
	nvl = plan_nvl(c, d, prev);
	check_keys(nvl, dev_ref, N(dev_ref), "");
	nvlist_destroy(nvl);
	/* the file changed since wgjail last set it: the endpoint alone */
	ep(find(prev, 1), "192.0.2.7", 51820);
	nvl = plan_nvl(c, d, prev);
	peers = peers_of(nvl, &n);
	assert_int_equal(n, 1);
	check_keys(peers[0], peer_ref, N(peer_ref), "public-key,endpoint");
	nvlist_destroy(nvl);
	wg_device_free(prev);
	wg_device_free(c);
	wg_device_free(d);
}

static void plan_device_fields(void **state)
{
	struct wg_device *c = sample_current(), *d = sample_desired();
	uint8_t k[WG_KEY_LEN];
	nvlist_t *nvl;

	d->listen_port = 51821;
	d->fwmark = 0x10;
	d->flags |= WGDEV_HAS_FWMARK;
	memset(k, 0x33, sizeof(k));
	assert_int_equal(wg_device_set_private_key(d, k), 0);
	nvl = plan_nvl(c, d, NULL);
	check_keys(nvl, dev_ref, N(dev_ref), "private-key,listen-port,user-cookie");
	key_clamp(k);
	assert_bin(nvl, "private-key", k, WG_KEY_LEN);
	assert_int_equal(nvlist_get_number(nvl, "listen-port"), 51821);
	assert_int_equal(nvlist_get_number(nvl, "user-cookie"), 0x10);
	nvlist_destroy(nvl);
	wg_device_free(c);
	wg_device_free(d);
}

/* ---- malformed replies -------------------------------------------------- */

/* Decode BUF expecting a failure whose message holds every WANT (NULL
 * terminated) and no key in base64 or hex. */
static void refused(const void *buf, size_t len, const struct wg_nv_limits *lim, ...)
{
	struct wg_device *d = (struct wg_device *)1;
	struct wj_err e;
	const char *want;
	va_list ap;

	wj_err_clear(&e);
	assert_int_equal(wg_nv_decode_get(buf, len, lim, &d, &e), -1);
	assert_null(d); /* no device, not half of one */
	va_start(ap, lim);
	while ((want = va_arg(ap, const char *)))
		if (!strstr(e.msg, want))
			fail_msg("'%s' is not in: %s", want, e.msg);
	va_end(ap);
	assert_null(strstr(e.msg, "ERERERER")); /* base64 of the 0x11 key bytes */
	assert_null(strstr(e.msg, "1111111111"));
}

static uint8_t *pack(nvlist_t *nvl, size_t *len)
{
	void *p;

	assert_int_equal(nvlist_error(nvl), 0);
	p = nvlist_pack(nvl, len);
	assert_non_null(p);
	nvlist_destroy(nvl);
	return p;
}

/* A reply with one peer whose nvlist FIX adjusts. */
static uint8_t *one_peer(void (*fix)(nvlist_t *peer, nvlist_t *aip), size_t *len)
{
	nvlist_t *nvl = nvlist_create(0), *p = nvlist_create(0), *a = nvlist_create(0);
	uint8_t k[WG_KEY_LEN];

	memset(k, 0x11, sizeof(k));
	fix(p, a);
	if (!nvlist_exists(p, "public-key") && !nvlist_exists(p, "no-public-key"))
		nvlist_add_binary(p, "public-key", k, WG_KEY_LEN);
	if (!nvlist_exists(a, "cidr") && !nvlist_exists(a, "no-cidr"))
		nvlist_add_number(a, "cidr", 32);
	if (!nvlist_exists(a, "ipv4") && !nvlist_exists(a, "ipv6") && !nvlist_exists(a, "no-addr"))
		nvlist_add_binary(a, "ipv4", "\x0a\0\0\x01", 4);
	nvlist_move_nvlist_array(p, "allowed-ips", (nvlist_t **)memcpy(malloc(sizeof(a)), &a, sizeof(a)), 1);
	nvlist_add_number(nvl, "listen-port", 1);
	nvlist_move_nvlist_array(nvl, "peers", (nvlist_t **)memcpy(malloc(sizeof(p)), &p, sizeof(p)), 1);
	return pack(nvl, len);
}

static void fix_none(nvlist_t *p, nvlist_t *a) { (void)p, (void)a; }
static void fix_key31(nvlist_t *p, nvlist_t *a) { (void)a, nvlist_add_binary(p, "public-key", "1111111111111111111111111111111", 31); }
static void fix_psk31(nvlist_t *p, nvlist_t *a) { (void)a, nvlist_add_binary(p, "preshared-key", "1111111111111111111111111111111", 31); }
static void fix_key_number(nvlist_t *p, nvlist_t *a) { (void)a, nvlist_add_number(p, "public-key", 7); }
static void fix_no_key(nvlist_t *p, nvlist_t *a) { (void)a, nvlist_add_null(p, "no-public-key"); }
static void fix_ep_len(nvlist_t *p, nvlist_t *a) { (void)a, nvlist_add_binary(p, "endpoint", "\x00\x02\x00\x01\x0a\0\0\x01\0\0\0\0\0\0\0\0", 16); }
static void fix_ep_size(nvlist_t *p, nvlist_t *a) { (void)a, nvlist_add_binary(p, "endpoint", "\x14\x02\x00\x01\x0a\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0", 20); }
static void fix_ep_family(nvlist_t *p, nvlist_t *a) { (void)a, nvlist_add_binary(p, "endpoint", "\x10\x1c\x00\x01\x0a\0\0\x01\0\0\0\0\0\0\0\0", 16); }
static void fix_keepalive(nvlist_t *p, nvlist_t *a) { (void)a, nvlist_add_number(p, "persistent-keepalive-interval", 65536); }
static void fix_handshake(nvlist_t *p, nvlist_t *a) { (void)a, nvlist_add_binary(p, "last-handshake-time", "12345678", 8); }
static void fix_cidr(nvlist_t *p, nvlist_t *a) { (void)p, nvlist_add_number(a, "cidr", 33); }
static void fix_cidr_string(nvlist_t *p, nvlist_t *a) { (void)p, nvlist_add_string(a, "cidr", "24"); }
static void fix_no_cidr(nvlist_t *p, nvlist_t *a) { (void)p, nvlist_add_null(a, "no-cidr"); }
static void fix_ipv6_size(nvlist_t *p, nvlist_t *a) { (void)p, nvlist_add_binary(a, "ipv6", "12345678", 8); }
static void fix_both(nvlist_t *p, nvlist_t *a)
{
	(void)p;
	nvlist_add_binary(a, "ipv4", "\x0a\0\0\x01", 4);
	nvlist_add_binary(a, "ipv6", "1234567890123456", 16);
}

static void bad_fields(void **state)
{
	static const struct {
		void (*fix)(nvlist_t *, nvlist_t *);
		const char *want1, *want2;
	} cases[] = {
		{fix_key31, "peer 1 of 1: 'public-key' is 31 bytes, expected 32", NULL},
		{fix_psk31, "peer 1 of 1: 'preshared-key' is 31 bytes, expected 32", NULL},
		{fix_key_number, "peer 1 of 1: 'public-key' is a number, expected a binary", NULL},
		{fix_no_key, "peer 1 of 1: 'public-key' is missing", NULL},
		{fix_ep_len, "peer 1 of 1: 'endpoint' (16 bytes)", "length byte is not 16"},
		{fix_ep_size, "peer 1 of 1: 'endpoint' (20 bytes)", "neither a sockaddr_in"},
		{fix_ep_family, "peer 1 of 1: 'endpoint' (16 bytes)", "family that does not match"},
		{fix_keepalive, "'persistent-keepalive-interval' is 65536, more than 65535", NULL},
		{fix_handshake, "'last-handshake-time' is 8 bytes, expected 16", NULL},
		{fix_cidr, "peer 1 of 1, allowed IP 1 of 1: 'cidr' is 33, more than 32", NULL},
		{fix_cidr_string, "allowed IP 1 of 1: 'cidr' is a string, expected a number", NULL},
		{fix_no_cidr, "allowed IP 1 of 1: 'cidr' is missing", NULL},
		{fix_ipv6_size, "allowed IP 1 of 1: 'ipv6' is 8 bytes, expected 16", NULL},
		{fix_both, "allowed IP 1 of 1: 'ipv4' and 'ipv6' are both there", NULL},
	};
	size_t len;
	uint8_t *buf = one_peer(fix_none, &len);

	wg_device_free(decode_ok(buf, len)); /* the unfixed reply is fine */
	free(buf);
	for (size_t i = 0; i < N(cases); i++) {
		buf = one_peer(cases[i].fix, &len);
		refused(buf, len, NULL, "SIOCGWG reply: ", cases[i].want1, cases[i].want2, (char *)NULL);
		free(buf);
	}
}

static void bad_device_fields(void **state)
{
	size_t len;
	uint8_t *buf;
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_binary(nvl, "listen-port", "\x00\x01", 2);
	buf = pack(nvl, &len);
	refused(buf, len, NULL, "SIOCGWG reply: 'listen-port' is a binary, expected a number", (char *)NULL);
	free(buf);
	nvl = nvlist_create(0);
	nvlist_add_binary(nvl, "private-key", "1111111111111111111111111111111", 31);
	buf = pack(nvl, &len);
	refused(buf, len, NULL, "'private-key' is 31 bytes, expected 32", (char *)NULL);
	free(buf);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "user-cookie", (uint64_t)UINT32_MAX + 1);
	buf = pack(nvl, &len);
	refused(buf, len, NULL, "'user-cookie' is 4294967296, more than 4294967295", (char *)NULL);
	free(buf);
	nvl = nvlist_create(0);
	nvlist_move_nvlist(nvl, "peers", nvlist_create(0));
	buf = pack(nvl, &len);
	refused(buf, len, NULL, "'peers' is a nvlist, expected a nvlist array", (char *)NULL);
	free(buf);
}

static void truncated_and_damaged(void **state)
{
	size_t len;
	uint8_t *buf = kernel_reply(true, &len), *peers;
	struct wg_device *d;

	/* every strict prefix is refused; the whole reply decodes */
	for (size_t cut = 0; cut < len; cut++)
		refused(buf, cut, NULL, "SIOCGWG reply: ", "not a well-formed nvlist", (char *)NULL);
	d = decode_ok(buf, len);
	wg_device_free(d);
	/* a bad magic */
	buf[0] ^= 0xff;
	refused(buf, len, NULL, "not a well-formed nvlist", (char *)NULL);
	buf[0] ^= 0xff;
	/* an absurd count: the "peers" pair claims 2^40 nvlists */
	peers = memmem(buf, len, "peers", 6);
	assert_non_null(peers);
	memcpy(peers - 8, &(uint64_t){(uint64_t)1 << 40}, 8); /* nvph_nitems, just before the name */
	refused(buf, len, NULL, "not a well-formed nvlist", (char *)NULL);
	free(buf);
}

static void counts_and_twins(void **state)
{
	const struct wg_nv_limits lim = {2, 1};
	size_t len;
	uint8_t *buf = kernel_reply(true, &len);
	nvlist_t *nvl, *p[2];
	uint8_t k[WG_KEY_LEN];

	refused(buf, len, &lim, "SIOCGWG reply: 'peers' has 3 entries, more than 2", (char *)NULL);
	free(buf);
	buf = one_peer(fix_none, &len);
	refused(buf, len, &(struct wg_nv_limits){5, 0}, "peer 1 of 1: 'allowed-ips' has 1 entries, more than 0",
		(char *)NULL);
	free(buf);
	/* the same peer twice */
	nvl = nvlist_create(0);
	key_n(k, 1);
	for (int i = 0; i < 2; i++) {
		p[i] = nvlist_create(0);
		nvlist_add_binary(p[i], "public-key", k, WG_KEY_LEN);
	}
	nvlist_add_nvlist_array(nvl, "peers", (const nvlist_t *const *)p, 2);
	nvlist_destroy(p[0]);
	nvlist_destroy(p[1]);
	buf = pack(nvl, &len);
	refused(buf, len, NULL, "peer 2 of 2: 'public-key' is that of an earlier peer", (char *)NULL);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_every_field),
		cmocka_unit_test(set_key_removal_and_nothing),
		cmocka_unit_test(set_many_secrets),
		cmocka_unit_test(set_random_same_as_libnv),
		cmocka_unit_test(set_refuses_what_it_cannot_send),
		cmocka_unit_test(get_as_root_and_not),
		cmocka_unit_test(get_blank_device),
		cmocka_unit_test(get_then_plan_is_empty),
		cmocka_unit_test(plan_identical_sends_nothing),
		cmocka_unit_test(plan_add_remove_change),
		cmocka_unit_test(plan_removals_are_explicit),
		cmocka_unit_test(plan_roamed_endpoint_left_alone),
		cmocka_unit_test(plan_device_fields),
		cmocka_unit_test(bad_fields),
		cmocka_unit_test(bad_device_fields),
		cmocka_unit_test(truncated_and_damaged),
		cmocka_unit_test(counts_and_twins),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
