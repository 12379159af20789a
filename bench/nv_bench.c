/* The if_wg nvlist codec at scale (bench/bench_nv.sh runs it): built on
 * Linux against FreeBSD's libnv from the test kit.
 *
 *   nv_bench model N        build a change set of N new peers (the baseline)
 *   nv_bench encode N       the same, encoded as one SIOCSWG payload
 *   nv_bench reply N FILE   write a SIOCGWG reply of N peers, built the way
 *                           if_wg's wgc_get builds it
 *   nv_bench read FILE      read FILE into memory (the baseline)
 *   nv_bench decode FILE    the same, decoded into the model
 *
 * Each peer: public key, PSK, IPv4 endpoint, keepalive 25, two allowed IPs
 * (a /32 and a /128); a reply adds handshake time and transfer counters.
 * Prints what it did, the payload's size and the time of the codec call. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys/keys.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "wg/model.h"
#include "wg/nv_freebsd.h"
#include "wg/nv_wire_freebsd.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void key_n(uint8_t k[WG_KEY_LEN], uint32_t n, uint8_t tag)
{
	memset(k, tag, WG_KEY_LEN);
	memcpy(k, &n, sizeof(n));
}

static void peer_aips(uint32_t i, struct wg_ipmask ip[2])
{
	memset(ip, 0, 2 * sizeof(*ip));
	ip[0].family = AF_INET;
	ip[0].cidr = 32;
	ip[0].addr.ip4.s_addr = htonl(0x0a000000u | (i + 2));
	ip[1].family = AF_INET6;
	ip[1].cidr = 128;
	ip[1].addr.ip6.s6_addr[0] = 0xfd;
	memcpy(&ip[1].addr.ip6.s6_addr[12], &i, 4);
}

static struct wg_device *model(uint32_t n)
{
	struct wg_device *d = wg_device_new();
	uint8_t k[WG_KEY_LEN];

	if (!d)
		exit(1);
	key_n(k, 0, 0x11);
	wg_device_set_private_key(d, k);
	d->listen_port = 51820;
	d->flags |= WGDEV_HAS_LISTEN_PORT;
	for (uint32_t i = 0; i < n; i++) {
		struct wg_ipmask ip[2];
		struct wg_peer *p;
		key_n(k, i + 1, 0x55);
		if (!(p = wg_device_add_peer(d, k)))
			exit(1);
		p->flags |= WGPEER_NEW | WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE | WGPEER_HAS_ENDPOINT;
		key_n(p->psk, i + 1, 0x22);
		p->keepalive = 25;
		p->endpoint_addr.in.sin_family = AF_INET;
		p->endpoint_addr.in.sin_port = htons(51820);
		p->endpoint_addr.in.sin_addr.s_addr = htonl(0xc6120000u | i); /* 198.18.0.0/15 */
		peer_aips(i, ip);
		if (wg_peer_add_aip(p, &ip[0]) < 0 || wg_peer_add_aip(p, &ip[1]) < 0)
			exit(1);
	}
	return d;
}

/* As wgc_get orders it: listen-port, public-key, private-key, then per
 * peer public-key, preshared-key, endpoint, last-handshake-time,
 * keepalive, rx-bytes, tx-bytes, allowed-ips.  Written with the encoder's
 * writer of libnv's format (nvlist_pack would take minutes: see
 * wg/nv_encode_freebsd.c). */
static void reply_nv(struct wg_nv_out *o, uint32_t n)
{
	uint8_t k[WG_KEY_LEN], sa[16] = {16, 2, 0xca, 0x6c};
	uint64_t hs[2] = {1700000000, 0};

	wg_nv_list(o);
	wg_nv_number(o, "listen-port", 51820);
	key_n(k, 0, 0x33);
	wg_nv_binary(o, "public-key", k, WG_KEY_LEN);
	key_n(k, 0, 0x11);
	wg_nv_binary(o, "private-key", k, WG_KEY_LEN);
	if (n)
		wg_nv_array(o, "peers", n);
	for (uint32_t i = 0; i < n; i++) {
		struct wg_ipmask ip[2];
		uint32_t addr = htonl(0xc6120000u | i);
		wg_nv_list(o);
		key_n(k, i + 1, 0x55);
		wg_nv_binary(o, "public-key", k, WG_KEY_LEN);
		key_n(k, i + 1, 0x22);
		wg_nv_binary(o, "preshared-key", k, WG_KEY_LEN);
		memcpy(sa + 4, &addr, 4);
		wg_nv_binary(o, "endpoint", sa, sizeof(sa));
		wg_nv_binary(o, "last-handshake-time", hs, sizeof(hs));
		wg_nv_number(o, "persistent-keepalive-interval", 25);
		wg_nv_number(o, "rx-bytes", i);
		wg_nv_number(o, "tx-bytes", i);
		peer_aips(i, ip);
		wg_nv_array(o, "allowed-ips", 2);
		for (int j = 1; j >= 0; j--) { /* the kernel lists them last first */
			wg_nv_list(o);
			if (ip[j].family == AF_INET)
				wg_nv_binary(o, "ipv4", &ip[j].addr.ip4, 4);
			else
				wg_nv_binary(o, "ipv6", &ip[j].addr.ip6, 16);
			wg_nv_number(o, "cidr", ip[j].cidr);
			wg_nv_next(o);
		}
		wg_nv_next(o);
	}
}

static int reply(uint32_t n, const char *path)
{
	struct wg_nv_out o = {NULL, 0, 0};
	struct wj_err e;

	reply_nv(&o, n);
	o.total = o.at;
	o.at = 0;
	if (!(o.buf = malloc(o.total)))
		return 1;
	reply_nv(&o, n);
	wj_err_clear(&e);
	if (wj_write_atomic(path, o.buf, o.total, 0600, &e) < 0)
		return fprintf(stderr, "nv_bench: %s\n", e.msg), 1;
	printf("reply: %u peers, %zu bytes -> %s\n", n, o.total, path);
	free(o.buf);
	return 0;
}

int main(int argc, char **argv)
{
	struct wj_err e;
	double t0;

	if (keys_init() < 0 || argc < 3)
		return fprintf(stderr, "usage: nv_bench model|encode N | reply N FILE | read|decode FILE\n"), 2;
	wj_err_clear(&e);
	if (!strcmp(argv[1], "model") || !strcmp(argv[1], "encode")) {
		uint32_t n = (uint32_t)strtoul(argv[2], NULL, 10);
		struct wg_device *d = model(n);
		uint8_t *packed;
		size_t len = 0;
		if (!strcmp(argv[1], "model")) {
			printf("model: %u peers\n", n);
		} else {
			t0 = now_ms();
			if (!(packed = wg_nv_encode_set(d, NULL, &len, &e)))
				return fprintf(stderr, "nv_bench: %s\n", e.msg), 1;
			printf("encode: %u peers, %zu bytes, %.1f ms\n", n, len, now_ms() - t0);
			wg_nv_packed_free(packed);
		}
		wg_device_free(d);
		return 0;
	}
	if (!strcmp(argv[1], "reply") && argc == 4)
		return reply((uint32_t)strtoul(argv[2], NULL, 10), argv[3]);
	if (!strcmp(argv[1], "read") || !strcmp(argv[1], "decode")) {
		struct wg_device *d = NULL;
		char *buf;
		size_t len;
		if (wj_read_mapped(argv[2], WG_NV_MAX_PACKED, 0, &buf, &len, NULL, &e) < 0)
			return fprintf(stderr, "nv_bench: %s\n", e.msg), 1;
		if (!strcmp(argv[1], "read")) {
			printf("read: %zu bytes\n", len);
		} else {
			t0 = now_ms();
			if (wg_nv_decode_get(buf, len, NULL, &d, &e) < 0)
				return fprintf(stderr, "nv_bench: %s\n", e.msg), 1;
			printf("decode: %zu peers, %zu bytes, %.1f ms\n", d->n_peers, len, now_ms() - t0);
			wg_device_free(d);
		}
		wj_free_mapped(buf, len);
		return 0;
	}
	return fprintf(stderr, "usage: nv_bench model|encode N | reply N FILE | read|decode FILE\n"), 2;
}
