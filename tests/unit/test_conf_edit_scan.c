/* The scans `peer add` runs instead of full parses (wg/conf_edit.h
 * conf_scan, agent/peer.h peer_scan_for_add), checked against the real
 * parser (wg/config.h) as the oracle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/peer.h"
#include "agent/peer_args.h"
#include "util/err.h"
#include "keys/keys.h"
#include "wg/conf_edit.h"
#include "wg/config.h"

static int setup(void **state)
{
	(void)state;
	assert_int_equal(keys_init(), 0);
	return 0;
}

static void key_b64(char out[WG_KEY_B64_LEN + 1], uint8_t fill)
{
	uint8_t k[WG_KEY_LEN];

	memset(k, fill, sizeof(k));
	key_to_base64(out, k);
}

static struct peer_scan scan(const char *text, uint8_t key_fill, const char *aips, bool force)
{
	struct peer_add_req req;
	struct peer_scan r;
	struct wj_err e = {0};
	unsigned masked;

	memset(&req, 0, sizeof(req));
	memset(req.public_key, key_fill, WG_KEY_LEN);
	req.force = force;
	req.keepalive = -1;
	if (aips)
		assert_int_equal(peer_parse_aips(aips, &req.aips, &req.n_aips, &masked, &e), 0);
	assert_int_equal(peer_scan_for_add(text, strlen(text), &req, &r), 0);
	free(req.aips);
	return r;
}

static void test_dup_spellings(void **state)
{
	char a[45], b[45], c[45], text[2048];
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	char privb[45];
	struct wg_device *dev = NULL;
	struct wj_err e = {0};

	(void)state;
	key_b64(a, 0x11);
	key_b64(b, 0x22);
	key_b64(c, 0x33);
	memset(priv, 0x40, sizeof(priv));
	key_to_base64(privb, priv);
	assert_int_equal(key_public_from_private(pub, priv), 0);
	snprintf(text, sizeof(text),
		 "[Interface]\r\nPrivate Key = %s # k\r\n# %s only in a comment\r\n"
		 "[ peer ]\r\nPublic Key = %s # a\r\n\r\n"
		 "[PEER]\r\npublickey=%s\r\nAllowedIPs = 10.0.0.2/32\r\n",
		 privb, c, a, b);
	/* the oracle agrees the file is valid and has a and b */
	assert_int_equal(wg_config_parse(text, strlen(text), "t", &dev, &e), 0);
	assert_int_equal(dev->n_peers, 2);
	wg_device_free(dev);
	assert_true(scan(text, 0x11, NULL, false).dup);
	assert_true(scan(text, 0x22, NULL, false).dup);
	assert_false(scan(text, 0x33, NULL, false).dup); /* comments do not count */
	assert_false(scan(text, 0x44, NULL, false).dup);
	{
		struct peer_add_req req;
		struct peer_scan r;
		memset(&req, 0, sizeof(req));
		memcpy(req.public_key, pub, WG_KEY_LEN);
		assert_int_equal(peer_scan_for_add(text, strlen(text), &req, &r), 0);
		assert_true(r.own);
		assert_false(r.dup);
	}
	{
		struct peer_scan r = scan(text, 0x44, NULL, false);
		assert_true(r.n_crlf > r.n_lf);
	}
}

static void test_conflict_forms(void **state)
{
	char a[45], text[1024];

	(void)state;
	key_b64(a, 0x11);
	snprintf(text, sizeof(text),
		 "[Interface]\nListenPort = 1\n[Peer]\nPublicKey = %s\n"
		 "Allowed IPs = 10.1.0.0 / 16 , fd00::/64 # nets\n"
		 "AllowedIPs = 0.0.0.0/0\n",
		 a);
	assert_true(scan(text, 0x22, "10.1.0.0/16", false).conflict);  /* same prefix */
	assert_true(scan(text, 0x22, "10.1.2.3", false).conflict);     /* inside */
	assert_true(scan(text, 0x22, "fd00::5/128", false).conflict);  /* inside, v6 */
	assert_false(scan(text, 0x22, "10.2.0.1/32", false).conflict); /* only inside the /0 */
	assert_false(scan(text, 0x22, "10.0.0.0/8", false).conflict);  /* around, not inside */
	assert_false(scan(text, 0x22, "10.1.2.3", true).conflict);     /* --force */
	assert_true(scan(text, 0x22, "0.0.0.0/0", false).conflict);    /* the same /0 */
}

/* Differential: random files and requests; the fast scan must decide as
 * peer_aip_conflict over the parsed model does. */
static void test_conflict_random(void **state)
{
	char *text = malloc(1 << 16);
	unsigned seed = 12345;

	(void)state;
	for (int iter = 0; iter < 300; iter++) {
		struct wg_device *dev = NULL;
		struct wj_err e = {0};
		size_t pos = 0;
		char req_aips[64];
		struct peer_add_req req;
		bool oracle = false;
		struct peer_scan r;
		unsigned masked;

		pos += (size_t)sprintf(text + pos, "[Interface]\nListenPort = 51820\n");
		for (int p = 0; p < 20; p++) {
			char k[45];
			key_b64(k, (uint8_t)(p + 1));
			pos += (size_t)sprintf(text + pos, "%s\n%s%s\n", (rand_r(&seed) & 1) ? "[Peer]" : " [ peer ] # x",
					       (rand_r(&seed) & 1) ? "PublicKey = " : "public key=", k);
			for (int l = 0; l < 1 + (rand_r(&seed) % 2); l++)
				pos += (size_t)sprintf(text + pos, "%s10.%u.%u.%u/%u%s\n",
						       (rand_r(&seed) & 1) ? "AllowedIPs = " : "allowed ips=",
						       rand_r(&seed) % 3, rand_r(&seed) % 4, rand_r(&seed) % 4,
						       16 + rand_r(&seed) % 17, (rand_r(&seed) & 1) ? " # c" : "");
		}
		snprintf(req_aips, sizeof(req_aips), "10.%u.%u.%u/%u", rand_r(&seed) % 3, rand_r(&seed) % 4,
			 rand_r(&seed) % 4, 8 + rand_r(&seed) % 25);
		assert_int_equal(wg_config_parse(text, pos, "t", &dev, &e), 0);
		memset(&req, 0, sizeof(req));
		assert_int_equal(peer_parse_aips(req_aips, &req.aips, &req.n_aips, &masked, &e), 0);
		for (size_t i = 0; i < dev->n_peers && !oracle; i++)
			oracle = peer_aip_conflict(req.aips, req.n_aips, &dev->peers[i], NULL) >= 0;
		memset(req.public_key, 0x77, WG_KEY_LEN);
		assert_int_equal(peer_scan_for_add(text, pos, &req, &r), 0);
		if (r.conflict != oracle)
			fail_msg("iteration %d: scan says %d, the model %d for %s", iter, r.conflict, oracle, req_aips);
		free(req.aips);
		wg_device_free(dev);
	}
	free(text);
}

static int count_fn(void *arg, const char *section, const char *key, const char *value, unsigned line)
{
	unsigned *n = arg;

	(void)line;
	if (key && !strcmp(section, "peer") && !strcasecmp(key, "publickey") && strlen(value) == 44)
		(*n)++;
	return 0;
}

static void test_conf_scan(void **state)
{
	const char *text = "[Interface]\nPrivateKey = x\n[ Peer ]\n Public Key = "
			   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= # c\n[Peer]\npublickey=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=";
	unsigned n = 0;
	size_t crlf, lf;

	(void)state;
	assert_int_equal(conf_scan(text, strlen(text), count_fn, &n, &crlf, &lf), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lf, 5);
	assert_int_equal(crlf, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dup_spellings),
		cmocka_unit_test(test_conflict_forms),
		cmocka_unit_test(test_conflict_random),
		cmocka_unit_test(test_conf_scan),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
