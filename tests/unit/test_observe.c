/* What the agent tells the world (issue 19): the metrics' exposition
 * text, the agent's state file, the resolver's messages, sd_notify. */
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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/agentstate.h"
#include "agent/metrics.h"
#include "agent/notify.h"
#include "agent/resolver_proto.h"
#include "keys/keys.h"
#include "util/err.h"
#include "wg/model.h"

static const struct health_limits lim = {180, 600};

static char *render(const struct metrics_jail *j, size_t n, const struct metrics_agent *ag)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	metrics_render(f, j, n, ag, 10000, &lim);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static const char *alice(const uint8_t key[WG_KEY_LEN], void *arg)
{
	(void)arg;
	return key[0] == 1 ? "alice \"a\\b\"\nx" : NULL;
}

static void metrics_text(void **st)
{
	struct wg_device *d = wg_device_new();
	struct metrics_jail j[2];
	struct metrics_agent ag = {true, 900, 3};
	struct metrics_rerr rerr;
	uint8_t k[WG_KEY_LEN];
	struct wg_ipmask ip;
	struct wg_peer *p;
	char *text, kb[WG_KEY_B64_LEN + 1], want[512];
	size_t n_help = 0, n_type = 0;

	memset(k, 1, sizeof(k));
	p = wg_device_add_peer(d, k);
	assert_int_equal(wg_ipmask_parse("10.0.0.2/32", &ip), 0);
	assert_int_equal(wg_peer_add_aip(p, &ip), 0);
	assert_int_equal(wg_ipmask_parse("fd00::/64", &ip), 0);
	assert_int_equal(wg_peer_add_aip(p, &ip), 0);
	p->last_handshake_sec = 9900; /* 100 s ago: ok */
	p->rx_bytes = 12;
	p->tx_bytes = 34;
	memset(k, 2, sizeof(k));
	p = wg_device_add_peer(d, k);
	p->last_handshake_sec = 9700; /* 300 s ago: stale */

	memset(j, 0, sizeof(j));
	j[0] = (struct metrics_jail){.name = "vpn1", .ifname = "wg0", .dev = d, .agent = true, .reconciles = 7,
				     .reconcile_failures = 1, .resolution_failures = 2, .restarts = 1, .last_ok = 9990,
				     .peer_name = alice};
	memset(rerr.key, 2, sizeof(rerr.key));
	rerr.endpoint = "vpn.example.org:51820";
	rerr.error = "endpoint 'vpn.example.org:51820' does not resolve: \"no\"";
	j[0].rerr = &rerr;
	j[0].n_rerr = 1;
	j[1] = (struct metrics_jail){.name = "down1", .ifname = "wg1"};
	text = render(j, 2, &ag);

	/* HELP and TYPE for every family, once, before its samples. */
	for (const char *s = text; (s = strstr(s, "# HELP ")); s++)
		n_help++;
	for (const char *s = text; (s = strstr(s, "# TYPE ")); s++)
		n_type++;
	assert_int_equal(n_help, 14);
	assert_int_equal(n_type, 14);
	assert_non_null(strstr(text, "# TYPE wireguard_sent_bytes_total counter\n"));
	assert_non_null(strstr(text, "# TYPE wireguard_latest_handshake_seconds gauge\n"));
	/* The exporter's labels, a name escaped. */
	memset(k, 1, sizeof(k));
	key_to_base64(kb, k);
	snprintf(want, sizeof(want),
		 "wireguard_sent_bytes_total{jail=\"vpn1\",interface=\"wg0\",public_key=\"%s\","
		 "allowed_ips=\"10.0.0.2/32,fd00::/64\",friendly_name=\"alice \\\"a\\\\b\\\"\\nx\"} 34\n",
		 kb);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "allowed_ips=\"10.0.0.2/32,fd00::/64\",friendly_name=\"alice \\\"a\\\\b\\\"\\nx\"} 12\n"));
	assert_non_null(strstr(text, "allowed_ips=\"10.0.0.2/32,fd00::/64\",friendly_name=\"alice \\\"a\\\\b\\\"\\nx\"} 9900\n"));
	/* The second peer has no name: no friendly_name label. */
	memset(k, 2, sizeof(k));
	key_to_base64(kb, k);
	snprintf(want, sizeof(want), "public_key=\"%s\",allowed_ips=\"\"} 9700\n", kb);
	assert_non_null(strstr(text, want));
	/* States: one 1, two 0s per peer. */
	snprintf(want, sizeof(want),
		 "wgjail_peer_state{jail=\"vpn1\",interface=\"wg0\",public_key=\"%s\",state=\"ok\"} 0\n"
		 "wgjail_peer_state{jail=\"vpn1\",interface=\"wg0\",public_key=\"%s\",state=\"stale\"} 1\n"
		 "wgjail_peer_state{jail=\"vpn1\",interface=\"wg0\",public_key=\"%s\",state=\"down\"} 0\n",
		 kb, kb, kb);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want),
		 "wgjail_peer_resolution_error{jail=\"vpn1\",interface=\"wg0\",public_key=\"%s\","
		 "endpoint=\"vpn.example.org:51820\",error=\"endpoint 'vpn.example.org:51820' does not resolve: "
		 "\\\"no\\\"\"} 1\n",
		 kb);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "wgjail_jail_up{jail=\"vpn1\",interface=\"wg0\"} 1\n"
				     "wgjail_jail_up{jail=\"down1\",interface=\"wg1\"} 0\n"));
	assert_non_null(strstr(text, "wgjail_reconciles_total{jail=\"vpn1\",interface=\"wg0\"} 7\n# "));
	assert_non_null(strstr(text, "wgjail_reconcile_failures_total{jail=\"vpn1\",interface=\"wg0\"} 1\n# "));
	assert_non_null(strstr(text, "wgjail_resolution_failures_total{jail=\"vpn1\",interface=\"wg0\"} 2\n# "));
	assert_non_null(strstr(text, "wgjail_last_reconcile_success_timestamp_seconds{jail=\"vpn1\",interface=\"wg0\"} 9990\n# "));
	assert_non_null(strstr(text, "wgjail_daemon_restarts_total{jail=\"vpn1\",interface=\"wg0\"} 1\n# "));
	assert_non_null(strstr(text, "\nwgjail_agent_up 1\n"));
	assert_non_null(strstr(text, "\nwgjail_agent_start_time_seconds 900\n"));
	assert_non_null(strstr(text, "\nwgjail_resolver_restarts_total 3\n"));
	assert_true(text[strlen(text) - 1] == '\n');
	free(text);

	/* Without an agent: its families are empty, agent_up is 0. */
	j[0].agent = false;
	text = render(j, 2, NULL);
	assert_null(strstr(text, "wgjail_reconciles_total{"));
	assert_null(strstr(text, "wgjail_peer_resolution_error{"));
	assert_null(strstr(text, "\nwgjail_agent_start_time_seconds "));
	assert_non_null(strstr(text, "\nwgjail_agent_up 0\n"));
	assert_non_null(strstr(text, "# HELP wgjail_reconciles_total "));
	free(text);
	wg_device_free(d);
}

static void state_round_trip(void **st)
{
	struct as_jail aj = {"vpn1", 7, 1, 2, 3, 1700000000};
	struct agent_state s;
	uint8_t k[WG_KEY_LEN];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct wj_err e;

	memset(k, 5, sizeof(k));
	agentstate_put_agent(f, 1234, 1700000000, 4, 1235, 180, 600);
	agentstate_put_jail(f, &aj);
	agentstate_put_rerr(f, "vpn1", k, "a.example:1", "bad\tname\nwith controls\x01");
	assert_int_equal(fclose(f), 0);
	wj_err_clear(&e);
	assert_int_equal(agentstate_parse("S", buf, len, &s, &e), 0);
	assert_int_equal(s.pid, 1234);
	assert_int_equal(s.resolver_pid, 1235);
	assert_int_equal(s.start, 1700000000);
	assert_int_equal(s.resolver_restarts, 4);
	assert_int_equal(s.stale_after, 180);
	assert_int_equal(s.down_after, 600);
	assert_int_equal(s.n_jails, 1);
	assert_string_equal(s.jails[0].name, "vpn1");
	assert_int_equal(s.jails[0].reconciles, 7);
	assert_int_equal(s.jails[0].failures, 1);
	assert_int_equal(s.jails[0].resolution_failures, 2);
	assert_int_equal(s.jails[0].restarts, 3);
	assert_int_equal(s.jails[0].last_ok, 1700000000);
	assert_non_null(agentstate_jail(&s, "vpn1"));
	assert_null(agentstate_jail(&s, "vpn2"));
	assert_int_equal(s.n_rerrs, 1);
	assert_memory_equal(s.rerrs[0].key, k, WG_KEY_LEN);
	assert_string_equal(s.rerrs[0].endpoint, "a.example:1");
	assert_string_equal(s.rerrs[0].error, "bad name with controls ");
	agentstate_free(&s);
	free(buf);

	/* Strict: unknown records, bad numbers, wrong counts, no header. */
	static const char *const bad[] = {
		"wgjail-agent-state 1\npid\t12\nfoo\t1\n",
		"wgjail-agent-state 1\npid\t-1\n",
		"wgjail-agent-state 1\npid\t1\t2\n",
		"wgjail-agent-state 1\njail\tvpn1\t1\t2\t3\t4\n",
		"wgjail-agent-state 1\njail\tbad/name\t1\t2\t3\t4\t5\n",
		"wgjail-agent-state 1\nrerr\tvpn1\tnot-a-key\ta:1\terr\n",
		"wgjail-agent-state 1\npid\t12",
		"wgjail-agent-state 2\n",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wj_err_clear(&e);
		assert_int_equal(agentstate_parse("S", bad[i], strlen(bad[i]), &s, &e), -1);
		assert_non_null(strstr(e.msg, "S:"));
	}
	assert_non_null(strstr(e.msg, "S:1:"));
}

static void proto_request(void **st)
{
	struct rsv_request rq, back;
	struct wj_err e;
	unsigned char buf[sizeof(rq) + 1];

	wj_err_clear(&e);
	assert_int_equal(rsv_request_make(&rq, 7, "vpn.example.org:51820", &e), 0);
	assert_string_equal(rq.host, "vpn.example.org");
	assert_string_equal(rq.port, "51820");
	assert_int_equal(rsv_request_check(&rq, sizeof(rq), &back, &e), 0);
	assert_int_equal(back.id, 7);
	assert_int_equal(rsv_request_make(&rq, 8, "[2001:db8::1]:1", &e), 0);
	assert_string_equal(rq.host, "2001:db8::1");
	/* What the protocol cannot carry is the name's error, not sent. */
	assert_int_equal(rsv_request_make(&rq, 9, "a b:1", &e), -1);
	assert_int_equal(rsv_request_make(&rq, 9, "host:0", &e), -1);
	assert_int_equal(rsv_request_make(&rq, 9, "host:65536", &e), -1);
	assert_int_equal(rsv_request_make(&rq, 9, "host:http", &e), -1);
	assert_int_equal(rsv_request_make(&rq, 9, "host", &e), -1);
	/* Violations: size, magic, id, NUL, bytes, padding. */
	assert_int_equal(rsv_request_make(&rq, 7, "h:1", &e), 0);
	memcpy(buf, &rq, sizeof(rq));
	assert_int_equal(rsv_request_check(buf, sizeof(rq) - 1, &back, &e), -1);
	assert_int_equal(rsv_request_check(buf, sizeof(rq) + 1, &back, &e), -1);
	back = rq;
	back.magic ^= 1;
	assert_int_equal(rsv_request_check(&back, sizeof(back), &back, &e), -1);
	back = rq;
	back.id = 0;
	assert_int_equal(rsv_request_check(&back, sizeof(back), &back, &e), -1);
	back = rq;
	memset(back.host, 'a', sizeof(back.host));
	assert_int_equal(rsv_request_check(&back, sizeof(back), &back, &e), -1);
	back = rq;
	back.host[0] = '\n';
	assert_int_equal(rsv_request_check(&back, sizeof(back), &back, &e), -1);
	back = rq;
	back.host[0] = '\0';
	assert_int_equal(rsv_request_check(&back, sizeof(back), &back, &e), -1);
	back = rq;
	strcpy(back.port, "0");
	assert_int_equal(rsv_request_check(&back, sizeof(back), &back, &e), -1);
	back = rq;
	back.pad[1] = 1;
	assert_int_equal(rsv_request_check(&back, sizeof(back), &back, &e), -1);
}

static void proto_reply(void **st)
{
	struct rsv_reply rp, back;
	union wg_sockaddr sa, out;
	struct wj_err e;

	wj_err_clear(&e);
	memset(&sa, 0, sizeof(sa));
	sa.in.sin_family = AF_INET;
	sa.in.sin_port = htons(51820);
	inet_pton(AF_INET, "192.0.2.7", &sa.in.sin_addr);
	rsv_reply_answer(&rp, 3, RSV_OK, &sa, NULL);
	assert_int_equal(rsv_reply_check(&rp, sizeof(rp), &back, &e), 0);
	rsv_reply_addr(&back, &out);
	assert_true(wg_sockaddr_equal(&sa, &out));
	memset(&sa, 0, sizeof(sa));
	sa.in6.sin6_family = AF_INET6;
	sa.in6.sin6_port = htons(1);
	sa.in6.sin6_scope_id = 2;
	inet_pton(AF_INET6, "fe80::1", &sa.in6.sin6_addr);
	rsv_reply_answer(&rp, 4, RSV_OK, &sa, NULL);
	assert_int_equal(rsv_reply_check(&rp, sizeof(rp), &back, &e), 0);
	rsv_reply_addr(&back, &out);
	assert_true(wg_sockaddr_equal(&sa, &out));
	assert_int_equal(out.in6.sin6_scope_id, 2);
	/* An "address" of another family becomes a permanent failure. */
	memset(&sa, 0, sizeof(sa));
	sa.sa.sa_family = AF_UNIX;
	rsv_reply_answer(&rp, 5, RSV_OK, &sa, NULL);
	assert_int_equal(rp.status, RSV_PERMANENT);
	assert_int_equal(rsv_reply_check(&rp, sizeof(rp), &back, &e), 0);
	assert_string_equal(back.text, "neither an IPv4 nor an IPv6 address");
	rsv_reply_answer(&rp, 6, RSV_TEMPORARY, NULL, "Temporary failure in name resolution");
	assert_int_equal(rsv_reply_check(&rp, sizeof(rp), &back, &e), 0);
	rsv_reply_hello(&rp, RSV_OK, "ready");
	assert_int_equal(rsv_reply_check(&rp, sizeof(rp), &back, &e), 0);
	rsv_reply_hello(&rp, RSV_FATAL, "no user");
	assert_int_equal(rsv_reply_check(&rp, sizeof(rp), &back, &e), 0);

	/* Violations. */
	rsv_reply_answer(&rp, 3, RSV_TEMPORARY, NULL, "x");
	back = rp;
	assert_int_equal(rsv_reply_check(&back, sizeof(back) - 1, &back, &e), -1);
	back = rp;
	memset(back.text, 'x', sizeof(back.text));
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
	back = rp;
	back.family = 4; /* a failure with an address */
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
	back = rp;
	back.status = 9;
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
	back = rp;
	back.id = 0;
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
	back = rp;
	back.magic = RSV_MAGIC_REQUEST;
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
	memset(&sa, 0, sizeof(sa));
	sa.in.sin_family = AF_INET;
	sa.in.sin_port = htons(1);
	rsv_reply_answer(&rp, 3, RSV_OK, &sa, NULL);
	back = rp;
	back.family = 5; /* the wrong family */
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
	back = rp;
	back.addr[9] = 1; /* IPv4 with IPv6 bytes */
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
	back = rp;
	back.port = 0;
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
	rsv_reply_hello(&rp, RSV_OK, "ready");
	back = rp;
	back.id = 1;
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
	back = rp;
	back.status = RSV_TEMPORARY;
	assert_int_equal(rsv_reply_check(&back, sizeof(back), &back, &e), -1);
}

/* sd_notify against a socket that plays the service manager: a path and
 * an abstract name; READY and watchdog pings when due; WATCHDOG_PID of
 * another process means no pings; the variables are gone afterwards. */
static void notify_protocol(void **st)
{
	char dir[] = "/tmp/wgjail-notify.XXXXXX", path[128], buf[256], abs_name[64];
	struct sockaddr_un sun;
	struct notify n;
	struct wj_err e;
	int fd, afd;
	ssize_t r;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);

	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "2000000", 1);
	unsetenv("WATCHDOG_PID");
	wj_err_clear(&e);
	assert_int_equal(notify_init(&n, 1000, &e), 0);
	assert_null(getenv("NOTIFY_SOCKET"));
	assert_null(getenv("WATCHDOG_USEC"));
	assert_int_equal(n.interval_ms, 1000);
	notify_send(&n, "READY=1\nSTATUS=x");
	r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_int_equal(r, 16);
	buf[r] = '\0';
	assert_string_equal(buf, "READY=1\nSTATUS=x");
	assert_int_equal(notify_timeout(&n, 1000), 0);
	notify_watchdog(&n, 1000);
	r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_int_equal(r, 10);
	assert_memory_equal(buf, "WATCHDOG=1", 10);
	assert_int_equal(notify_timeout(&n, 1400), 600);
	notify_watchdog(&n, 1999); /* not due */
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	notify_watchdog(&n, 2000);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 10);
	notify_close(&n);

	/* WATCHDOG_PID of another process: notifications, no pings. */
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "2000000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	assert_int_equal(notify_init(&n, 0, &e), 0);
	assert_null(getenv("WATCHDOG_PID"));
	assert_int_equal(n.interval_ms, 0);
	assert_int_equal(notify_timeout(&n, 0), -1);
	notify_watchdog(&n, 5000);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	notify_close(&n);

	/* An abstract socket. */
	snprintf(abs_name, sizeof(abs_name), "@wgjail-test-%ld", (long)getpid());
	afd = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, abs_name + 1, strlen(abs_name) - 1);
	assert_int_equal(bind(afd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(abs_name))), 0);
	setenv("NOTIFY_SOCKET", abs_name, 1);
	assert_int_equal(notify_init(&n, 0, &e), 0);
	notify_send(&n, "STOPPING=1");
	assert_int_equal(recv(afd, buf, sizeof(buf), MSG_DONTWAIT), 10);
	notify_close(&n);

	/* No socket: nothing to do.  A relative one: an error. */
	assert_int_equal(notify_init(&n, 0, &e), 0);
	assert_int_equal(n.fd, -1);
	notify_send(&n, "READY=1");
	setenv("NOTIFY_SOCKET", "relative", 1);
	assert_int_equal(notify_init(&n, 0, &e), -1);
	assert_non_null(strstr(e.msg, "NOTIFY_SOCKET"));
	assert_null(getenv("NOTIFY_SOCKET"));
	close(fd);
	close(afd);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_text),  cmocka_unit_test(state_round_trip), cmocka_unit_test(proto_request),
		cmocka_unit_test(proto_reply),   cmocka_unit_test(notify_protocol),
	};
	keys_init();
	return cmocka_run_group_tests_name("observe", tests, NULL, NULL);
}
