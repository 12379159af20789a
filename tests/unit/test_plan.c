/* wg/plan: the minimal change set, field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/model.h"
#include "wg/plan.h"

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
	p = wg_device_add_peer(d, k);
	assert_non_null(p);
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

/* A "device" as a backend returns it: clamped key, port, peers. */
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
	p->last_handshake_sec = 1700000000;
	p->rx_bytes = 1234;
	p = peer(d, 2);
	aip(p, "10.0.0.3/32");
	aip(p, "fd00::3/128");
	memset(p->psk, 0x22, WG_KEY_LEN);
	p->flags |= WGPEER_HAS_PSK;
	p->keepalive = 25;
	p->flags |= WGPEER_HAS_KEEPALIVE;
	return d;
}

/* The same configuration as a file says it: unclamped key, allowed IPs
 * unmasked, reordered, duplicated. */
static struct wg_device *sample_desired(void)
{
	struct wg_device *d = wg_device_new();
	uint8_t k[WG_KEY_LEN];
	struct wg_peer *p;

	memset(k, 0x11, sizeof(k)); /* not clamped: must still compare equal */
	assert_int_equal(wg_device_set_private_key(d, k), 0);
	d->listen_port = 51820;
	d->flags |= WGDEV_HAS_LISTEN_PORT;
	p = peer(d, 2);
	aip(p, "fd00::3/128");
	aip(p, "10.0.0.3");
	aip(p, "10.0.0.3/32");
	memset(p->psk, 0x22, WG_KEY_LEN);
	p->flags |= WGPEER_HAS_PSK;
	p->keepalive = 25;
	p->flags |= WGPEER_HAS_KEEPALIVE;
	p = peer(d, 1);
	aip(p, "10.0.0.2/32");
	ep(p, "192.0.2.1", 51820);
	assert_int_equal(wg_peer_set_endpoint_text(p, "192.0.2.1:51820"), 0);
	return d;
}

static struct wg_device *plan(const struct wg_device *c, const struct wg_device *d, const struct wg_device *prev)
{
	struct wj_err e;
	struct wg_device *p;

	wj_err_clear(&e);
	p = wg_plan_ex(c, d, prev, &e);
	if (!p)
		fail_msg("plan failed: %s", e.msg);
	return p;
}

static void identical_is_empty(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p = plan(c, d, NULL);

	assert_true(wg_plan_is_empty(p));
	assert_int_equal(p->n_peers, 0);
	wg_device_free(p);
	wg_device_free(c);
	wg_device_free(d);
}

static void absent_device_fields_left_alone(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p;

	c->fwmark = 7;
	c->flags |= WGDEV_HAS_FWMARK;
	wg_device_clear_private_key(d);
	d->flags &= ~(uint32_t)(WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK);
	p = plan(c, d, NULL);
	assert_true(wg_plan_is_empty(p));
	wg_device_free(p);
	wg_device_free(c);
	wg_device_free(d);
}

static void device_fields_sent_only_when_different(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p;
	uint8_t k[WG_KEY_LEN];

	d->listen_port = 51821;
	d->fwmark = 0x10;
	d->flags |= WGDEV_HAS_FWMARK;
	memset(k, 0x33, sizeof(k));
	assert_int_equal(wg_device_set_private_key(d, k), 0);
	p = plan(c, d, NULL);
	assert_int_equal(p->flags & (WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK | WGDEV_HAS_PRIVATE_KEY),
			 WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK | WGDEV_HAS_PRIVATE_KEY);
	assert_false(p->flags & WGDEV_REPLACE_PEERS);
	assert_int_equal(p->listen_port, 51821);
	assert_int_equal(p->fwmark, 0x10);
	key_clamp(k);
	assert_memory_equal(p->private_key, k, WG_KEY_LEN);
	assert_int_equal(p->n_peers, 0);
	wg_device_free(p);

	/* ListenPort = 0 ("any") is never sent; fwmark 0 is when it differs. */
	d->listen_port = 0;
	d->fwmark = 0;
	c->fwmark = 3;
	wg_device_clear_private_key(d);
	p = plan(c, d, NULL);
	assert_int_equal(p->flags & (WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK | WGDEV_HAS_PRIVATE_KEY),
			 WGDEV_HAS_FWMARK);
	assert_int_equal(p->fwmark, 0);
	wg_device_free(p);
	wg_device_free(c);
	wg_device_free(d);
}

static void public_key_compare_without_private(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p;
	uint8_t pub[WG_KEY_LEN];

	/* boringtun: no private key in GET, only own_public_key */
	memcpy(pub, c->public_key, WG_KEY_LEN);
	wg_device_clear_private_key(c);
	memcpy(c->public_key, pub, WG_KEY_LEN);
	c->flags |= WGDEV_HAS_PUBLIC_KEY;
	p = plan(c, d, NULL);
	assert_false(p->flags & WGDEV_HAS_PRIVATE_KEY);
	wg_device_free(p);
	c->public_key[0] ^= 1;
	p = plan(c, d, NULL);
	assert_true(p->flags & WGDEV_HAS_PRIVATE_KEY);
	wg_device_free(p);
	/* a device with no key at all gets it */
	c->flags &= ~(uint32_t)WGDEV_HAS_PUBLIC_KEY;
	p = plan(c, d, NULL);
	assert_true(p->flags & WGDEV_HAS_PRIVATE_KEY);
	wg_device_free(p);
	wg_device_free(c);
	wg_device_free(d);
}

static void add_remove_change(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p;
	struct wg_peer *x;

	x = peer(c, 9); /* D: only on the device */
	aip(x, "10.9.0.0/16");
	x = peer(d, 5); /* C: new */
	aip(x, "10.5.0.1/24"); /* host bits: masked in the plan */
	ep(x, "2001:db8::5", 443);
	assert_int_equal(wg_peer_set_endpoint_text(x, "[2001:db8::5]:443"), 0);
	memset(x->psk, 0x44, WG_KEY_LEN);
	x->flags |= WGPEER_HAS_PSK;
	x->keepalive = 10;
	x = find(d, 1); /* E: allowed IPs change */
	aip(x, "10.1.0.0/16");
	p = plan(c, d, NULL);
	assert_int_equal(p->n_peers, 3);
	/* removal first, alone */
	assert_memory_equal(p->peers[0].public_key, find(c, 9)->public_key, WG_KEY_LEN);
	assert_int_equal(p->peers[0].flags, WGPEER_REMOVE);
	assert_int_equal(p->peers[0].n_aips, 0);
	/* then the desired order: peer 1 (changed), peer 5 (new) */
	x = find(p, 1);
	assert_non_null(x);
	assert_int_equal(x->flags, WGPEER_REPLACE_AIPS | WGPEER_CHANGED_AIPS);
	assert_int_equal(x->n_aips, 2);
	x = find(p, 5);
	assert_non_null(x);
	assert_true(x->flags & WGPEER_NEW);
	assert_true(x->flags & WGPEER_HAS_PSK);
	assert_true(x->flags & WGPEER_HAS_KEEPALIVE);
	assert_true(x->flags & WGPEER_HAS_ENDPOINT);
	assert_int_equal(x->keepalive, 10);
	assert_int_equal(x->n_aips, 1);
	assert_int_equal(x->aips[0].addr.ip4.s_addr, htonl(0x0a050000));
	assert_int_equal(x->endpoint_addr.in6.sin6_port, htons(443));
	assert_null(find(p, 2)); /* unchanged peer absent */
	{
		struct wg_plan_counts n;
		wg_plan_count(p, &n);
		assert_int_equal(n.added, 1);
		assert_int_equal(n.removed, 1);
		assert_int_equal(n.changed, 1);
		assert_false(n.device_changed);
	}
	wg_device_free(p);
	wg_device_free(c);
	wg_device_free(d);
}

static void psk_and_keepalive_removed_explicitly(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p;
	struct wg_peer *x = find(d, 2);

	x->flags &= ~(uint32_t)(WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE);
	memset(x->psk, 0, WG_KEY_LEN);
	x->keepalive = 0;
	p = plan(c, d, NULL);
	assert_int_equal(p->n_peers, 1);
	x = find(p, 2);
	assert_int_equal(x->flags, WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE);
	assert_true(key_is_zero(x->psk));
	assert_int_equal(x->keepalive, 0);
	wg_device_free(p);
	/* a changed PSK alone */
	x = find(d, 2);
	memset(x->psk, 0x23, WG_KEY_LEN);
	x->flags |= WGPEER_HAS_PSK;
	x->keepalive = 25;
	p = plan(c, d, NULL);
	x = find(p, 2);
	assert_int_equal(x->flags, WGPEER_HAS_PSK);
	assert_int_equal(x->psk[0], 0x23);
	wg_device_free(p);
	wg_device_free(c);
	wg_device_free(d);
}

static void allowed_ips_canonical(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p;
	struct wg_peer *x = find(d, 2);

	/* now the desired list drops a prefix: replace with the full list */
	x->n_aips = 0;
	aip(x, "10.0.0.3/32");
	p = plan(c, d, NULL);
	x = find(p, 2);
	assert_non_null(x);
	assert_int_equal(x->flags, WGPEER_REPLACE_AIPS | WGPEER_CHANGED_AIPS);
	assert_int_equal(x->n_aips, 1);
	wg_device_free(p);
	/* no allowed IPs at all: replaced by nothing */
	x = find(d, 2);
	x->n_aips = 0;
	p = plan(c, d, NULL);
	x = find(p, 2);
	assert_int_equal(x->flags, WGPEER_REPLACE_AIPS | WGPEER_CHANGED_AIPS);
	assert_int_equal(x->n_aips, 0);
	wg_device_free(p);
	wg_device_free(c);
	wg_device_free(d);
}

static void endpoint_rules(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *prev = wg_device_new(), *p;
	struct wg_peer *x;

	/* roamed: device says .9, file and memory say .1 -> left alone */
	ep(find(c, 1), "192.0.2.9", 40000);
	ep(peer(prev, 1), "192.0.2.1", 51820);
	p = plan(c, d, prev);
	assert_true(wg_plan_is_empty(p));
	wg_device_free(p);
	/* without memory the file is authoritative */
	p = plan(c, d, NULL);
	x = find(p, 1);
	assert_non_null(x);
	assert_int_equal(x->flags, WGPEER_HAS_ENDPOINT);
	assert_int_equal(x->endpoint_addr.in.sin_port, htons(51820));
	wg_device_free(p);
	/* the file changed since last time -> sent */
	ep(find(prev, 1), "192.0.2.7", 51820);
	p = plan(c, d, prev);
	assert_int_equal(find(p, 1)->flags, WGPEER_HAS_ENDPOINT);
	wg_device_free(p);
	/* device has none -> sent even if memory matches */
	ep(find(prev, 1), "192.0.2.1", 51820);
	memset(&find(c, 1)->endpoint_addr, 0, sizeof(union wg_sockaddr));
	p = plan(c, d, prev);
	assert_int_equal(find(p, 1)->flags, WGPEER_HAS_ENDPOINT);
	wg_device_free(p);
	/* file has none -> nothing, whatever the device learnt */
	ep(find(c, 1), "192.0.2.9", 40000);
	x = find(d, 1);
	memset(&x->endpoint_addr, 0, sizeof(x->endpoint_addr));
	x->flags &= ~(uint32_t)WGPEER_HAS_ENDPOINT;
	wg_peer_set_endpoint_text(x, NULL);
	p = plan(c, d, NULL);
	assert_true(wg_plan_is_empty(p));
	wg_device_free(p);
	/* IPv6 with a zone in the file, none reported by the device */
	ep(x, "fe80::1", 51820);
	x->endpoint_addr.in6.sin6_scope_id = 3;
	ep(find(c, 1), "fe80::1", 51820);
	p = plan(c, d, NULL);
	assert_true(wg_plan_is_empty(p));
	wg_device_free(p);
	wg_device_free(prev);
	wg_device_free(c);
	wg_device_free(d);
}

static void own_key_and_errors(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p;
	struct wg_peer *x;
	struct wj_err e;

	/* a peer with the interface's own key is ignored */
	assert_non_null(x = wg_device_add_peer(d, d->public_key));
	aip(x, "10.7.7.7/32");
	p = plan(c, d, NULL);
	assert_true(wg_plan_is_empty(p));
	wg_device_free(p);
	/* an unresolved endpoint is a caller error */
	x = peer(d, 6);
	assert_int_equal(wg_peer_set_endpoint_text(x, "vpn.example.org:51820"), 0);
	wj_err_clear(&e);
	assert_null(wg_plan(c, d, &e));
	assert_non_null(strstr(e.msg, "not resolved"));
	wg_device_free(c);
	wg_device_free(d);
}

static void incremental_and_device_duplicates(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p;
	struct wg_planner *pl;
	struct wj_err e;

	/* the incremental form gives the one-shot result */
	peer(c, 9);
	wj_err_clear(&e);
	assert_non_null(pl = wg_planner_new(d, NULL, &e));
	assert_int_equal(wg_planner_peer(pl, &c->peers[0], &e), -1); /* device fields first */
	assert_int_equal(wg_planner_device(pl, c, &e), 0);
	for (size_t i = 0; i < c->n_peers; i++)
		assert_int_equal(wg_planner_peer(pl, &c->peers[i], &e), 0);
	assert_non_null(p = wg_planner_finish(pl, &e));
	assert_int_equal(p->n_peers, 1);
	assert_int_equal(p->peers[0].flags, WGPEER_REMOVE);
	wg_device_free(p);
	/* a device listing an unwanted peer twice: one removal */
	peer(c, 9);
	p = plan(c, d, NULL);
	assert_int_equal(p->n_peers, 1);
	wg_device_free(p);
	/* a device listing a wanted peer twice: refused */
	peer(c, 1);
	assert_null(wg_plan(c, d, &e));
	assert_non_null(strstr(e.msg, "twice"));
	wg_device_free(c);
	wg_device_free(d);
}

static void print_hides_keys(void **s)
{
	struct wg_device *c = sample_current(), *d = sample_desired(), *p;
	char *buf = NULL, b64[WG_KEY_B64_LEN + 1];
	size_t len = 0;
	FILE *f;
	uint8_t k[WG_KEY_LEN];
	struct wg_peer *x;

	memset(k, 0x33, sizeof(k));
	assert_int_equal(wg_device_set_private_key(d, k), 0);
	find(d, 2)->flags &= ~(uint32_t)WGPEER_HAS_KEEPALIVE;
	find(d, 2)->keepalive = 0;
	x = peer(d, 5);
	memset(x->psk, 0x44, WG_KEY_LEN);
	x->flags |= WGPEER_HAS_PSK;
	aip(x, "10.5.0.0/24");
	peer(c, 9);
	p = plan(c, d, NULL);
	f = open_memstream(&buf, &len);
	wg_plan_print(f, "wg0", p, false);
	fclose(f);
	assert_non_null(strstr(buf, "interface wg0: private key (hidden)\n"));
	key_to_base64(b64, find(c, 9)->public_key);
	assert_non_null(strstr(buf, "remove "));
	assert_non_null(strstr(buf, b64));
	key_to_base64(b64, find(d, 2)->public_key);
	assert_non_null(strstr(buf, "keepalive off"));
	assert_non_null(strstr(buf, "allowed ips 10.5.0.0/24, preshared key (hidden)"));
	key_to_base64(b64, x->psk);
	assert_null(strstr(buf, b64));
	key_to_base64(b64, k);
	assert_null(strstr(buf, b64));
	free(buf);
	wg_device_free(p);
	wg_device_free(c);
	wg_device_free(d);
}

static void fifty_thousand_one_change(void **s)
{
	struct wg_device *c = wg_device_new(), *d = wg_device_new(), *p;
	char a[32];

	for (uint32_t i = 0; i < 50000; i++) {
		struct wg_peer *pc = peer(c, i), *pd = peer(d, 49999 - i);
		snprintf(a, sizeof(a), "10.%u.%u.0/24", i >> 8, i & 255);
		aip(pc, a);
		snprintf(a, sizeof(a), "10.%u.%u.0/24", (49999 - i) >> 8, (49999 - i) & 255);
		aip(pd, a);
	}
	aip(find(d, 1234), "192.168.0.0/16");
	p = plan(c, d, NULL);
	assert_int_equal(p->n_peers, 1);
	assert_non_null(find(p, 1234));
	wg_device_free(p);
	wg_device_free(c);
	wg_device_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identical_is_empty),
		cmocka_unit_test(absent_device_fields_left_alone),
		cmocka_unit_test(device_fields_sent_only_when_different),
		cmocka_unit_test(public_key_compare_without_private),
		cmocka_unit_test(add_remove_change),
		cmocka_unit_test(psk_and_keepalive_removed_explicitly),
		cmocka_unit_test(allowed_ips_canonical),
		cmocka_unit_test(endpoint_rules),
		cmocka_unit_test(own_key_and_errors),
		cmocka_unit_test(incremental_and_device_duplicates),
		cmocka_unit_test(print_hides_keys),
		cmocka_unit_test(fifty_thousand_one_change),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
