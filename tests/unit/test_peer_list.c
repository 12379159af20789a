/* agent/peer_list: `peer list`'s text and JSON, byte for byte, for peers
 * with and without each field (the listing is built without printf: its
 * numbers, escapes and separators are checked here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/peer_list.h"
#include "keys/keys.h"
#include "wg/model.h"

#define NOW 1800000000

static struct wg_device *fixture(void)
{
	struct wg_device *d = wg_device_new();
	uint8_t k1[WG_KEY_LEN], k2[WG_KEY_LEN], k3[WG_KEY_LEN];
	struct wg_peer *p;
	struct wg_ipmask ip;

	memset(k1, 0x01, sizeof(k1));
	memset(k2, 0xfe, sizeof(k2));
	memset(k3, 0x00, sizeof(k3));
	assert_non_null(d);
	/* every field */
	p = wg_device_add_peer(d, k1);
	snprintf(p->name, sizeof(p->name), "a\"b\\c\x01\x7f");
	assert_int_equal(wg_ipmask_parse("10.0.0.1/32", &ip), 0);
	assert_int_equal(wg_peer_add_aip(p, &ip), 0);
	assert_int_equal(wg_ipmask_parse("fd00::/64", &ip), 0);
	assert_int_equal(wg_peer_add_aip(p, &ip), 0);
	p->endpoint_addr.in.sin_family = AF_INET;
	p->endpoint_addr.in.sin_port = htons(51820);
	inet_pton(AF_INET, "192.0.2.9", &p->endpoint_addr.in.sin_addr);
	p->keepalive = 25;
	p->flags |= WGPEER_HAS_PSK;
	memset(p->psk, 7, sizeof(p->psk));
	p->expires = NOW + 90061;
	p->last_handshake_sec = NOW - 42;
	p->rx_bytes = UINT64_MAX;
	p->tx_bytes = 1000000007;
	/* nothing but its key: no allowed IPs, expired */
	p = wg_device_add_peer(d, k2);
	p->expires = NOW - 1;
	/* disabled, a host name as endpoint, a zero PSK */
	p = wg_device_add_peer(d, k3);
	p->disabled = true;
	assert_int_equal(wg_peer_set_endpoint_text(p, "vpn.example:443"), 0);
	p->flags |= WGPEER_HAS_PSK;
	return d;
}

static char *render(const struct wg_device *d, bool json, bool live)
{
	struct peer_list_of l = {.jail = "j1", .ifname = "wg0", .dev = d, .live = live, .json = json, .now = NOW};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(peer_list_write(f, &l), 0);
	fclose(f);
	return buf;
}

static void json_live(void **s)
{
	struct wg_device *d = fixture();
	char *out = render(d, true, true);

	(void)s;
	assert_string_equal(out,
		"{\"jail\":\"j1\",\"interface\":\"wg0\",\"up\":true,\"peers\":["
		"{\"public_key\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\",\"name\":\"a\\\"b\\\\c\\u0001\\u007f\","
		"\"state\":\"active\",\"expires\":\"2027-01-16T09:01:01Z\",\"allowed_ips\":[\"10.0.0.1/32\",\"fd00::/64\"],"
		"\"endpoint\":\"192.0.2.9:51820\",\"persistent_keepalive\":25,\"preshared_key\":true,"
		"\"latest_handshake\":1799999958,\"rx_bytes\":18446744073709551615,\"tx_bytes\":1000000007},"
		"{\"public_key\":\"/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v4=\",\"name\":null,\"state\":\"expired\","
		"\"expires\":\"2027-01-15T07:59:59Z\",\"allowed_ips\":[],\"endpoint\":null,\"persistent_keepalive\":0,"
		"\"preshared_key\":false,\"latest_handshake\":0,\"rx_bytes\":0,\"tx_bytes\":0},"
		"{\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"name\":null,\"state\":\"disabled\","
		"\"expires\":null,\"allowed_ips\":[],\"endpoint\":\"vpn.example:443\",\"persistent_keepalive\":0,"
		"\"preshared_key\":false,\"latest_handshake\":0,\"rx_bytes\":0,\"tx_bytes\":0}]}\n");
	free(out);
	wg_device_free(d);
}

static void json_not_up(void **s)
{
	struct wg_device *d = fixture();
	char *out = render(d, true, false);

	(void)s;
	assert_non_null(strstr(out, "\"up\":false,\"peers\":[{"));
	assert_null(strstr(out, "latest_handshake"));
	assert_non_null(strstr(out, "\"preshared_key\":true},{"));
	free(out);
	d->n_peers = 0; /* (freed below all the same: only the count is hidden) */
	out = render(d, true, false);
	assert_string_equal(out, "{\"jail\":\"j1\",\"interface\":\"wg0\",\"up\":false,\"peers\":[]}\n");
	free(out);
	d->n_peers = 3;
	wg_device_free(d);
}

static void text_live(void **s)
{
	struct wg_device *d = fixture();
	char *out = render(d, false, true);

	(void)s;
	assert_string_equal(out,
		"jail j1, interface wg0, up, 3 peers\n"
		"\npeer: AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n"
		"  name: a\"b\\c\x01\x7f\n"
		"  state: expires in 1 day, 1 hour, 1 minute, 1 second\n"
		"  allowed ips: 10.0.0.1/32, fd00::/64\n"
		"  endpoint: 192.0.2.9:51820\n"
		"  persistent keepalive: every 25 seconds\n"
		"  preshared key: yes\n"
		"  latest handshake: 42 seconds ago\n"
		"  transfer: 18446744073709551615 B received, 1000000007 B sent\n"
		"\npeer: /v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v4=\n"
		"  state: expired\n"
		"  allowed ips: (none)\n"
		"  preshared key: no\n"
		"  latest handshake: none\n"
		"  transfer: 0 B received, 0 B sent\n"
		"\npeer: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		"  state: disabled\n"
		"  allowed ips: (none)\n"
		"  endpoint: vpn.example:443\n"
		"  preshared key: no\n"
		"  latest handshake: none\n"
		"  transfer: 0 B received, 0 B sent\n");
	free(out);
	d->n_peers = 1;
	out = render(d, false, false);
	assert_non_null(strstr(out, "jail j1, interface wg0, not up, 1 peer\n"));
	assert_null(strstr(out, "handshake"));
	free(out);
	d->n_peers = 3;
	wg_device_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_live),
		cmocka_unit_test(json_not_up),
		cmocka_unit_test(text_live),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
