/* wg/uapi_decode: GET and SET replies, whole and in pieces, and every
 * kind of malformed reply; the set form (wg/uapi_write.h) written and
 * read back, flags included; the jail call's request header
 * (agent/jailcall_proto.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/jailcall_proto.h"
#include "util/err.h"
#include "keys/keys.h"
#include "wg/uapi_decode.h"
#include "wg/uapi_frame.h"
#include "wg/uapi_write.h"

#define K1 "1111111111111111111111111111111111111111111111111111111111111111"
#define KA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define KB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define KZ "0000000000000000000000000000000000000000000000000000000000000000"
#define KP "2222222222222222222222222222222222222222222222222222222222222222"

/* What wireguard-go 0.0.20220316 sends (keys replaced). */
static const char wggo[] =
	"private_key=" K1 "\n"
	"listen_port=51820\n"
	"fwmark=4660\n"
	"public_key=" KA "\n"
	"preshared_key=" KZ "\n"
	"protocol_version=1\n"
	"endpoint=192.0.2.1:51820\n"
	"last_handshake_time_sec=1700000000\n"
	"last_handshake_time_nsec=123\n"
	"tx_bytes=100\n"
	"rx_bytes=200\n"
	"persistent_keepalive_interval=25\n"
	"allowed_ip=10.0.0.2/32\n"
	"allowed_ip=fd00::/64\n"
	"public_key=" KB "\n"
	"preshared_key=" KP "\n"
	"protocol_version=1\n"
	"endpoint=[2001:db8::1]:443\n"
	"last_handshake_time_sec=0\n"
	"last_handshake_time_nsec=0\n"
	"tx_bytes=0\n"
	"rx_bytes=0\n"
	"persistent_keepalive_interval=0\n"
	"errno=0\n"
	"\n";

static void check_wggo(const struct wg_device *d)
{
	uint8_t k[WG_KEY_LEN], pub[WG_KEY_LEN];
	const struct wg_peer *p;

	assert_non_null(d->private_key);
	memset(k, 0x11, sizeof(k));
	assert_memory_equal(d->private_key, k, WG_KEY_LEN);
	assert_true(d->flags & WGDEV_HAS_PUBLIC_KEY);
	assert_int_equal(key_public_from_private(pub, k), 0);
	assert_memory_equal(d->public_key, pub, WG_KEY_LEN);
	assert_int_equal(d->listen_port, 51820);
	assert_int_equal(d->fwmark, 4660);
	assert_int_equal(d->n_peers, 2);
	p = &d->peers[0];
	memset(k, 0xaa, sizeof(k));
	assert_memory_equal(p->public_key, k, WG_KEY_LEN);
	assert_false(p->flags & WGPEER_HAS_PSK);
	assert_int_equal(p->endpoint_addr.sa.sa_family, AF_INET);
	assert_int_equal(p->endpoint_addr.in.sin_port, htons(51820));
	assert_null(p->endpoint);
	assert_int_equal(p->last_handshake_sec, 1700000000);
	assert_int_equal(p->last_handshake_nsec, 123);
	assert_int_equal(p->tx_bytes, 100);
	assert_int_equal(p->rx_bytes, 200);
	assert_int_equal(p->keepalive, 25);
	assert_true(p->flags & WGPEER_HAS_KEEPALIVE);
	assert_int_equal(p->n_aips, 2);
	assert_int_equal(p->aips[1].family, AF_INET6);
	assert_int_equal(p->aips[1].cidr, 64);
	p = &d->peers[1];
	assert_true(p->flags & WGPEER_HAS_PSK);
	assert_int_equal(p->psk[0], 0x22);
	assert_int_equal(p->endpoint_addr.sa.sa_family, AF_INET6);
	assert_int_equal(p->endpoint_addr.in6.sin6_port, htons(443));
	assert_int_equal(p->keepalive, 0);
	assert_false(p->flags & WGPEER_HAS_KEEPALIVE);
	assert_int_equal(p->n_aips, 0);
}

static void whole_reply(void **s)
{
	struct wg_device *d;
	struct wj_err e;

	wj_err_clear(&e);
	assert_int_equal(wg_uapi_decode(wggo, sizeof(wggo) - 1, &d, &e), 0);
	check_wggo(d);
	wg_device_free(d);
}

static void byte_by_byte(void **s)
{
	struct wg_uapi_dec *d = wg_uapi_dec_new(false);
	struct wg_device *dev;
	struct wj_err e;
	size_t used;
	int r = 0;

	for (size_t i = 0; i < sizeof(wggo) - 1; i++) {
		r = wg_uapi_dec_feed(d, wggo + i, 1, &used, &e);
		assert_int_equal(used, 1);
		if (i + 1 < sizeof(wggo) - 1)
			assert_int_equal(r, 0);
	}
	assert_int_equal(r, 1);
	dev = wg_uapi_dec_take(d);
	check_wggo(dev);
	wg_device_free(dev);
	wg_uapi_dec_free(d);
}

static int decode(const char *text, struct wj_err *e)
{
	struct wg_device *d = NULL;
	int r;

	wj_err_clear(e);
	r = wg_uapi_decode(text, strlen(text), &d, e);
	wg_device_free(d);
	return r;
}

static void errno_either_sign(void **s)
{
	struct wj_err e;

	assert_int_equal(decode("errno=-22\n\n", &e), -1);
	assert_int_equal(e.code, EINVAL);
	assert_int_equal(decode("errno=98\n\n", &e), -1);
	assert_int_equal(e.code, EADDRINUSE);
	assert_int_equal(decode("errno=0\n\n", &e), 0);
	assert_int_equal(decode("errno=x\n\n", &e), -1);
	assert_int_equal(decode("errno=--1\n\n", &e), -1);
}

static void set_reply(void **s)
{
	struct wg_uapi_dec *d = wg_uapi_dec_new(true);
	struct wj_err e;
	size_t used;

	assert_int_equal(wg_uapi_dec_feed(d, "errno=0\n\n", 9, &used, &e), 1);
	assert_null(wg_uapi_dec_take(d));
	wg_uapi_dec_free(d);
	d = wg_uapi_dec_new(true);
	assert_int_equal(wg_uapi_dec_feed(d, "errno=-98\n\n", 11, &used, &e), -1);
	assert_int_equal(e.code, EADDRINUSE);
	wg_uapi_dec_free(d);
	d = wg_uapi_dec_new(true);
	assert_int_equal(wg_uapi_dec_feed(d, "listen_port=1\nerrno=0\n\n", 23, &used, &e), -1);
	wg_uapi_dec_free(d);
}

static void malformed(void **s)
{
	static const char *const bad[] = {
		"",                                   /* truncated */
		"listen_port=1\n",                    /* no errno, no end */
		"listen_port=1\n\n",                  /* end without errno */
		"errno=0\n",                          /* no final empty line */
		"errno=0\n\nx",                       /* bytes after the end */
		"errno=0\nlisten_port=1\n\n",         /* data after errno */
		"listen_port\nerrno=0\n\n",           /* no '=' */
		"=1\nerrno=0\n\n",                    /* empty key */
		"Listen_port=1\nerrno=0\n\n",         /* bad key characters */
		"listen_port=\nerrno=0\n\n",          /* empty value */
		"listen_port=65536\nerrno=0\n\n",
		"listen_port=-1\nerrno=0\n\n",
		"listen_port= 1\nerrno=0\n\n",
		"fwmark=4294967296\nerrno=0\n\n",
		"private_key=" KA "0\nerrno=0\n\n",   /* 65 digits */
		"private_key=zz" K1 "\nerrno=0\n\n",
		"public_key=" KA "\npublic_key=" KA "\nerrno=0\n\n", /* twice */
		"public_key=" KA "\nlisten_port=1\nerrno=0\n\n",      /* device key after a peer */
		"allowed_ip=10.0.0.0/8\nerrno=0\n\n",                 /* peer key before a peer */
		"public_key=" KA "\nallowed_ip=10.0.0.0/33\nerrno=0\n\n",
		"public_key=" KA "\nallowed_ip=10.0.0.0\nallowed_ip=x/1\nerrno=0\n\n",
		"public_key=" KA "\nendpoint=1.2.3.4\nerrno=0\n\n",
		"public_key=" KA "\nendpoint=[::1:5\nerrno=0\n\n",
		"public_key=" KA "\nendpoint=host.example:5\nerrno=0\n\n",
		"public_key=" KA "\nendpoint=1.2.3.4:0\nerrno=0\n\n",
		"public_key=" KA "\nprotocol_version=2\nerrno=0\n\n",
		"public_key=" KA "\npersistent_keepalive_interval=65536\nerrno=0\n\n",
		"public_key=" KA "\ntx_bytes=18446744073709551616\nerrno=0\n\n",
		"public_key=" KA "\nlast_handshake_time_sec=9223372036854775808\nerrno=0\n\n",
	};
	struct wj_err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (decode(bad[i], &e) != -1)
			fail_msg("accepted malformed reply #%zu: %s", i, bad[i]);
		assert_true(e.msg[0] != '\0');
		assert_null(strstr(e.msg, K1)); /* never a key in a message */
	}
	/* a NUL byte inside a line */
	{
		static const char nul[] = "listen_port=1\0\nerrno=0\n\n";
		struct wg_device *d = NULL;
		assert_int_equal(wg_uapi_decode(nul, sizeof(nul) - 1, &d, &e), -1);
		assert_null(d);
	}
}

static void unknown_keys_and_boringtun(void **s)
{
	struct wg_device *d;
	struct wj_err e;
	static const char r[] = "own_public_key=" KB "\n"
				"listen_port=1\n"
				"some_future_key=whatever\n"
				"public_key=" KA "\n"
				"another_future_key=1\n"
				"last_handshake_time_sec=-5\n"
				"endpoint=[fe80::1%7]:9\n"
				"errno=0\n\n";

	wj_err_clear(&e);
	assert_int_equal(wg_uapi_decode(r, sizeof(r) - 1, &d, &e), 0);
	assert_null(d->private_key);
	assert_true(d->flags & WGDEV_HAS_PUBLIC_KEY);
	assert_int_equal(d->public_key[0], 0xbb);
	assert_int_equal(d->n_peers, 1);
	assert_int_equal(d->peers[0].last_handshake_sec, -5);
	assert_int_equal(d->peers[0].endpoint_addr.in6.sin6_scope_id, 7);
	wg_device_free(d);
}

static void size_limits(void **s)
{
	struct wg_uapi_dec *d = wg_uapi_dec_new(false);
	char *big = malloc(WG_UAPI_MAX_LINE + 2);
	struct wj_err e;
	size_t used;

	/* one line longer than the limit */
	memcpy(big, "x_=", 3);
	memset(big + 3, 'a', WG_UAPI_MAX_LINE - 1);
	big[WG_UAPI_MAX_LINE + 1] = '\n';
	assert_int_equal(wg_uapi_dec_feed(d, big, WG_UAPI_MAX_LINE + 2, &used, &e), -1);
	assert_non_null(strstr(e.msg, "too long"));
	wg_uapi_dec_free(d);
	/* exactly the limit is fine */
	d = wg_uapi_dec_new(false);
	big[WG_UAPI_MAX_LINE] = '\n';
	assert_int_equal(wg_uapi_dec_feed(d, big, WG_UAPI_MAX_LINE + 1, &used, &e), 0);
	wg_uapi_dec_free(d);
	free(big);
}

static void many_peers(void **s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct wg_device *d;
	struct wj_err e;
	char hex[WG_KEY_HEX_LEN + 1];
	uint8_t k[WG_KEY_LEN];

	for (uint32_t i = 0; i < 20000; i++) {
		memset(k, 0, sizeof(k));
		memcpy(k, &i, sizeof(i));
		key_to_hex(hex, k);
		fprintf(f, "public_key=%s\nallowed_ip=10.%u.%u.0/24\n", hex, i >> 8, i & 255);
	}
	fputs("errno=0\n\n", f);
	fclose(f);
	wj_err_clear(&e);
	assert_int_equal(wg_uapi_decode(buf, len, &d, &e), 0);
	assert_int_equal(d->n_peers, 20000);
	wg_device_free(d);
	free(buf);
}

struct collected {
	size_t n;
	uint16_t port_seen; /* device field visible to the callback */
	uint8_t keys[4][WG_KEY_LEN];
	size_t aips[4];
	int fail_at;        /* return an error for this peer (-1 = never) */
};

static int collect(void *arg, const struct wg_device *dev, const struct wg_peer *p, struct wj_err *e)
{
	struct collected *c = arg;

	if ((int)c->n == c->fail_at)
		return wj_errf(e, "stop here");
	c->port_seen = dev->listen_port;
	memcpy(c->keys[c->n], p->public_key, WG_KEY_LEN);
	c->aips[c->n] = p->n_aips;
	c->n++;
	assert_true(dev->n_peers <= 1); /* never more than the peer in hand */
	return 0;
}

static void streaming(void **s)
{
	struct collected c = {.fail_at = -1};
	struct wg_uapi_dec *d = wg_uapi_dec_new(false);
	struct wg_device *dev;
	struct wj_err e;
	size_t used;

	wg_uapi_dec_stream(d, collect, &c);
	for (size_t i = 0; i < sizeof(wggo) - 1; i += 7) {
		size_t n = sizeof(wggo) - 1 - i < 7 ? sizeof(wggo) - 1 - i : 7;
		int r = wg_uapi_dec_feed(d, wggo + i, n, &used, &e);
		assert_int_equal(r, i + n == sizeof(wggo) - 1 ? 1 : 0);
	}
	assert_int_equal(c.n, 2);
	assert_int_equal(c.port_seen, 51820);
	assert_int_equal(c.keys[0][0], 0xaa);
	assert_int_equal(c.keys[1][0], 0xbb);
	assert_int_equal(c.aips[0], 2);
	assert_int_equal(c.aips[1], 0);
	dev = wg_uapi_dec_take(d);
	assert_int_equal(dev->n_peers, 0);
	assert_int_equal(dev->fwmark, 4660);
	assert_non_null(dev->private_key);
	wg_device_free(dev);
	wg_uapi_dec_free(d);

	/* the callback's error stops decoding */
	memset(&c, 0, sizeof(c));
	c.fail_at = 1;
	d = wg_uapi_dec_new(false);
	wg_uapi_dec_stream(d, collect, &c);
	wj_err_clear(&e);
	assert_int_equal(wg_uapi_dec_feed(d, wggo, sizeof(wggo) - 1, &used, &e), -1);
	assert_string_equal(e.msg, "stop here");
	assert_int_equal(c.n, 1);
	wg_uapi_dec_free(d);

	/* device keys after a streamed peer are still refused */
	memset(&c, 0, sizeof(c));
	c.fail_at = -1;
	d = wg_uapi_dec_new(false);
	wg_uapi_dec_stream(d, collect, &c);
	{
		static const char r[] = "public_key=" KA "\npublic_key=" KB "\nlisten_port=1\nerrno=0\n\n";
		assert_int_equal(wg_uapi_dec_feed(d, r, sizeof(r) - 1, &used, &e), -1);
	}
	wg_uapi_dec_free(d);
}

/* wg/uapi_write: a device written as a GET reply decodes to the same
 * device (what a jail's child process hands back, agent/jailcall.h). */
static struct wg_device *round_trip(const struct wg_device *d)
{
	struct wg_device *out = NULL;
	struct wj_err e = {0};
	char buf[8192];
	FILE *f = tmpfile();
	size_t n;

	assert_non_null(f);
	assert_int_equal(wg_uapi_write_get(fileno(f), d, &e), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(wg_uapi_decode(buf, n, &out, &e), 0);
	return out;
}

static void write_get_round_trip(void **st)
{
	struct wg_device *d = wg_device_new(), *r;
	uint8_t k[WG_KEY_LEN];
	struct wg_ipmask m;
	struct wg_peer *p;
	(void)st;
	memset(k, 0x11, sizeof(k));
	key_clamp(k);
	assert_int_equal(wg_device_set_private_key(d, k), 0);
	d->flags |= WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK;
	d->listen_port = 51820;
	d->fwmark = 0x1234;
	memset(k, 0xaa, sizeof(k));
	p = wg_device_add_peer(d, k);
	memset(p->psk, 0x22, sizeof(p->psk));
	p->flags |= WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE | WGPEER_HAS_ENDPOINT;
	p->keepalive = 25;
	p->endpoint_addr.in.sin_family = AF_INET;
	p->endpoint_addr.in.sin_port = htons(51821);
	inet_pton(AF_INET, "192.0.2.7", &p->endpoint_addr.in.sin_addr);
	p->last_handshake_sec = 1700000000;
	p->last_handshake_nsec = 123456789;
	p->rx_bytes = 1ull << 40;
	p->tx_bytes = 99;
	assert_int_equal(wg_ipmask_parse("10.8.0.2/32", &m), 0);
	assert_int_equal(wg_peer_add_aip(p, &m), 0);
	assert_int_equal(wg_ipmask_parse("fd00::/64", &m), 0);
	assert_int_equal(wg_peer_add_aip(p, &m), 0);
	memset(k, 0xbb, sizeof(k));
	p = wg_device_add_peer(d, k); /* no endpoint, no PSK, never seen */
	p->endpoint_addr.in6.sin6_family = AF_INET6;
	p->endpoint_addr.in6.sin6_port = htons(7);
	inet_pton(AF_INET6, "2001:db8::1", &p->endpoint_addr.in6.sin6_addr);

	r = round_trip(d);
	assert_true(r->flags & WGDEV_HAS_PRIVATE_KEY);
	assert_memory_equal(r->private_key, d->private_key, WG_KEY_LEN);
	assert_memory_equal(r->public_key, d->public_key, WG_KEY_LEN);
	assert_int_equal(r->listen_port, 51820);
	assert_int_equal(r->fwmark, 0x1234);
	assert_int_equal(r->n_peers, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct wg_peer *a = &d->peers[i], *b = &r->peers[i];
		assert_memory_equal(a->public_key, b->public_key, WG_KEY_LEN);
		assert_true(wg_sockaddr_equal(&a->endpoint_addr, &b->endpoint_addr));
		assert_int_equal(a->keepalive, b->keepalive);
		assert_int_equal(a->last_handshake_sec, b->last_handshake_sec);
		assert_int_equal(a->last_handshake_nsec, b->last_handshake_nsec);
		assert_int_equal(a->rx_bytes, b->rx_bytes);
		assert_int_equal(a->tx_bytes, b->tx_bytes);
		assert_int_equal(a->n_aips, b->n_aips);
		for (size_t j = 0; j < a->n_aips; j++)
			assert_int_equal(wg_ipmask_cmp(&a->aips[j], &b->aips[j]), 0);
	}
	assert_true(r->peers[0].flags & WGPEER_HAS_PSK);
	assert_memory_equal(r->peers[0].psk, d->peers[0].psk, WG_KEY_LEN);
	assert_false(r->peers[1].flags & WGPEER_HAS_PSK);
	wg_device_free(r);

	/* without a private key (an unprivileged read): the public key */
	wg_device_clear_private_key(d);
	d->flags |= WGDEV_HAS_PUBLIC_KEY;
	r = round_trip(d);
	assert_null(r->private_key);
	assert_true(r->flags & WGDEV_HAS_PUBLIC_KEY);
	assert_memory_equal(r->public_key, d->public_key, WG_KEY_LEN);
	wg_device_free(r);
	wg_device_free(d);
}


/* ---- the set form ------------------------------------------------------ */

static char *set_text(const struct wg_device *d, unsigned flags, size_t *len)
{
	static char buf[16384];
	struct wj_err e = {0};
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(wg_uapi_write_set(fileno(f), "wg0", d, flags, &e), 0);
	rewind(f);
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static struct wg_device *set_round_trip(const struct wg_device *d)
{
	struct wg_device *out = NULL;
	struct wj_err e = {0};
	size_t n;
	char *t = set_text(d, WG_UAPI_SET_REQUEST, &n);

	assert_int_equal(wg_uapi_decode_set(t, n, &out, &e), 0);
	return out;
}

/* The flags a set carries (the report-only ones, NEW and CHANGED_AIPS,
 * stay with the caller). */
#define SET_PEER_FLAGS                                                                                       \
	(WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE | WGPEER_HAS_ENDPOINT | WGPEER_REMOVE | WGPEER_REPLACE_AIPS |   \
	 WGPEER_UPDATE_ONLY | WGPEER_HAS_AIPS)

static void assert_same_set(const struct wg_device *a, const struct wg_device *b)
{
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->private_key != NULL, b->private_key != NULL);
	if (a->private_key)
		assert_memory_equal(a->private_key, b->private_key, WG_KEY_LEN);
	if (a->flags & WGDEV_HAS_LISTEN_PORT)
		assert_int_equal(a->listen_port, b->listen_port);
	if (a->flags & WGDEV_HAS_FWMARK)
		assert_int_equal(a->fwmark, b->fwmark);
	assert_int_equal(a->n_peers, b->n_peers);
	for (size_t i = 0; i < a->n_peers; i++) {
		const struct wg_peer *p = &a->peers[i], *q = &b->peers[i];
		assert_memory_equal(p->public_key, q->public_key, WG_KEY_LEN);
		assert_int_equal(p->flags & SET_PEER_FLAGS, q->flags);
		if (p->flags & WGPEER_REMOVE)
			continue;
		if (p->flags & WGPEER_HAS_PSK)
			assert_memory_equal(p->psk, q->psk, WG_KEY_LEN);
		if (p->flags & WGPEER_HAS_KEEPALIVE)
			assert_int_equal(p->keepalive, q->keepalive);
		assert_true(wg_sockaddr_equal(&p->endpoint_addr, &q->endpoint_addr));
		if (p->endpoint_addr.sa.sa_family == AF_UNSPEC && p->endpoint)
			assert_string_equal(p->endpoint, q->endpoint);
		assert_int_equal(p->n_aips, q->n_aips);
		for (size_t j = 0; j < p->n_aips; j++)
			assert_int_equal(wg_ipmask_cmp(&p->aips[j], &q->aips[j]), 0);
	}
}

static struct wg_peer *peer_of(struct wg_device *d, int byte, uint32_t flags)
{
	uint8_t k[WG_KEY_LEN];
	struct wg_peer *p;

	memset(k, byte, sizeof(k));
	p = wg_device_add_peer(d, k);
	assert_non_null(p);
	p->flags = flags;
	return p;
}

static void aip(struct wg_peer *p, const char *text)
{
	struct wg_ipmask m;

	assert_int_equal(wg_ipmask_parse(text, &m), 0);
	assert_int_equal(wg_peer_add_aip(p, &m), 0);
	p->flags |= WGPEER_HAS_AIPS;
}

static void set_form_round_trip(void **st)
{
	struct wg_device *d = wg_device_new(), *r;
	struct wg_peer *p;
	uint8_t k[WG_KEY_LEN];
	(void)st;

	/* a change set with every flag a set carries */
	memset(k, 0x11, sizeof(k));
	key_clamp(k);
	assert_int_equal(wg_device_set_private_key(d, k), 0);
	d->flags |= WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK | WGDEV_REPLACE_PEERS;
	d->listen_port = 51820;
	d->fwmark = 0; /* flagged zero: clear it */
	p = peer_of(d, 0xaa, WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE | WGPEER_HAS_ENDPOINT | WGPEER_REPLACE_AIPS |
				     WGPEER_NEW | WGPEER_CHANGED_AIPS);
	memset(p->psk, 0x22, sizeof(p->psk));
	p->keepalive = 25;
	p->endpoint_addr.in.sin_family = AF_INET;
	p->endpoint_addr.in.sin_port = htons(51821);
	inet_pton(AF_INET, "192.0.2.7", &p->endpoint_addr.in.sin_addr);
	aip(p, "10.8.0.2/32");
	aip(p, "fd00::/64");
	peer_of(d, 0xbb, WGPEER_REMOVE);
	p = peer_of(d, 0xcc, WGPEER_UPDATE_ONLY | WGPEER_HAS_ENDPOINT | WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE);
	p->endpoint_addr.in6.sin6_family = AF_INET6; /* link-local: the zone by number */
	p->endpoint_addr.in6.sin6_port = htons(7);
	p->endpoint_addr.in6.sin6_scope_id = 4242;
	inet_pton(AF_INET6, "fe80::1", &p->endpoint_addr.in6.sin6_addr);
	/* (its PSK and keepalive zero, flagged: removed, turned off) */
	peer_of(d, 0xdd, WGPEER_REPLACE_AIPS); /* every allowed IP dropped */
	r = set_round_trip(d);
	assert_same_set(d, r);
	wg_device_free(r);

	/* a desired config: a host name the caller could not resolve goes as
	 * text, for the sync engine; a zero private key flagged: remove it */
	wg_device_free(d);
	d = wg_device_new();
	d->flags |= WGDEV_HAS_PRIVATE_KEY;
	p = peer_of(d, 0xee, WGPEER_HAS_ENDPOINT);
	assert_int_equal(wg_peer_set_endpoint_text(p, "vpn.example.org:51820"), 0);
	aip(p, "0.0.0.0/0");
	r = set_round_trip(d);
	assert_same_set(d, r);
	assert_null(r->private_key);
	assert_string_equal(r->peers[0].endpoint, "vpn.example.org:51820");
	assert_int_equal(r->peers[0].endpoint_addr.sa.sa_family, AF_UNSPEC);
	wg_device_free(r);

	/* ... but never to a daemon: refused before a byte is written */
	{
		struct wj_err e = {0};
		FILE *f = tmpfile();
		assert_int_equal(wg_uapi_write_set(fileno(f), "wg0", d, 0, &e), -1);
		assert_non_null(strstr(e.msg, "endpoint not resolved"));
		assert_int_equal(ftell(f), 0);
		fclose(f);
	}
	wg_device_free(d);

	/* an empty change: "set=1" and the end */
	d = wg_device_new();
	{
		size_t n;
		assert_string_equal(set_text(d, 0, &n), "set=1\n\n");
	}
	r = set_round_trip(d);
	assert_same_set(d, r);
	wg_device_free(r);
	wg_device_free(d);

	/* Two endpoint lines in one peer: the last counts, whichever kind
	 * each is (found by fuzz_uapi: a name, then an address, kept both). */
	{
		static const char *const two[] = {
			"set=1\npublic_key=%s\nendpoint=vpn.example:518211\nendpoint=[fe80::1%%4]:51820\n\n",
			"set=1\npublic_key=%s\nendpoint=192.0.2.1:51820\nendpoint=vpn.example:51820\n\n",
		};
		char hex[2 * WG_KEY_LEN + 1], t[256];
		struct wj_err e = {0};
		memset(hex, 'a', 2 * WG_KEY_LEN);
		hex[2 * WG_KEY_LEN] = '\0';
		for (int i = 0; i < 2; i++) {
			snprintf(t, sizeof(t), two[i], hex);
			d = NULL;
			assert_int_equal(wg_uapi_decode_set(t, strlen(t), &d, &e), 0);
			assert_int_equal(d->n_peers, 1);
			if (i == 0) {
				assert_null(d->peers[0].endpoint);
				assert_int_equal(d->peers[0].endpoint_addr.sa.sa_family, AF_INET6);
			} else {
				assert_string_equal(d->peers[0].endpoint, "vpn.example:51820");
				assert_int_equal(d->peers[0].endpoint_addr.sa.sa_family, 0);
			}
			wg_device_free(d);
		}
	}
}

static void set_form_malformed(void **st)
{
	static const char *const bad[] = {
		"",                                            /* nothing */
		"\n",                                          /* no set=1 */
		"listen_port=1\n\n",                           /* no set=1 */
		"set=2\n\n",                                   /* not 1 */
		"set=1\nset=1\n\n",                            /* twice */
		"set=1\n",                                     /* no end */
		"set=1\n\nx",                                  /* bytes after */
		"set=1\nerrno=0\n\n",                          /* a reply's key */
		"set=1\nown_public_key=" KA "\n\n",            /* a reply's key */
		"set=1\npublic_key=" KA "\nrx_bytes=1\n\n",    /* a reply's key */
		"set=1\nbogus=1\n\n",                          /* unknown */
		"set=1\npublic_key=" KA "\nbogus=1\n\n",       /* unknown */
		"set=1\nreplace_peers=false\n\n",              /* only true */
		"set=1\npublic_key=" KA "\nremove=yes\n\n",    /* only true */
		"set=1\npublic_key=" KA "\nremove=true\nallowed_ip=10.0.0.0/8\n\n", /* alone */
		"set=1\npublic_key=" KA "\nupdate_only=true\nremove=true\n\n",    /* alone */
		"set=1\npublic_key=" KA "\nlisten_port=1\n\n", /* device key after a peer */
		"set=1\npreshared_key=" KA "\n\n",             /* peer key before a peer */
		"set=1\npublic_key=" KA "\npublic_key=" KA "\n\n", /* twice */
		"set=1\npublic_key=" KA "\nendpoint=no port\n\n",  /* not host:port */
		"set=1\npublic_key=" KA "\nendpoint=h\x01st:1\n\n", /* control byte */
		"set=1\npublic_key=" KA "\nallowed_ip=10.0.0.0/33\n\n",
		"set=1\nprivate_key=" KA "0\n\n",
		"set=1\nlisten_port=65536\n\n",
		"set=1\nlisten_port=\n\n",
	};
	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct wg_device *out = NULL;
		struct wj_err e = {0};
		if (wg_uapi_decode_set(bad[i], strlen(bad[i]), &out, &e) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_null(out);
		assert_true(e.msg[0] != '\0');
	}
}

/* ---- the jail call's request header ------------------------------------ */

/* The shape check (wg/uapi_frame.h) over TEXT fed in pieces of STEP:
 * its result, *USED_ALL the bytes taken, E its error. */
static int frame_text(const char *text, size_t len, size_t step, size_t *used_all, struct wj_err *e)
{
	struct wg_uapi_frame f;
	size_t off = 0, used;
	int r = 0;

	wg_uapi_frame_init(&f);
	while (off < len && r == 0) {
		size_t n = len - off < step ? len - off : step;
		r = wg_uapi_frame_feed(&f, text + off, n, &used, e);
		off += used;
	}
	*used_all = off;
	return r;
}

static void frame_expect(const char *text, int want, const char *msg_part)
{
	size_t len = strlen(text), used;

	for (size_t step = 1; step <= len + 1; step += step < 8 ? 1 : 7) {
		struct wj_err e = {0};
		int r = frame_text(text, len, step, &used, &e);
		if (r != want)
			fail_msg("'%s' in pieces of %zu: %d, expected %d (%s)", text, step, r, want, e.msg);
		if (msg_part && !strstr(e.msg, msg_part))
			fail_msg("'%s': error '%s' does not say '%s'", text, e.msg, msg_part);
	}
}

static void frame_shape(void **st)
{
	struct wj_err e = {0};
	size_t used;
	char *big;

	(void)st;
	/* wireguard-go's reply passes, whole and in any pieces, up to its end */
	assert_int_equal(frame_text(wggo, strlen(wggo), 4096, &used, &e), 1);
	assert_int_equal(used, strlen(wggo));
	frame_expect(wggo, 1, NULL);
	frame_expect("errno=0\n\n", 1, NULL);
	frame_expect("errno=-0\n\n", 1, NULL);
	/* cut short: not ended */
	frame_expect("private_key=" KA "\nlisten_port=1\n", 0, NULL);
	frame_expect("errno=0\n", 0, NULL);
	/* shapes */
	frame_expect("listen_port\n\n", -1, "no '=' in line");
	frame_expect("=1\n", -1, "empty key");
	frame_expect("Listen_port=1\n", -1, "bad key");
	frame_expect("listen_port=1\nerrno=0\nx=1\n", -1, "data after errno");
	frame_expect("listen_port=1\n\n", -1, "reply ends without errno");
	frame_expect("errno=\n\n", -1, "bad number in errno");
	frame_expect("errno=-\n\n", -1, "bad number in errno");
	frame_expect("errno=4096\n\n", -1, "bad number in errno");
	frame_expect("errno=1x\n\n", -1, "bad number in errno");
	frame_expect("errno=22\n\n", -1, "the WireGuard daemon reports an error");
	frame_expect("errno=-22\n\n", -1, "the WireGuard daemon reports an error");
	/* a NUL byte in a value, and in a key */
	assert_int_equal(frame_text("endpoint=1\0\nerrno=0\n\n", 22, 64, &used, &e), -1);
	assert_non_null(strstr(e.msg, "NUL byte"));
	assert_int_equal(frame_text("endp\0int=1\nerrno=0\n\n", 22, 64, &used, &e), -1);
	assert_non_null(strstr(e.msg, "NUL byte"));
	/* bytes after the end are not taken */
	assert_int_equal(frame_text("errno=0\n\nmore", 13, 64, &used, &e), 1);
	assert_int_equal(used, 9);
	/* a line of the decoder's limit passes; one byte more does not */
	big = malloc(WG_UAPI_MAX_LINE + 32);
	assert_non_null(big);
	memset(big, 'x', WG_UAPI_MAX_LINE + 2);
	memcpy(big, "endpoint=", 9);
	memcpy(big + WG_UAPI_MAX_LINE, "\nerrno=0\n\n", 11);
	assert_int_equal(frame_text(big, WG_UAPI_MAX_LINE + 11, 1000, &used, &e), 1);
	memset(big, 'x', WG_UAPI_MAX_LINE + 2);
	memcpy(big, "endpoint=", 9);
	memcpy(big + WG_UAPI_MAX_LINE + 1, "\nerrno=0\n\n", 11);
	assert_int_equal(frame_text(big, WG_UAPI_MAX_LINE + 12, 1000, &used, &e), -1);
	assert_non_null(strstr(e.msg, "line too long"));
	free(big);
}

static void jail_call_header(void **st)
{
	struct jc_header h = {JC_SYNC, "vpn1", "wgj1", true, false}, r;
	struct wj_err e = {0};
	char buf[JC_HEADER_MAX];
	int n;
	(void)st;

	n = jc_header_format(&h, buf, sizeof(buf));
	assert_true(n > 2 && buf[n - 1] == '\n' && buf[n - 2] == '\n');
	buf[n - 1] = '\0'; /* the parser takes the lines without the empty one */
	assert_int_equal(jc_header_parse(buf, &r, &e), 0);
	assert_int_equal(r.op, JC_SYNC);
	assert_string_equal(r.jail, "vpn1");
	assert_string_equal(r.ifname, "wgj1");
	assert_true(r.dry_run);
	assert_false(r.report);
	{
		static const char *const bad[] = {
			"op=get\njail=a\ninterface=wg0\ndry_run=false\n",                       /* no report */
			"op=get\njail=a\ninterface=wg0\ndry_run=false\nreport=false\nop=get\n", /* twice */
			"op=put\njail=a\ninterface=wg0\ndry_run=false\nreport=false\n",
			"op=get\njail=../a\ninterface=wg0\ndry_run=false\nreport=false\n",
			"op=get\njail=a\ninterface=wg0 x\ndry_run=false\nreport=false\n",
			"op=get\njail=a\ninterface=wg0\ndry_run=1\nreport=false\n",
			"op=get\njail=a\ninterface=wg0\ndry_run=false\nreport=false\nkey=1\n",
			"op=get\njail=a\ninterface=wg0\ndry_run=false\nreport=false\nnoequals\n",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (jc_header_parse(bad[i], &r, &e) != -1)
				fail_msg("accepted: %s", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_reply),
		cmocka_unit_test(byte_by_byte),
		cmocka_unit_test(errno_either_sign),
		cmocka_unit_test(set_reply),
		cmocka_unit_test(malformed),
		cmocka_unit_test(unknown_keys_and_boringtun),
		cmocka_unit_test(size_limits),
		cmocka_unit_test(many_peers),
		cmocka_unit_test(streaming),
		cmocka_unit_test(write_get_round_trip),
		cmocka_unit_test(set_form_round_trip),
		cmocka_unit_test(set_form_malformed),
		cmocka_unit_test(frame_shape),
		cmocka_unit_test(jail_call_header),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
