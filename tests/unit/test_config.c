/* wg0.conf parser and writer (wg/config.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/config.h"

#define K1 "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define K2 "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define K3 "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="
#define PSK "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE="
#define ZERO "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static struct wg_device *parse_ok(const char *text)
{
	struct wg_device *d = NULL;
	struct wj_err e = {0};

	if (wg_config_parse(text, strlen(text), "t.conf", &d, &e) < 0)
		fail_msg("unexpected error: %s", e.msg);
	assert_non_null(d);
	return d;
}

/* Parse TEXT expecting failure; the message must start "t.conf:LINE:" and
 * contain WANT. */
static void parse_bad(const char *text, unsigned line, const char *want)
{
	struct wg_device *d = (struct wg_device *)1;
	struct wj_err e = {0};
	char prefix[32];

	assert_int_equal(wg_config_parse(text, strlen(text), "t.conf", &d, &e), -1);
	assert_null(d);
	snprintf(prefix, sizeof(prefix), "t.conf:%u:", line);
	if (strncmp(e.msg, prefix, strlen(prefix)) != 0 || !strstr(e.msg, want))
		fail_msg("for input:\n%s\nwanted '%s' ... '%s', got: %s", text, prefix, want, e.msg);
	/* Key material never appears in a message. */
	assert_null(strstr(e.msg, K1));
	assert_null(strstr(e.msg, PSK));
	assert_null(strstr(e.msg, "SECRETSECRETSECRETSECRETSECRETSECRETSECRET"));
}

static bool strv_eq(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static void assert_model_equal(const struct wg_device *a, const struct wg_device *b)
{
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(!!a->private_key, !!b->private_key);
	if (a->private_key)
		assert_memory_equal(a->private_key, b->private_key, WG_KEY_LEN);
	assert_memory_equal(a->public_key, b->public_key, WG_KEY_LEN);
	assert_int_equal(a->listen_port, b->listen_port);
	assert_int_equal(a->fwmark, b->fwmark);
	assert_int_equal(a->n_peers, b->n_peers);
	for (size_t i = 0; i < a->n_peers; i++) {
		const struct wg_peer *p = &a->peers[i], *q = &b->peers[i];
		assert_memory_equal(p->public_key, q->public_key, WG_KEY_LEN);
		assert_memory_equal(p->psk, q->psk, WG_KEY_LEN);
		assert_int_equal(p->flags, q->flags);
		assert_int_equal(p->keepalive, q->keepalive);
		assert_int_equal(!!p->endpoint, !!q->endpoint);
		if (p->endpoint)
			assert_string_equal(p->endpoint, q->endpoint);
		assert_true(wg_sockaddr_equal(&p->endpoint_addr, &q->endpoint_addr));
		assert_int_equal(p->n_aips, q->n_aips);
		for (size_t j = 0; j < p->n_aips; j++)
			assert_int_equal(wg_ipmask_cmp(&p->aips[j], &q->aips[j]), 0);
		assert_non_null(wg_device_find_peer(b, p->public_key));
	}
	assert_int_equal(a->quick.n_address, b->quick.n_address);
	for (size_t j = 0; j < a->quick.n_address; j++)
		assert_int_equal(wg_ipmask_cmp(&a->quick.address[j], &b->quick.address[j]), 0);
	assert_true(strv_eq(a->quick.dns, a->quick.n_dns, b->quick.dns, b->quick.n_dns));
	assert_int_equal(a->quick.mtu, b->quick.mtu);
	assert_int_equal(!!a->quick.table, !!b->quick.table);
	if (a->quick.table)
		assert_string_equal(a->quick.table, b->quick.table);
	assert_true(strv_eq(a->quick.pre_up, a->quick.n_pre_up, b->quick.pre_up, b->quick.n_pre_up));
	assert_true(strv_eq(a->quick.post_up, a->quick.n_post_up, b->quick.post_up, b->quick.n_post_up));
	assert_true(strv_eq(a->quick.pre_down, a->quick.n_pre_down, b->quick.pre_down, b->quick.n_pre_down));
	assert_true(strv_eq(a->quick.post_down, a->quick.n_post_down, b->quick.post_down, b->quick.n_post_down));
	assert_int_equal(a->quick.save_config, b->quick.save_config);
}

/* parse(format(m)) == m, and format is a fixed point. */
static void round_trip(const struct wg_device *m, unsigned flags)
{
	size_t len, len2;
	char *t = wg_config_format(m, flags, &len), *t2;
	struct wg_device *m2 = parse_ok(t);

	assert_int_equal(strlen(t), len);
	if (!(flags & WG_CONFIG_STRIP_QUICK))
		assert_model_equal(m, m2);
	t2 = wg_config_format(m2, flags, &len2);
	assert_string_equal(t, t2);
	wg_config_free_text(t, len);
	wg_config_free_text(t2, len2);
	wg_device_free(m2);
}

static const char ordinary[] = "# a server\n"
			       "[Interface]\n"
			       "PrivateKey = " K1 "\n"
			       "ListenPort = 51820\n"
			       "Address = 10.0.0.1/24, fd00::1/64\n"
			       "PostUp = iptables -A FORWARD -i %i -j ACCEPT # comment\n"
			       "\n"
			       "[Peer] # laptop\n"
			       "PublicKey = " K2 "\n"
			       "PresharedKey = " PSK "\n"
			       "AllowedIPs = 10.0.0.2/32, fd00::2/128\n"
			       "AllowedIPs = 192.168.5.0/24\n"
			       "Endpoint = 192.0.2.7:51821\n"
			       "PersistentKeepalive = 25\n"
			       "\n"
			       "[Peer]\n"
			       "PublicKey = " K3 "\n"
			       "Endpoint = [2001:db8::1]:443\n"
			       "[Peer]\n"
			       "AllowedIPs = 10.0.0.9\n"
			       "Endpoint = vpn.example.com:51820\n"
			       "PublicKey = " ZERO "\n";

static void test_ordinary(void **state)
{
	struct wg_device *d = parse_ok(ordinary);
	uint8_t k[WG_KEY_LEN];
	char buf[64];

	(void)state;
	assert_true(d->flags & WGDEV_HAS_PRIVATE_KEY);
	assert_true(d->flags & WGDEV_HAS_PUBLIC_KEY);
	assert_true(d->flags & WGDEV_HAS_LISTEN_PORT);
	assert_false(d->flags & WGDEV_HAS_FWMARK);
	assert_true(key_from_base64(k, K1));
	assert_memory_equal(d->private_key, k, WG_KEY_LEN);
	assert_int_equal(d->listen_port, 51820);
	assert_int_equal(d->quick.n_address, 2);
	assert_string_equal(wg_ipmask_fmt(&d->quick.address[0], buf, sizeof(buf)), "10.0.0.1/24");
	assert_int_equal(d->quick.n_post_up, 1);
	assert_string_equal(d->quick.post_up[0], "iptables -A FORWARD -i %i -j ACCEPT");
	assert_int_equal(d->n_peers, 3);
	assert_int_equal(d->peers[0].line, 8);
	assert_int_equal(d->peers[1].line, 16);
	assert_int_equal(d->peers[2].line, 19);
	assert_int_equal(d->peers[0].n_aips, 3);
	assert_true(d->peers[0].flags & WGPEER_HAS_AIPS);
	assert_true(d->peers[0].flags & WGPEER_HAS_PSK);
	assert_true(d->peers[0].flags & WGPEER_HAS_KEEPALIVE);
	assert_int_equal(d->peers[0].keepalive, 25);
	assert_string_equal(d->peers[0].endpoint, "192.0.2.7:51821");
	assert_string_equal(wg_sockaddr_fmt(&d->peers[0].endpoint_addr, buf, sizeof(buf)), "192.0.2.7:51821");
	assert_string_equal(wg_sockaddr_fmt(&d->peers[1].endpoint_addr, buf, sizeof(buf)), "[2001:db8::1]:443");
	assert_false(d->peers[1].flags & WGPEER_HAS_AIPS);
	assert_string_equal(d->peers[2].endpoint, "vpn.example.com:51820");
	assert_int_equal(d->peers[2].endpoint_addr.sa.sa_family, AF_UNSPEC);
	assert_true(d->peers[2].flags & WGPEER_HAS_ENDPOINT);
	assert_true(key_from_base64(k, K3));
	assert_ptr_equal(wg_device_find_peer(d, k), &d->peers[1]);
	round_trip(d, 0);
	round_trip(d, WG_CONFIG_STRIP_QUICK);
	wg_device_free(d);
}

static void test_format_canonical(void **state)
{
	struct wg_device *d = parse_ok("[interface]\nlistenport=1\nprivatekey=" K1 "\nfwmark=0x10\n"
				       "dns = 1.1.1.1 example.com\nmtu=1420\ntable=off\nsaveconfig=TRUE\n"
				       "[peer]\npersistentkeepalive=off\nendpoint=127.1:5\npublickey=" K2 "\n");
	size_t len;
	char *t = wg_config_format(d, 0, &len);

	(void)state;
	assert_string_equal(t, "[Interface]\nPrivateKey = " K1 "\nListenPort = 1\nFwMark = 0x10\n"
			       "DNS = 1.1.1.1, example.com\nMTU = 1420\nTable = off\nSaveConfig = true\n"
			       "\n[Peer]\nPublicKey = " K2 "\nEndpoint = 127.1:5\nPersistentKeepalive = off\n");
	wg_config_free_text(t, len);
	assert_string_equal(wg_sockaddr_fmt(&d->peers[0].endpoint_addr, (char[64]){0}, 64), "127.0.0.1:5");
	t = wg_config_format(d, WG_CONFIG_STRIP_QUICK | WG_CONFIG_HIDE_KEYS, &len);
	assert_string_equal(t, "[Interface]\nPrivateKey = (hidden)\nListenPort = 1\nFwMark = 0x10\n"
			       "\n[Peer]\nPublicKey = " K2 "\nEndpoint = 127.1:5\nPersistentKeepalive = off\n");
	wg_config_free_text(t, len);
	round_trip(d, 0);
	wg_device_free(d);
}

/* The hidden view: no key material, and reading it back fails at the
 * placeholder with a message that says what happened; without secrets in
 * the model the hidden view is the same text as the plain one. */
static void test_hidden_view(void **state)
{
	struct wg_device *d = parse_ok(ordinary), *d2;
	size_t len, len2;
	char *t = wg_config_format(d, WG_CONFIG_HIDE_KEYS, &len), *t2;

	(void)state;
	assert_null(strstr(t, K1));
	assert_null(strstr(t, PSK));
	assert_non_null(strstr(t, "PrivateKey = (hidden)\n"));
	assert_non_null(strstr(t, "PresharedKey = (hidden)\n"));
	assert_non_null(strstr(t, K2)); /* public keys are shown */
	parse_bad(t, 2, "PrivateKey = (value hidden): this file was printed with keys hidden");
	wg_config_free_text(t, len);
	wg_device_free(d);

	d = parse_ok("[Interface]\nListenPort = 0\n[Peer]\nPublicKey = " K2 "\nPersistentKeepalive = 0\n");
	t = wg_config_format(d, WG_CONFIG_HIDE_KEYS, &len);
	t2 = wg_config_format(d, 0, &len2);
	assert_string_equal(t, t2);
	d2 = parse_ok(t);
	assert_model_equal(d, d2);
	wg_config_free_text(t, len);
	wg_config_free_text(t2, len2);
	wg_device_free(d);
	wg_device_free(d2);
}

/* Zero values survive the round trip with their flags. */
static void test_round_trip_zero(void **state)
{
	struct wg_device *d = parse_ok("[Interface]\nPrivateKey=" ZERO "\nListenPort=0\nFwMark=0\n"
				       "[Peer]\nPublicKey=" ZERO "\nPresharedKey=" ZERO "\nPersistentKeepalive=0\n"
				       "AllowedIPs=0.0.0.0/0,::/0\n");

	(void)state;
	assert_true(d->flags & WGDEV_HAS_LISTEN_PORT);
	assert_true(d->flags & WGDEV_HAS_FWMARK);
	assert_true(d->flags & WGDEV_HAS_PRIVATE_KEY);
	assert_true(d->peers[0].flags & WGPEER_HAS_PSK);
	assert_true(d->peers[0].flags & WGPEER_HAS_KEEPALIVE);
	round_trip(d, 0);
	wg_device_free(d);

	d = wg_device_new();
	round_trip(d, 0); /* empty device */
	wg_device_free(d);
}

/* A model built by hand (as other modules do) round-trips too. */
static void test_round_trip_built(void **state)
{
	struct wg_device *d = wg_device_new();
	uint8_t k[WG_KEY_LEN];
	struct wg_peer *p;
	struct wg_ipmask ip;

	(void)state;
	key_generate_private(k);
	assert_int_equal(wg_device_set_private_key(d, k), 0);
	key_generate_private(k);
	p = wg_device_add_peer(d, k);
	p->endpoint_addr.in.sin_family = AF_INET;
	p->endpoint_addr.in.sin_port = htons(9);
	p->endpoint_addr.in.sin_addr.s_addr = htonl(0x0a000001);
	p->flags |= WGPEER_HAS_ENDPOINT;
	for (int i = 0; i < 300; i++) { /* a line over 4 KiB */
		char s[32];
		snprintf(s, sizeof(s), "10.%d.%d.0/24", i / 256, i % 256);
		assert_int_equal(wg_ipmask_parse(s, &ip), 0);
		assert_int_equal(wg_peer_add_aip(p, &ip), 0);
	}
	p->flags |= WGPEER_HAS_AIPS;
	{
		size_t len;
		char *t = wg_config_format(d, 0, &len);
		struct wg_device *d2 = parse_ok(t);
		/* The text of a device-made endpoint is what the parser keeps. */
		assert_string_equal(d2->peers[0].endpoint, "10.0.0.1:9");
		assert_true(wg_sockaddr_equal(&d2->peers[0].endpoint_addr, &p->endpoint_addr));
		assert_int_equal(d2->peers[0].n_aips, 300);
		assert_true(len > 4096);
		wg_config_free_text(t, len);
		wg_device_free(d2);
	}
	wg_device_free(d);
}

static void test_lexical(void **state)
{
	/* CRLF, a BOM, blanks anywhere, comments anywhere, case. */
	struct wg_device *d = parse_ok("[ Inter face ]\r\n  Private Key=" K1 "  # c\r\n"
				       "LISTENPORT = 5 1 8 2 0\r\n#[Peer]\r\n[PEER]\r\npublickey=" K2 "#x\r\n"
				       "AllowedIPs = 10.0.0.1/32 ,\t10.0.0.2/32\r\n");

	(void)state;
	assert_int_equal(d->listen_port, 51820);
	assert_int_equal(d->n_peers, 1);
	assert_int_equal(d->peers[0].n_aips, 2);
	assert_int_equal(d->peers[0].line, 5);
	wg_device_free(d);
	parse_bad("\xef\xbb\xbf[Interface]\n", 1, "byte-order mark");
	/* No trailing newline, ';' is not a comment. */
	d = parse_ok("[Interface]\nListenPort=1");
	assert_int_equal(d->listen_port, 1);
	wg_device_free(d);
	parse_bad("[Interface]\n;ListenPort=1\n", 2, "unknown key");
}

/* Repeated sections and keys: what `wg setconf` does with them. */
static void test_repeats(void **state)
{
	struct wg_device *d = parse_ok("[Interface]\nListenPort=1\nListenPort=2\n[Interface]\nFwMark=3\n"
				       "[Peer]\nPublicKey=" K2 "\nAllowedIPs=10.0.0.1/32\nEndpoint=1.2.3.4:5\n"
				       "PersistentKeepalive=7\n"
				       "[Peer]\nPublicKey=" K3 "\n"
				       "[Peer]\nAllowedIPs=10.0.0.2/32\nPublicKey=" K2 "\nPresharedKey=" PSK "\n");

	(void)state;
	assert_int_equal(d->listen_port, 2);
	assert_int_equal(d->fwmark, 3);
	assert_int_equal(d->n_peers, 2);
	assert_int_equal(d->peers[0].line, 6);
	assert_int_equal(d->peers[0].n_aips, 1); /* replaced, not merged */
	assert_int_equal(ntohl(d->peers[0].aips[0].addr.ip4.s_addr), 0x0a000002);
	assert_string_equal(d->peers[0].endpoint, "1.2.3.4:5"); /* kept */
	assert_int_equal(d->peers[0].keepalive, 7);
	assert_true(d->peers[0].flags & WGPEER_HAS_PSK);
	wg_device_free(d);
	/* A repeated peer without AllowedIPs loses them (wg sends replace). */
	d = parse_ok("[Peer]\nPublicKey=" K2 "\nAllowedIPs=10.0.0.1/32\n[Peer]\nPublicKey=" K2 "\n");
	assert_int_equal(d->peers[0].n_aips, 0);
	assert_false(d->peers[0].flags & WGPEER_HAS_AIPS);
	wg_device_free(d);
}

static void test_values(void **state)
{
	struct wg_device *d = parse_ok("[Interface]\nFwMark=0xffffffff\nListenPort=65535\n[Peer]\nPublicKey=" K2
				       "\nPersistentKeepalive=65535\nAllowedIPs=10.1.2.3/8,::1/032\n"
				       "Endpoint=fd00::1:51820\n");
	char buf[64];

	(void)state;
	assert_int_equal(d->fwmark, 0xffffffffu);
	assert_int_equal(d->peers[0].keepalive, 65535);
	/* Host bits are kept as written (the device masks them). */
	assert_string_equal(wg_ipmask_fmt(&d->peers[0].aips[0], buf, sizeof(buf)), "10.1.2.3/8");
	assert_int_equal(d->peers[0].aips[1].cidr, 32);
	assert_string_equal(wg_sockaddr_fmt(&d->peers[0].endpoint_addr, buf, sizeof(buf)), "[fd00::1]:51820");
	wg_device_free(d);
	/* Issue 13: the prefix length is any string of digits, as wg(8)
	 * reads it (strtoul): leading zeros are no error. */
	d = parse_ok("[Peer]\nPublicKey=" K2 "\nAllowedIPs=10.0.0.0/00000008,fd00::/000000000000000000064,1.2.3.4/0\n");
	assert_string_equal(wg_ipmask_fmt(&d->peers[0].aips[0], buf, sizeof(buf)), "10.0.0.0/8");
	assert_string_equal(wg_ipmask_fmt(&d->peers[0].aips[1], buf, sizeof(buf)), "fd00::/64");
	assert_int_equal(d->peers[0].aips[2].cidr, 0);
	wg_device_free(d);
}

/* Issue 13: in a file that holds a key, a value of 20 or more base64
 * characters is never echoed (a fragment of the key misplaced). */
static void test_key_fragments_hidden(void **state)
{
	(void)state;
	parse_bad("[Interface]\nPrivateKey = " K1 "\nMTU = " "GKq4YnHfIDEzM7IhRKf2Rmbp9CCCu6mBUYDx9tgGWkM"
		  "\n", 3, "MTU = (value hidden)");
	parse_bad("[Interface]\nPrivateKey = " K1 "\nMTU = yAnz5TF+lXXJte14tji3z\n", 3, "MTU = (value hidden)");
	parse_bad("[Peer]\nPublicKey=" K2 "\nPreshared Key=" PSK "\nEndpoint = yAnz5TF+lXXJte14tji3z:99999\n", 4,
		  "Endpoint = (value hidden)");
	/* Without a key in the file, such values are shown (they help). */
	parse_bad("[Interface]\nMTU = yAnz5TF+lXXJte14tji3z\n", 2, "MTU = 'yAnz5TF+lXXJte14tji3z'");
}

static void test_errors(void **state)
{
	(void)state;
	parse_bad("ListenPort = 1\n", 1, "before any [Interface] or [Peer]");
	parse_bad("\n\n[Interface]\n[Foo]\n", 4, "unknown section '[Foo]'");
	parse_bad("[Interface]x\n", 1, "unexpected text after the section header");
	parse_bad("[Interface\n", 1, "without ']'");
	parse_bad("[Interface]\nListenPort\n", 2, "neither a [Section] header nor Key = Value");
	parse_bad("[Interface]\n" K1 "\n", 2, "this line is a key alone (not shown)");
	parse_bad("[Interface]\nyAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk\n", 2, "(not shown: it may hold a key)");
	parse_bad("[Interface]\nListenPort:1\n", 2, "neither");
	parse_bad("[Interface]\nListenPort =\n", 2, "ListenPort has an empty value");
	parse_bad("[Interface]\nAllowedIPs = 10.0.0.0/8\n", 2, "AllowedIPs belongs in [Peer], not in [Interface]");
	parse_bad("[Peer]\nPublicKey=" K2 "\nListenPort = 1\n", 3, "belongs in [Interface]");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAddress = 10.0.0.1/24\n", 3, "wg-quick key of [Interface]");
	parse_bad("[Interface]\nFoo = bar\n", 2, "unknown key 'Foo' in [Interface]");
	parse_bad("[Interface]\nPrivatKey = SECRETSECRETSECRETSECRETSECRETSECRETSECRET\n", 2, "unknown key");
	parse_bad("[Interface]\nPrivateKey = SECRETSECRETSECRETSECRETSECRETSECRETSECRET\n", 2,
		  "PrivateKey = (value hidden): not a WireGuard key");
	parse_bad("[Interface]\nPrivateKey = " K1 "x\n", 2, "PrivateKey = (value hidden)");
	parse_bad("[Interface]\nPrivateKey = (hidden)\n", 2, "printed with keys hidden");
	parse_bad("[Peer]\nPublicKey=" K2 "\nPresharedKey = " PSK "A\n", 3, "PresharedKey = (value hidden)");
	parse_bad("[Interface]\nListenPort = 65536\n", 2, "ListenPort = '65536': not a port number");
	parse_bad("[Interface]\nListenPort = -1\n", 2, "ListenPort = '-1'");
	parse_bad("[Interface]\nListenPort = ssh\n", 2, "ListenPort = 'ssh'");
	parse_bad("[Interface]\nFwMark = 0x100000000\n", 2, "FwMark = '0x100000000'");
	parse_bad("[Interface]\nFwMark = 0X10\n", 2, "FwMark = '0X10'");
	parse_bad("[Interface]\nFwMark = on\n", 2, "FwMark = 'on'");
	parse_bad("[Peer]\nPublicKey = abc\n", 2, "PublicKey = 'abc': not a WireGuard key");
	parse_bad("[Peer]\nPublicKey=" K2 "\nPersistentKeepalive = 65536\n", 3, "PersistentKeepalive = '65536'");
	parse_bad("[Peer]\nPublicKey=" K2 "\nPersistentKeepalive = -5\n", 3, "PersistentKeepalive");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAllowedIPs = 10.0.0.1/33\n", 3, "AllowedIPs = '10.0.0.1/33'");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAllowedIPs = 10.0.0.1/32, 10.0.0.300\n", 3, "'10.0.0.300': not an IP");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAllowedIPs = 10.0.0.1/32,\n", 3, "empty entry");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAllowedIPs = +10.0.0.1/32\n", 3, "'+'/'-' prefixes");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAllowedIPs = fd00::/129\n", 3, "not 0-128");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAllowedIPs = 10.0.0.0/\n", 3, "not 0-32");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAllowedIPs = 10.0.0.0/+8\n", 3, "not 0-32");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAllowedIPs = 10.0.0.0/000000000000000000033\n", 3, "not 0-32");
	parse_bad("[Peer]\nPublicKey=" K2 "\nAllowedIPs = 10.0.0.0/99999999999999999999999\n", 3, "not 0-32");
	parse_bad("[Peer]\nPublicKey=" K2 "\nEndpoint = 1.2.3.4\n", 3, "Endpoint = '1.2.3.4': no port");
	parse_bad("[Peer]\nPublicKey=" K2 "\nEndpoint = [fd00::1:51820\n", 3, "no ']'");
	parse_bad("[Peer]\nPublicKey=" K2 "\nEndpoint = [fd00::1]51820\n", 3, "no port after ']'");
	parse_bad("[Peer]\nPublicKey=" K2 "\nEndpoint = 1.2.3.4:99999\n", 3, "the port is not a number");
	parse_bad("[Peer]\nPublicKey=" K2 "\nEndpoint = 1.2.3.999:1\n", 3, "neither an IP address nor a host");
	parse_bad("[Peer]\nPublicKey=" K2 "\nEndpoint = :1\n", 3, "no host");
	parse_bad("[Peer]\nPublicKey=" K2 "\nEndpoint = fd00::1\n", 3, "write IPv6 endpoints as [address]:port");
	parse_bad("[Interface]\nMTU = 20\n", 2, "MTU = '20'");
	parse_bad("[Interface]\nSaveConfig = yes\n", 2, "SaveConfig = 'yes'");
	parse_bad("[Interface]\nTable = 1;reboot\n", 2, "Table = '1;reboot'");
	parse_bad("[Interface]\nAddress = 10.0.0.1/24, 10.0.0.x\n", 2, "Address = '10.0.0.x'");
	parse_bad("[Interface]\nPost Up = true\n", 2, "wg-quick does not recognise");
	/* A [Peer] without a key is reported at its header. */
	parse_bad("[Interface]\n\n[Peer]\nAllowedIPs = 10.0.0.1/32\n\n[Peer]\nPublicKey=" K2 "\n", 3,
		  "this [Peer] has no PublicKey");
	parse_bad("[Peer]\nPublicKey=" K2 "\n[Peer]\n", 3, "no PublicKey");
}

static void test_bytes(void **state)
{
	static const char nul[] = "[Interface]\nListenPort=1\0\n";
	struct wg_device *d = NULL;
	struct wj_err e = {0};

	(void)state;
	assert_int_equal(wg_config_parse(nul, sizeof(nul) - 1, "t.conf", &d, &e), -1);
	assert_non_null(strstr(e.msg, "t.conf:2:"));
	assert_non_null(strstr(e.msg, "NUL"));
	/* A file cut in the middle of a key. */
	parse_bad("[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3z", 2, "(value hidden)");
	parse_bad("[Interface]\n\xef\xbb\xbf[Peer]\n", 2, "\\xef");
	parse_bad("[Interface]\nListenPort = 1\xff\n", 2, "'1\\xff'");
	d = parse_ok("");
	assert_int_equal(d->n_peers, 0);
	assert_int_equal(d->flags, 0);
	wg_device_free(d);
}

static void test_many_peers(void **state)
{
	size_t n = 20000, cap = n * 160 + 64, len = 0;
	char *text = malloc(cap);
	struct wg_device *d;

	(void)state;
	len += (size_t)snprintf(text + len, cap - len, "[Interface]\nListenPort = 1\n");
	for (size_t i = 0; i < n; i++) {
		uint8_t k[WG_KEY_LEN] = {0};
		char b64[WG_KEY_B64_LEN + 1];
		memcpy(k, &i, sizeof(i));
		key_to_base64(b64, k);
		len += (size_t)snprintf(text + len, cap - len, "[Peer]\nPublicKey = %s\nAllowedIPs = 10.%zu.%zu.0/24\n",
					b64, i / 256 % 256, i % 256);
	}
	d = parse_ok(text);
	assert_int_equal(d->n_peers, n);
	for (size_t i = 0; i < n; i += 997) {
		uint8_t k[WG_KEY_LEN] = {0};
		memcpy(k, &i, sizeof(i));
		assert_ptr_equal(wg_device_find_peer(d, k), &d->peers[i]);
		assert_int_equal(d->peers[i].line, 3 + 3 * i);
	}
	round_trip(d, 0);
	wg_device_free(d);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary),      cmocka_unit_test(test_format_canonical),
		cmocka_unit_test(test_round_trip_zero), cmocka_unit_test(test_round_trip_built),
		cmocka_unit_test(test_hidden_view),
		cmocka_unit_test(test_lexical),       cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_values),        cmocka_unit_test(test_errors),
		cmocka_unit_test(test_key_fragments_hidden),
		cmocka_unit_test(test_bytes),         cmocka_unit_test(test_many_peers),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
