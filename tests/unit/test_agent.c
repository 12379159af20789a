/* The agent's pure parts: peer health, the status JSON, re-resolution
 * scheduling, first-boot key insertion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/bootkey.h"
#include "agent/jailspec.h"
#include "agent/reresolve.h"
#include "agent/status.h"
#include "agent/watch.h"
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/err.h"
#include "keys/keys.h"
#include "wg/model.h"

static const struct health_limits lim = {180, 600};

static void health_thresholds(void **st)
{
	struct wg_peer p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(peer_health(&p, 1000, &lim), PEER_DOWN); /* never */
	p.last_handshake_sec = 1000;
	assert_int_equal(peer_health(&p, 1000, &lim), PEER_OK);
	assert_int_equal(peer_health(&p, 1180, &lim), PEER_OK);
	assert_int_equal(peer_health(&p, 1181, &lim), PEER_STALE);
	assert_int_equal(peer_health(&p, 1600, &lim), PEER_STALE);
	assert_int_equal(peer_health(&p, 1601, &lim), PEER_DOWN);
	assert_int_equal(peer_health(&p, 900, &lim), PEER_OK); /* clock went back */
	assert_string_equal(peer_health_name(PEER_STALE), "stale");
}

static void env_limits(void **st)
{
	struct health_limits l;

	setenv("WGJAIL_STALE_AFTER", "5", 1);
	setenv("WGJAIL_DOWN_AFTER", "2", 1); /* below stale: raised to it */
	health_limits_default(&l);
	assert_int_equal(l.stale_after, 5);
	assert_int_equal(l.down_after, 5);
	setenv("WGJAIL_STALE_AFTER", "x", 1); /* bad: default */
	unsetenv("WGJAIL_DOWN_AFTER");
	health_limits_default(&l);
	assert_int_equal(l.stale_after, 180);
	assert_int_equal(l.down_after, 600);
	unsetenv("WGJAIL_STALE_AFTER");
}

static void status_json(void **st)
{
	struct wg_device *d = wg_device_new();
	struct status_jail j[2];
	struct jail_spec spec;
	uint8_t k[WG_KEY_LEN], priv[WG_KEY_LEN];
	struct wg_ipmask ip;
	struct wg_peer *p;
	char *text, kb[WG_KEY_B64_LEN + 1], want[512];
	size_t len;

	assert_non_null(d);
	memset(priv, 7, sizeof(priv));
	assert_int_equal(wg_device_set_private_key(d, priv), 0);
	d->listen_port = 51820;
	memset(k, 1, sizeof(k));
	p = wg_device_add_peer(d, k);
	assert_non_null(p);
	p->endpoint_addr.in.sin_family = AF_INET;
	p->endpoint_addr.in.sin_port = htons(51821);
	inet_pton(AF_INET, "192.0.2.7", &p->endpoint_addr.in.sin_addr);
	assert_int_equal(wg_ipmask_parse("10.0.0.2/32", &ip), 0);
	assert_int_equal(wg_peer_add_aip(p, &ip), 0);
	p->last_handshake_sec = 1000;
	p->rx_bytes = 12;
	p->tx_bytes = 34;
	memset(k, 2, sizeof(k));
	assert_non_null(wg_device_add_peer(d, k));

	memset(j, 0, sizeof(j));
	strcpy(j[0].name, "a");
	strcpy(j[0].ifname, "wg0");
	j[0].state = JAIL_UP;
	j[0].dev = d;
	strcpy(j[1].name, "b");
	strcpy(j[1].ifname, "wg0");
	j[1].state = JAIL_ERROR;
	strcpy(j[1].message, "b/wg0.conf:3: \"bad\"\x01");
	/* jail a's spec: NAT, the WireGuard port published */
	jailspec_defaults(&spec, "a");
	assert_int_equal(wg_ipmask_parse("10.66.0.2/24", &spec.jail_addr[0]), 0);
	spec.n_jail_addr = 1;
	spec.nat = 1;
	spec.listen_port = 51820;
	j[0].spec = &spec;
	{
		static struct status_resolution res[2];
		memset(res, 0, sizeof(res));
		memset(res[0].key, 3, WG_KEY_LEN);
		res[0].endpoint = "vpn.example.org:51820";
		res[0].state = "failed";
		res[0].error = "endpoint 'vpn.example.org:51820' does not resolve: \"x\"";
		res[0].when = 1005;
		memset(res[1].key, 4, WG_KEY_LEN);
		res[1].endpoint = "b.example.org:1";
		res[1].state = "pending";
		j[0].res = res;
		j[0].n_res = 2;
		j[0].reconciles = 3;
		j[0].reconcile_failures = 1;
		j[0].resolution_failures = 2;
		j[0].last_ok = 1001;
	}
	{
		struct status_agent ag = {42, 43, 900, 2};
		text = status_render(j, 2, &ag, 1010, &lim, &len);
	}
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	memset(k, 1, sizeof(k));
	key_to_base64(kb, k);
	/* The device object is wg_show_json's (the same as `show --json`). */
	snprintf(want, sizeof(want),
		 "{\"public_key\":\"%s\",\"preshared_key\":false,\"endpoint\":\"192.0.2.7:51821\","
		 "\"allowed_ips\":[\"10.0.0.2/32\"],\"latest_handshake\":1000,\"latest_handshake_age\":10,"
		 "\"rx_bytes\":12,\"tx_bytes\":34,\"persistent_keepalive\":0}",
		 kb);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "\"latest_handshake_age\":null,\"rx_bytes\":0,\"tx_bytes\":0,"));
	snprintf(want, sizeof(want), "\"peer_states\":{\"%s\":\"ok\",", kb);
	assert_non_null(strstr(text, want));
	memset(k, 2, sizeof(k));
	key_to_base64(kb, k);
	snprintf(want, sizeof(want), "\"%s\":\"down\"},\"resolution\":{", kb);
	assert_non_null(strstr(text, want));
	memset(k, 3, sizeof(k));
	key_to_base64(kb, k);
	snprintf(want, sizeof(want),
		 "\"resolution\":{\"%s\":{\"endpoint\":\"vpn.example.org:51820\",\"state\":\"failed\","
		 "\"error\":\"endpoint 'vpn.example.org:51820' does not resolve: \\\"x\\\"\",\"time\":1005},",
		 kb);
	assert_non_null(strstr(text, want));
	memset(k, 4, sizeof(k));
	key_to_base64(kb, k);
	snprintf(want, sizeof(want),
		 "\"%s\":{\"endpoint\":\"b.example.org:1\",\"state\":\"pending\",\"error\":null,\"time\":null}}}", kb);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "\"restarts\":0,\"reconciles\":3,\"reconcile_failures\":1,"
				     "\"resolution_failures\":2,\"last_reconcile\":1001,"));
	assert_non_null(strstr(text, "\"last_reconcile\":null,"));
	assert_non_null(strstr(text, "\"agent\":{\"pid\":42,\"start_time\":900,\"resolver_pid\":43,"
				     "\"resolver_restarts\":2},\"jails\":["));
	assert_non_null(strstr(text, "\"device\":null,\"nat\":null,\"published\":[],\"host_link\":null,\"peer_states\":{},\"resolution\":{}}"));
	assert_non_null(strstr(text, ",\"nat\":{\"interface\":null,\"ipv6_masquerade\":false},\"published\":"
				     "[{\"proto\":\"udp\",\"host_port\":51820,\"jail_port\":51820}],\"host_link\":null,"
				     "\"peer_states\":{"));
	assert_non_null(strstr(text, "\"message\":\"b/wg0.conf:3: \\\"bad\\\"\\u0001\""));
	assert_non_null(strstr(text, "\"state\":\"error\""));
	assert_non_null(strstr(text, "{\"version\":1,\"time\":1010,"));
	/* The private key is nowhere. */
	key_to_base64(kb, priv);
	assert_null(strstr(text, kb));
	assert_true(text[len - 1] == '\n');
	free(text);
	wg_device_free(d);
}

static void reresolve_schedule(void **st)
{
	struct rr_params p = {135, 10, 40};
	struct rr_sched s;
	uint8_t k1[WG_KEY_LEN], k2[WG_KEY_LEN];

	memset(k1, 1, sizeof(k1));
	memset(k2, 2, sizeof(k2));
	rr_init(&s);
	assert_true(rr_endpoint_is_name("vpn.example.org:51820"));
	assert_false(rr_endpoint_is_name("192.0.2.1:51820"));
	assert_false(rr_endpoint_is_name("[2001:db8::1]:51820"));
	assert_false(rr_endpoint_is_name(""));
	assert_false(rr_endpoint_is_name(NULL));

	/* Fresh handshake: not due. */
	assert_false(rr_due(&s, "j", k1, 1000, 1135, &p));
	/* Stale or never: due at once, then backs off 10, 20, 40, 40. */
	assert_true(rr_due(&s, "j", k1, 1000, 1136, &p));
	assert_true(rr_due(&s, "j", k2, 0, 1136, &p));
	assert_int_equal(rr_attempted(&s, "j", k1, 1136, &p), 0);
	assert_false(rr_due(&s, "j", k1, 1000, 1145, &p));
	assert_true(rr_due(&s, "j", k1, 1000, 1146, &p));
	assert_int_equal(rr_attempted(&s, "j", k1, 1146, &p), 0);
	assert_false(rr_due(&s, "j", k1, 1000, 1165, &p));
	assert_true(rr_due(&s, "j", k1, 1000, 1166, &p));
	assert_int_equal(rr_attempted(&s, "j", k1, 1166, &p), 0);
	assert_false(rr_due(&s, "j", k1, 1000, 1205, &p));
	assert_true(rr_due(&s, "j", k1, 1000, 1206, &p));
	assert_int_equal(rr_attempted(&s, "j", k1, 1206, &p), 0);
	assert_true(rr_due(&s, "j", k1, 1000, 1246, &p)); /* capped at 40 */
	/* Same key in another jail is another peer. */
	assert_true(rr_due(&s, "other", k1, 1000, 1207, &p));
	/* A handshake resets the back-off. */
	assert_false(rr_due(&s, "j", k1, 1240, 1246, &p));
	assert_int_equal(s.n, 1); /* (kept: its last attempt counts for triggers) */
	assert_true(rr_due(&s, "j", k1, 1240, 1400, &p));
	assert_int_equal(rr_attempted(&s, "j", k1, 1400, &p), 0);
	assert_false(rr_due(&s, "j", k1, 1240, 1409, &p));

	/* Sweep forgets peers that are gone; marked ones stay. */
	assert_int_equal(rr_attempted(&s, "j", k2, 1400, &p), 0);
	assert_int_equal(rr_attempted(&s, "x", k2, 1400, &p), 0);
	assert_int_equal(s.n, 3);
	rr_mark(&s, "j", k2);
	rr_sweep(&s, "j");
	assert_int_equal(s.n, 2); /* j/k1 gone, j/k2 and x/k2 stay */
	rr_sweep(&s, "j");        /* k2 unmarked now */
	assert_int_equal(s.n, 1);
	rr_sweep(&s, NULL);
	assert_int_equal(s.n, 0);
	rr_free(&s);
}

/* An uplink change: every peer once more, handshake or not, never twice
 * within MIN of its last attempt; back-offs start again. */
static void reresolve_trigger(void **st)
{
	struct rr_params p = {135, 10, 40};
	struct rr_sched s;
	uint8_t k1[WG_KEY_LEN], k2[WG_KEY_LEN], k3[WG_KEY_LEN];

	memset(k1, 1, sizeof(k1));
	memset(k2, 2, sizeof(k2));
	memset(k3, 3, sizeof(k3));
	rr_init(&s);
	/* k1: fresh handshake, last tried at 1000 (backed off to 40). */
	for (time_t t = 900; t <= 1000; t += 50)
		assert_int_equal(rr_attempted(&s, "j", k1, t, &p), 0);
	assert_false(rr_due(&s, "j", k1, 1100, 1105, &p));
	/* k2: never a handshake, backed off: next try at 1000 + 40. */
	for (time_t t = 900; t <= 1000; t += 50)
		assert_int_equal(rr_attempted(&s, "j", k2, t, &p), 0);
	assert_false(rr_due(&s, "j", k2, 0, 1005, &p));
	/* k3: no entry, fresh handshake: not due. */
	assert_false(rr_due(&s, "j", k3, 1100, 1105, &p));

	rr_trigger(&s, 1005, &p);
	assert_false(rr_due(&s, "j", k1, 1100, 1005, &p)); /* not within 10 s of its last attempt */
	assert_true(rr_due(&s, "j", k1, 1100, 1010, &p));  /* fresh handshake, due all the same */
	assert_true(rr_due(&s, "j", k2, 0, 1010, &p));     /* its back-off (40) is forgotten */
	assert_true(rr_due(&s, "j", k3, 1100, 1005, &p));  /* never tried: at once */
	assert_int_equal(rr_attempted(&s, "j", k1, 1010, &p), 0);
	assert_int_equal(rr_attempted(&s, "j", k2, 1010, &p), 0);
	assert_int_equal(rr_attempted(&s, "j", k3, 1010, &p), 0);
	/* Once each: a fresh handshake is not due again, a stale one backs
	 * off from MIN. */
	assert_false(rr_due(&s, "j", k1, 1100, 1200, &p));
	assert_false(rr_due(&s, "j", k3, 1100, 1200, &p));
	assert_false(rr_due(&s, "j", k2, 0, 1019, &p));
	assert_true(rr_due(&s, "j", k2, 0, 1020, &p));
	/* Many peers: found through the index after sweeps. */
	for (int i = 0; i < 300; i++) {
		uint8_t k[WG_KEY_LEN];
		memset(k, 0, sizeof(k));
		k[0] = (uint8_t)i;
		k[1] = (uint8_t)(i >> 8);
		k[2] = 9;
		assert_int_equal(rr_attempted(&s, i % 2 ? "odd" : "even", k, 2000, &p), 0);
	}
	assert_int_equal(s.n, 303);
	for (int i = 0; i < 300; i += 2) {
		uint8_t k[WG_KEY_LEN];
		memset(k, 0, sizeof(k));
		k[0] = (uint8_t)i;
		k[1] = (uint8_t)(i >> 8);
		k[2] = 9;
		if (i % 4 == 0)
			rr_mark(&s, "even", k);
	}
	rr_sweep(&s, "even");
	assert_int_equal(s.n, 303 - 75);
	for (int i = 0; i < 300; i++) {
		uint8_t k[WG_KEY_LEN];
		memset(k, 0, sizeof(k));
		k[0] = (uint8_t)i;
		k[1] = (uint8_t)(i >> 8);
		k[2] = 9;
		if (i % 2 == 0)
			assert_true((rr_find(&s, "even", k) != NULL) == (i % 4 == 0));
		else
			assert_non_null(rr_find(&s, "odd", k));
	}
	rr_free(&s);
}

static char *fill(const char *in)
{
	static char out[1024];
	struct wj_err e;
	char *t = NULL;
	size_t n = 0;

	wj_err_clear(&e);
	assert_int_equal(bootkey_fill(in, strlen(in), "KEY", &t, &n, &e), 0);
	assert_int_equal(strlen(t), n);
	snprintf(out, sizeof(out), "%s", t);
	free(t);
	return out;
}

static void bootkey_texts(void **st)
{
	struct wj_err e;
	char *t = NULL;
	size_t n = 0;

	assert_int_equal(bootkey_scan("", 0), BOOTKEY_MISSING);
	assert_int_equal(bootkey_scan("[Interface]\nListenPort=1\n", 25), BOOTKEY_MISSING);
	assert_int_equal(bootkey_scan("[interface]\n pRivate Key = x\n", 29), BOOTKEY_PRESENT);
	assert_int_equal(bootkey_scan("[Interface]\nPrivateKey = generate # first boot\n", 47), BOOTKEY_GENERATE);
	assert_int_equal(bootkey_scan("[Interface]\nPrivateKey =\n", 25), BOOTKEY_GENERATE);
	/* A PrivateKey in [Peer] is not the interface's. */
	assert_int_equal(bootkey_scan("[Peer]\nPrivateKey = x\n", 22), BOOTKEY_MISSING);
	/* # comment is not a key. */
	assert_int_equal(bootkey_scan("[Interface]\n# PrivateKey = x\n", 29), BOOTKEY_MISSING);

	assert_string_equal(fill(""), "[Interface]\nPrivateKey = KEY\n");
	assert_string_equal(fill("[Peer]\nPublicKey = P\n"), "[Interface]\nPrivateKey = KEY\n[Peer]\nPublicKey = P\n");
	assert_string_equal(fill("# c\n[Interface]\nListenPort = 5\n"),
			    "# c\n[Interface]\nPrivateKey = KEY\nListenPort = 5\n");
	assert_string_equal(fill("[Interface]"), "[Interface]\nPrivateKey = KEY\n");
	assert_string_equal(fill("[Interface]\r\nPrivateKey = generate\r\nListenPort = 5\r\n"),
			    "[Interface]\r\nPrivateKey = KEY\nListenPort = 5\r\n");
	assert_string_equal(fill("[Interface]\nPrivateKey ="), "[Interface]\nPrivateKey = KEY\n");
	wj_err_clear(&e);
	assert_int_equal(bootkey_fill("[Interface]\nPrivateKey = abc\n", 29, "KEY", &t, &n, &e), -1);
	assert_null(t);
}

struct seen {
	char names[16][40];
	int n;
};

static void seen_cb(const char *jail, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", jail ? jail : "(rescan)");
}

static void drain(struct watch *w, struct seen *s)
{
	struct pollfd pfd = {watch_fd(w), POLLIN, 0};
	struct wj_err e;

	memset(s, 0, sizeof(*s));
	while (poll(&pfd, 1, 100) > 0)
		assert_int_equal(watch_read(w, seen_cb, s, &e), 0);
}

static bool saw(const struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return true;
	return false;
}

static void watch_inotify(void **st)
{
	char dir[] = "/tmp/wgjail-unit-watch.XXXXXX", path[128], tmp[128], cmd[160];
	struct wj_err e;
	struct seen s;
	struct watch *w;
	FILE *f;

	assert_true(watch_name_matters("wg0.conf"));
	assert_true(watch_name_matters("jail.conf"));
	assert_false(watch_name_matters("wg0.conf.tmpAbC123"));
	assert_false(watch_name_matters(".lock"));
	assert_false(watch_name_matters(".conf"));

	assert_non_null(mkdtemp(dir));
	w = watch_new(dir, &e);
	assert_non_null(w);
	/* A new jail directory: a rescan. */
	snprintf(path, sizeof(path), "%s/j1", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	drain(w, &s);
	assert_true(saw(&s, "(rescan)"));
	assert_int_equal(watch_add_jail(w, "j1", &e), 0);
	assert_int_equal(watch_add_jail(w, "j1", &e), 0); /* idempotent */
	assert_int_equal(watch_add_jail(w, "../x", &e), -1);
	/* A file replaced by rename: reported for the jail; the temporary
	 * file itself and the lock are not. */
	snprintf(tmp, sizeof(tmp), "%s/j1/wg0.conf.tmpXYZ", dir);
	snprintf(path, sizeof(path), "%s/j1/wg0.conf", dir);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs("[Interface]\n", f);
	fclose(f);
	drain(w, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(rename(tmp, path), 0);
	drain(w, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.names[0], "j1");
	/* Written in place: reported too (IN_CLOSE_WRITE). */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("# x\n", f);
	fclose(f);
	drain(w, &s);
	assert_true(saw(&s, "j1"));
	snprintf(path, sizeof(path), "%s/j1/.lock", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	drain(w, &s);
	assert_int_equal(s.n, 0);
	/* The jail's directory goes away: a rescan, and the watch is dropped. */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/j1", dir);
	assert_int_equal(system(cmd), 0);
	drain(w, &s);
	assert_true(saw(&s, "(rescan)"));
	watch_remove_jail(w, "j1"); /* already forgotten: harmless */
	watch_free(w);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(health_thresholds), cmocka_unit_test(env_limits),
		cmocka_unit_test(status_json),       cmocka_unit_test(reresolve_schedule),
		cmocka_unit_test(reresolve_trigger),
		cmocka_unit_test(bootkey_texts),     cmocka_unit_test(watch_inotify),
	};
	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("agent", tests, NULL, NULL);
}
