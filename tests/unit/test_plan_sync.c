/* wg/sync: the engine around the planner, with a recording backend:
 * dry run, results, skipped peers, the endpoint memory, set failures. */
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

#include "util/err.h"
#include "keys/keys.h"
#include "wg/backend.h"
#include "wg/model.h"
#include "wg/sync.h"

static struct wg_device *last_set;
static int set_calls, set_fail;

static bool rec_has(const char *ifname) { return true; }
static int rec_get(const char *ifname, struct wg_device **out, struct wj_err *e) { return wj_errf(e, "unused"); }
static int rec_set(const char *ifname, const struct wg_device *c, struct wj_err *e)
{
	set_calls++;
	if (set_fail)
		return wj_errf(e, "%s: refused", ifname);
	wg_device_free(last_set);
	last_set = wg_device_clone(c);
	return 0;
}
static int rec_list(char ***n, size_t *c, struct wj_err *e) { return 0; }
static const struct wg_backend rec = {"recording", rec_has, rec_get, rec_set, rec_list, NULL, NULL};

static char statedir[] = "/tmp/wgjail-sync-XXXXXX";

static void key_n(uint8_t k[WG_KEY_LEN], uint32_t n)
{
	memset(k, 0, WG_KEY_LEN);
	memcpy(k, &n, sizeof(n));
	k[31] = 0x42;
}

static struct wg_peer *peer(struct wg_device *d, uint32_t n, const char *aip)
{
	uint8_t k[WG_KEY_LEN];
	struct wg_ipmask ip;
	struct wg_peer *p;

	key_n(k, n);
	assert_non_null(p = wg_device_add_peer(d, k));
	assert_int_equal(wg_ipmask_parse(aip, &ip), 0);
	assert_int_equal(wg_peer_add_aip(p, &ip), 0);
	return p;
}

static struct wg_peer *find(const struct wg_device *d, uint32_t n)
{
	uint8_t k[WG_KEY_LEN];

	key_n(k, n);
	return wg_device_find_peer(d, k);
}

static void ep4(struct wg_peer *p, const char *ip, uint16_t port)
{
	memset(&p->endpoint_addr, 0, sizeof(p->endpoint_addr));
	p->endpoint_addr.in.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &p->endpoint_addr.in.sin_addr);
	p->endpoint_addr.in.sin_port = htons(port);
	p->flags |= WGPEER_HAS_ENDPOINT;
}

static int sync_(const struct wg_device *cur, struct wg_device *des, const struct wg_sync_opts *o,
		 struct wg_sync_result *r, char **report)
{
	struct wg_sync_opts oo = *o;
	struct wj_err e;
	size_t len;
	int ret;

	wj_err_clear(&e);
	oo.report = open_memstream(report, &len);
	ret = wg_sync_with(&rec, "u4t0", cur, des, &oo, r, &e);
	fclose(oo.report);
	if (ret < 0)
		print_message("sync: %s\n", e.msg);
	return ret;
}

static void dry_run_and_results(void **s)
{
	struct wg_device *cur = wg_device_new(), *des = wg_device_new();
	struct wg_sync_opts o = {.dry_run = true};
	struct wg_sync_result r;
	char *rep = NULL;

	peer(cur, 1, "10.0.0.1/32");
	peer(cur, 2, "10.0.0.2/32");
	peer(des, 2, "10.0.0.22/32");
	peer(des, 3, "10.0.0.3/32");
	set_calls = 0;
	assert_int_equal(sync_(cur, des, &o, &r, &rep), 0);
	assert_int_equal(set_calls, 0);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.changed, 1);
	assert_non_null(strstr(rep, "u4t0: dry run, would have 1 added, 1 removed, 1 changed, nothing applied\n"));
	free(rep);
	o.dry_run = false;
	assert_int_equal(sync_(cur, des, &o, &r, &rep), 0);
	assert_int_equal(set_calls, 1);
	assert_int_equal(last_set->n_peers, 3);
	assert_true(last_set->peers[0].flags & WGPEER_REMOVE);
	assert_non_null(strstr(rep, "u4t0: 1 added, 1 removed, 1 changed\n"));
	free(rep);
	/* nothing to do: no set at all */
	set_calls = 0;
	assert_int_equal(sync_(des, des, &o, &r, &rep), 0);
	assert_int_equal(set_calls, 0);
	assert_string_equal(rep, "u4t0: no change\n");
	free(rep);
	wg_device_free(cur);
	wg_device_free(des);
}

static void skipped_peers_left_alone(void **s)
{
	struct wg_device *cur = wg_device_new(), *des = wg_device_new();
	struct wg_sync_opts o = {0};
	struct wg_sync_result r;
	struct wg_peer *p;
	char *rep = NULL;

	peer(cur, 1, "10.0.0.1/32");
	peer(cur, 9, "10.0.0.9/32"); /* removed by the file */
	/* peer 1 exists, its new endpoint cannot resolve (permanent failure:
	 * an unknown service name, no network needed) */
	p = peer(des, 1, "10.1.0.0/16");
	assert_int_equal(wg_peer_set_endpoint_text(p, "localhost:u4-no-such-service"), 0);
	p->flags |= WGPEER_HAS_ENDPOINT;
	p = peer(des, 5, "10.0.0.5/32"); /* new, unresolvable */
	assert_int_equal(wg_peer_set_endpoint_text(p, "localhost:u4-no-such-service"), 0);
	peer(des, 6, "10.0.0.6/32"); /* new, fine */
	assert_int_equal(sync_(cur, des, &o, &r, &rep), 1);
	assert_int_equal(r.unresolved, 2);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.changed, 0);
	assert_int_equal(last_set->n_peers, 2);
	assert_null(find(last_set, 1)); /* neither changed nor removed */
	assert_null(find(last_set, 5));
	assert_non_null(find(last_set, 6));
	assert_true(find(last_set, 9)->flags & WGPEER_REMOVE);
	assert_non_null(strstr(rep, "does not resolve"));
	assert_non_null(strstr(rep, ", 2 skipped (unresolved endpoint)\n"));
	free(rep);
	wg_device_free(cur);
	wg_device_free(des);
}

static void endpoint_memory(void **s)
{
	struct wg_device *cur = wg_device_new(), *des = wg_device_new();
	struct wg_sync_opts o = {0};
	struct wg_sync_result r;
	char *rep = NULL;

	peer(cur, 1, "10.0.0.1/32");
	ep4(peer(des, 1, "10.0.0.1/32"), "192.0.2.1", 51820);
	/* device has none: sent, and remembered */
	assert_int_equal(sync_(cur, des, &o, &r, &rep), 0);
	free(rep);
	assert_true(find(last_set, 1)->flags & WGPEER_HAS_ENDPOINT);
	/* the peer roamed: not pulled back */
	ep4(find(cur, 1), "198.51.100.7", 40000);
	set_calls = 0;
	assert_int_equal(sync_(cur, des, &o, &r, &rep), 0);
	assert_int_equal(set_calls, 0);
	free(rep);
	/* ... unless the memory is off (then the file is authoritative) */
	o.no_state = true;
	o.dry_run = true;
	assert_int_equal(sync_(cur, des, &o, &r, &rep), 0);
	assert_int_equal(r.changed, 1);
	free(rep);
	o.no_state = false;
	o.dry_run = false;
	/* the file changes the endpoint: sent */
	ep4(find(des, 1), "192.0.2.2", 51820);
	assert_int_equal(sync_(cur, des, &o, &r, &rep), 0);
	assert_int_equal(set_calls, 1);
	assert_int_equal(find(last_set, 1)->endpoint_addr.in.sin_addr.s_addr, htonl(0xc0000202));
	free(rep);
	/* a failed set does not update the memory: the same run again is
	 * still "changed" against the roamed device */
	ep4(find(des, 1), "192.0.2.3", 51820);
	set_fail = 1;
	assert_int_equal(sync_(cur, des, &o, &r, &rep), -1);
	free(rep);
	set_fail = 0;
	o.dry_run = true;
	assert_int_equal(sync_(cur, des, &o, &r, &rep), 0);
	assert_int_equal(r.changed, 1);
	free(rep);
	wg_device_free(cur);
	wg_device_free(des);
}

static int setup(void **s)
{
	if (!mkdtemp(statedir))
		return -1;
	setenv("WGJAIL_STATEDIR", statedir, 1);
	setenv("WGJAIL_RESOLVE_RETRIES", "0", 1);
	return 0;
}

static int teardown(void **s)
{
	char cmd[200];

	wg_device_free(last_set);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", statedir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dry_run_and_results),
		cmocka_unit_test(skipped_peers_left_alone),
		cmocka_unit_test(endpoint_memory),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
