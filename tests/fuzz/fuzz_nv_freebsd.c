/* libFuzzer: the SIOCGWG reply decoder (wg/nv_decode_freebsd.c) with
 * FreeBSD's libnv from the test kit: bytes -> nvlist_unpack -> decode.
 *
 * The input is used two ways (its first byte picks):
 *   - as the packed reply itself (libnv's unpacking and the decoder on
 *     raw bytes);
 *   - as a recipe for a well-formed nvlist built with libnv: keys drawn
 *     from the reply's own (and unknown ones), types and sizes sometimes
 *     right, sometimes wrong, nested peer and allowed-IP arrays, then
 *     packed, optionally damaged at one byte, and decoded.  This reaches
 *     the decoder's checks without a seed corpus (none is kept: the kit's
 *     output stays out of the tree).
 * A decoded device must be consistent, survive planning against itself
 * (nothing to do) and encode back into a SET nvlist that libnv unpacks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/nv.h>

#include "keys/keys.h"
#include "util/err.h"
#include "wg/model.h"
#include "wg/nv_freebsd.h"
#include "wg/plan.h"

/* libnv 12.1 leaks the pair it was unpacking when an nvlist array in it
 * is malformed (not the decoder's doing; see tests/unit/test_nv_freebsd.c). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:nvpair_unpack\n";
}

struct cur {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct cur *c)
{
	if (!c->n)
		return 0;
	c->n--;
	return *c->p++;
}

static uint64_t number(struct cur *c)
{
	uint64_t v = 0;
	uint8_t w = byte(c) % 4;

	if (w == 0)
		return byte(c); /* small */
	for (int i = 0; i < (w == 1 ? 2 : 8); i++)
		v = v << 8 | byte(c);
	return v;
}

static const char *const keys[] = {
	"private-key", "public-key", "listen-port", "user-cookie", "peers", "preshared-key", "endpoint",
	"persistent-keepalive-interval", "last-handshake-time", "rx-bytes", "tx-bytes", "allowed-ips",
	"cidr", "ipv4", "ipv6", "remove", "flags",
};

static nvlist_t *build(struct cur *c, int depth)
{
	nvlist_t *nvl = nvlist_create(0);
	size_t n = byte(c) % 9;

	for (size_t i = 0; i < n && c->n; i++) {
		const char *k = keys[byte(c) % (sizeof(keys) / sizeof(*keys))];
		uint8_t t = byte(c) % 8;
		if (nvlist_exists(nvl, k))
			continue;
		if (t <= 2) { /* binary: mostly a plausible size */
			static const size_t sizes[] = {32, 32, 16, 28, 4, 16, 31, 0};
			uint8_t buf[64];
			size_t len = t == 2 ? byte(c) % sizeof(buf) : sizes[byte(c) % 8];
			for (size_t j = 0; j < len; j++)
				buf[j] = byte(c);
			if (len && (byte(c) & 1) && (len == 16 || len == 28)) {
				buf[0] = (uint8_t)len; /* a sockaddr's length and family */
				buf[1] = len == 16 ? 2 : 28;
			}
			if (len)
				nvlist_add_binary(nvl, k, buf, len);
		} else if (t <= 4) {
			nvlist_add_number(nvl, k, number(c));
		} else if (t == 5 && depth < 3) {
			size_t m = byte(c) % 4 + 1;
			nvlist_t **arr = calloc(m, sizeof(*arr));
			if (!arr)
				abort();
			for (size_t j = 0; j < m; j++)
				arr[j] = build(c, depth + 1);
			nvlist_move_nvlist_array(nvl, k, arr, m);
		} else if (t == 6) {
			nvlist_add_bool(nvl, k, byte(c) & 1);
		} else {
			nvlist_add_string(nvl, k, "x");
		}
	}
	return nvl;
}

/* Everything the device holds, as a change set for SET. */
static void reencode(struct wg_device *d)
{
	struct wj_err e = {0};
	uint8_t *packed;
	size_t len;
	nvlist_t *nvl;

	d->flags |= WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK;
	for (size_t i = 0; i < d->n_peers; i++)
		d->peers[i].flags |= WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE | WGPEER_REPLACE_AIPS;
	if (!(packed = wg_nv_encode_set(d, NULL, &len, &e)))
		abort(); /* a decoded device always encodes */
	if (!(nvl = nvlist_unpack(packed, len, 0)))
		abort();
	if (d->n_peers && !nvlist_exists_nvlist_array(nvl, "peers"))
		abort();
	nvlist_destroy(nvl);
	wg_nv_packed_free(packed);
}

static int own_key_peer(const struct wg_device *d)
{
	return (d->flags & WGDEV_HAS_PUBLIC_KEY) && wg_device_find_peer(d, d->public_key);
}

static void check(const uint8_t *buf, size_t len)
{
	static const struct wg_nv_limits lim = {64, 64};
	struct wg_device *d = NULL, *plan;
	struct wj_err e = {0};

	if (wg_nv_decode_get(buf, len, &lim, &d, &e) < 0) {
		if (d || !e.msg[0] || strncmp(e.msg, "SIOCGWG reply: ", 15) != 0)
			abort();
		return;
	}
	if (!d || d->n_peers > lim.peers)
		abort();
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer *p = &d->peers[i];
		if (p->n_aips > lim.aips || ((p->flags & WGPEER_HAS_PSK) && key_is_zero(p->psk)))
			abort();
		for (size_t j = 0; j < p->n_aips; j++)
			if (p->aips[j].cidr > (p->aips[j].family == AF_INET ? 32 : 128))
				abort();
		if ((p->flags & WGPEER_HAS_ENDPOINT) && p->endpoint_addr.sa.sa_family != AF_INET &&
		    p->endpoint_addr.sa.sa_family != AF_INET6)
			abort();
	}
	/* (a peer with the device's own key, which no kernel reports, is one
	 * the planner ignores: then the device does not plan to itself) */
	if (!own_key_peer(d)) {
		if (!(plan = wg_plan(d, d, &e)) || !wg_plan_is_empty(plan))
			abort();
		wg_device_free(plan);
	}
	reencode(d);
	wg_device_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct cur c = {data, size};

	if (!init) {
		if (keys_init() < 0)
			abort();
		init = 1;
	}
	if (size && data[0] % 4 == 0) {
		check(data + 1, size - 1);
	} else {
		nvlist_t *nvl;
		void *packed;
		size_t len;
		(void)byte(&c);
		nvl = build(&c, 0);
		if (nvlist_error(nvl) == 0 && (packed = nvlist_pack(nvl, &len))) {
			if (c.n >= 4 && len && byte(&c) % 4 == 0) {
				size_t at = (size_t)byte(&c) << 8;
				at = (at | byte(&c)) % len;
				((uint8_t *)packed)[at] ^= (uint8_t)(byte(&c) | 1);
			}
			check(packed, len);
			free(packed);
		}
		nvlist_destroy(nvl);
	}
	return 0;
}
