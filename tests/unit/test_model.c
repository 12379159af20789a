/* wg/model: peers and their index, allowed IPs, endpoints, clone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg/model.h"

static void key_n(uint8_t k[WG_KEY_LEN], uint32_t n)
{
	memset(k, 0, WG_KEY_LEN);
	memcpy(k, &n, sizeof(n));
	k[31] = 0x55;
}

static void hundred_thousand_peers(void **s)
{
	struct wg_device *d = wg_device_new();
	uint8_t k[WG_KEY_LEN];

	for (uint32_t i = 0; i < 100000; i++) {
		key_n(k, i);
		struct wg_peer *p = wg_device_add_peer(d, k);
		assert_non_null(p);
		p->keepalive = (uint16_t)(i % 60000);
	}
	assert_int_equal(d->n_peers, 100000);
	for (uint32_t i = 0; i < 100000; i += 7) {
		key_n(k, i);
		struct wg_peer *p = wg_device_find_peer(d, k);
		assert_non_null(p);
		assert_int_equal(p->keepalive, i % 60000);
		assert_int_equal(p - d->peers, i); /* file order kept */
	}
	key_n(k, 100000);
	assert_null(wg_device_find_peer(d, k));
	wg_device_free(d);
}

static bool odd(const struct wg_peer *p, void *arg)
{
	return p->public_key[0] & 1;
}

static void remove_keeps_order_and_index(void **s)
{
	struct wg_device *d = wg_device_new();
	uint8_t k[WG_KEY_LEN];

	for (uint32_t i = 0; i < 1000; i++) {
		key_n(k, i);
		assert_non_null(wg_device_add_peer(d, k));
	}
	key_n(k, 500);
	assert_true(wg_device_remove_peer(d, k));
	assert_false(wg_device_remove_peer(d, k));
	assert_null(wg_device_find_peer(d, k));
	assert_int_equal(d->n_peers, 999);
	wg_device_remove_peers_if(d, odd, NULL);
	assert_int_equal(d->n_peers, 499);
	for (uint32_t i = 0; i < 1000; i++) {
		key_n(k, i);
		struct wg_peer *p = wg_device_find_peer(d, k);
		if (i % 2 || i == 500)
			assert_null(p);
		else
			assert_non_null(p);
	}
	for (size_t i = 1; i < d->n_peers; i++)
		assert_true(memcmp(&d->peers[i - 1].public_key, &d->peers[i].public_key, 2) != 0);
	/* the same key can come back */
	key_n(k, 500);
	assert_non_null(wg_device_add_peer(d, k));
	assert_non_null(wg_device_find_peer(d, k));
	wg_device_free(d);
}

static void ipmask_parse_fmt_mask(void **s)
{
	struct wg_ipmask ip;
	char buf[64];

	assert_int_equal(wg_ipmask_parse("10.1.2.3/8", &ip), 0);
	assert_int_equal(ip.family, AF_INET);
	assert_int_equal(ip.cidr, 8);
	assert_string_equal(wg_ipmask_fmt(&ip, buf, sizeof(buf)), "10.1.2.3/8");
	wg_ipmask_mask(&ip);
	assert_string_equal(wg_ipmask_fmt(&ip, buf, sizeof(buf)), "10.0.0.0/8");
	assert_int_equal(wg_ipmask_parse("fd00::1:2/100", &ip), 0);
	wg_ipmask_mask(&ip);
	assert_string_equal(wg_ipmask_fmt(&ip, buf, sizeof(buf)), "fd00::/100");
	assert_int_equal(wg_ipmask_parse("fd00::1", &ip), 0);
	assert_int_equal(ip.cidr, 128);
	assert_int_equal(wg_ipmask_parse("10.0.0.1", &ip), 0);
	assert_int_equal(ip.cidr, 32);
	assert_int_equal(wg_ipmask_parse("0.0.0.0/0", &ip), 0);
	wg_ipmask_mask(&ip);
	assert_string_equal(wg_ipmask_fmt(&ip, buf, sizeof(buf)), "0.0.0.0/0");
	const char *bad[] = {"10.0.0.1/33", "fd00::/129", "10.0.0/8", "10.0.0.1/", "/8", "x", "10.0.0.1/-1",
			     "10.0.0.1/8/8", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(wg_ipmask_parse(bad[i], &ip), -1);
}

/* Reserved room: adding up to N peers moves nothing and rehashes
 * nothing, and every peer is found. */
static void reserve_then_add(void **s)
{
	struct wg_device *d = wg_device_new();
	uint8_t k[WG_KEY_LEN];
	struct wg_peer *first;
	size_t cap;

	(void)s;
	key_n(k, 0);
	assert_non_null(wg_device_add_peer(d, k));
	assert_int_equal(wg_device_reserve(d, 5000), 0);
	first = d->peers;
	cap = d->index_cap;
	assert_true(cap >= 10000);
	assert_non_null(wg_device_find_peer(d, k)); /* the index was rebuilt with the peer in it */
	for (uint32_t i = 1; i < 5000; i++) {
		key_n(k, i);
		assert_non_null(wg_device_add_peer(d, k));
	}
	assert_ptr_equal(d->peers, first);
	assert_int_equal(d->index_cap, cap);
	for (uint32_t i = 0; i < 5000; i++) {
		key_n(k, i);
		assert_ptr_equal(wg_device_find_peer(d, k), &d->peers[i]);
	}
	key_n(k, 5000);
	assert_non_null(wg_device_add_peer(d, k)); /* past the room: grows as before */
	assert_ptr_equal(wg_device_find_peer(d, k), &d->peers[5000]);
	wg_device_free(d);
}

/* IPv4 is formatted without inet_ntop (listing 50,000 peers): the same
 * text as inet_ntop for every byte value in every position, and every
 * prefix length; a buffer too small for the fast path still works. */
static void ipmask_fmt_as_inet_ntop(void **s)
{
	struct wg_ipmask ip = {.family = AF_INET};
	char buf[64], want[64], a[INET_ADDRSTRLEN], small[12];

	for (unsigned v = 0; v < 256; v++) {
		for (unsigned pos = 0; pos < 4; pos++) {
			uint8_t b[4] = {1, 22, 203, 0};
			b[pos] = (uint8_t)v;
			memcpy(&ip.addr.ip4, b, 4);
			ip.cidr = (uint8_t)((v + pos) % 33);
			inet_ntop(AF_INET, &ip.addr.ip4, a, sizeof(a));
			snprintf(want, sizeof(want), "%s/%u", a, ip.cidr);
			assert_string_equal(wg_ipmask_fmt(&ip, buf, sizeof(buf)), want);
			assert_string_equal(wg_ipmask_addr_fmt(&ip, buf, sizeof(buf)), a);
		}
	}
	assert_int_equal(inet_pton(AF_INET, "255.255.255.255", &ip.addr.ip4), 1);
	ip.cidr = 32;
	assert_string_equal(wg_ipmask_fmt(&ip, buf, sizeof(buf)), "255.255.255.255/32");
	assert_string_equal(wg_ipmask_fmt(&ip, small, sizeof(small)), "255.255.255"); /* cut, as snprintf */
	assert_int_equal(wg_ipmask_parse("fd00:0:0:1::a/64", &ip), 0);
	assert_string_equal(wg_ipmask_fmt(&ip, buf, sizeof(buf)), "fd00:0:0:1::a/64");
}

static void canonical_aips(void **s)
{
	struct wg_peer p;
	struct wg_ipmask ip;
	char buf[64];
	const char *in[] = {"10.0.0.5/24", "fd00::1/64", "10.0.0.0/24", "192.168.1.1/32", "10.0.0.9/24"};

	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(wg_ipmask_parse(in[i], &ip), 0);
		assert_int_equal(wg_peer_add_aip(&p, &ip), 0);
	}
	wg_peer_canonical_aips(&p);
	assert_int_equal(p.n_aips, 3);
	assert_string_equal(wg_ipmask_fmt(&p.aips[0], buf, sizeof(buf)), "10.0.0.0/24");
	assert_string_equal(wg_ipmask_fmt(&p.aips[1], buf, sizeof(buf)), "192.168.1.1/32");
	assert_string_equal(wg_ipmask_fmt(&p.aips[2], buf, sizeof(buf)), "fd00::/64");
	wg_peer_clear(&p);
}

static void sockaddr_fmt_equal(void **s)
{
	union wg_sockaddr a, b;
	char buf[80];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	assert_true(wg_sockaddr_equal(&a, &b));
	assert_string_equal(wg_sockaddr_fmt(&a, buf, sizeof(buf)), "");
	a.in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &a.in6.sin6_addr);
	a.in6.sin6_port = htons(51820);
	assert_string_equal(wg_sockaddr_fmt(&a, buf, sizeof(buf)), "[2001:db8::1]:51820");
	b = a;
	assert_true(wg_sockaddr_equal(&a, &b));
	b.in6.sin6_port = htons(51821);
	assert_false(wg_sockaddr_equal(&a, &b));
	b.in.sin_family = AF_INET;
	assert_false(wg_sockaddr_equal(&a, &b));
}

static void private_key_and_clone(void **s)
{
	struct wg_device *d = wg_device_new(), *c;
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN], k[WG_KEY_LEN];
	struct wg_ipmask ip;

	key_generate_private(priv);
	assert_int_equal(key_public_from_private(pub, priv), 0);
	assert_int_equal(wg_device_set_private_key(d, priv), 0);
	assert_true(d->flags & WGDEV_HAS_PUBLIC_KEY);
	assert_memory_equal(d->public_key, pub, WG_KEY_LEN);
	key_n(k, 1);
	struct wg_peer *p = wg_device_add_peer(d, k);
	assert_int_equal(wg_peer_set_endpoint_text(p, "vpn.example.org:51820"), 0);
	wg_ipmask_parse("10.0.0.2/32", &ip);
	wg_peer_add_aip(p, &ip);
	d->quick.mtu = 1420;
	c = wg_device_clone(d);
	assert_non_null(c);
	assert_memory_equal(c->private_key, priv, WG_KEY_LEN);
	assert_ptr_not_equal(c->private_key, d->private_key);
	p = wg_device_find_peer(c, k);
	assert_non_null(p);
	assert_string_equal(p->endpoint, "vpn.example.org:51820");
	assert_ptr_not_equal(p->endpoint, d->peers[0].endpoint);
	assert_int_equal(p->n_aips, 1);
	assert_int_equal(c->quick.mtu, 1420);
	wg_device_free(d);
	wg_device_free(c);
	memset(priv, 0, sizeof(priv));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hundred_thousand_peers), cmocka_unit_test(remove_keeps_order_and_index),
		cmocka_unit_test(ipmask_parse_fmt_mask),  cmocka_unit_test(ipmask_fmt_as_inet_ntop),
		cmocka_unit_test(reserve_then_add),
		cmocka_unit_test(canonical_aips),
		cmocka_unit_test(sockaddr_fmt_equal),     cmocka_unit_test(private_key_and_clone),
	};
	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
