/* netconf/: every rtnetlink operation, in a private network namespace made
 * for the test (needs CAP_SYS_ADMIN; skipped otherwise).  Each operation is
 * checked twice: the first call changes something, the second is a no-op
 * (the context's change count tells). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "netconf/addr.h"
#include "netconf/link.h"
#include "netconf/netns.h"
#include "netconf/route.h"

static int host_ns = -1; /* the namespace the test started in */

static int setup(void **state)
{
	struct nc *c = calloc(1, sizeof(*c));
	struct wj_err e = {0};

	host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		free(c);
		*state = NULL;
		return 0;
	}
	if (nc_open(c, "test", &e) < 0) {
		free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct nc *c = *state;

	if (c) {
		nc_close(c);
		free(c);
	}
	if (host_ns >= 0) {
		if (setns(host_ns, CLONE_NEWNET) < 0)
			return -1;
		close(host_ns);
	}
	return 0;
}

#define NEED_NS(c)                                                                                                    \
	do {                                                                                                           \
		if (!(c))                                                                                             \
			skip();                                                                                        \
	} while (0)

static struct wg_ipmask ip(const char *s)
{
	struct wg_ipmask m;
	assert_int_equal(wg_ipmask_parse(s, &m), 0);
	return m;
}

/* Run OP; assert it succeeded and changed exactly CHANGES things. */
#define CHANGES(c, n, op)                                                                                             \
	do {                                                                                                           \
		struct wj_err e_ = {0};                                                                               \
		unsigned before_ = (c)->changes;                                                                       \
		int r_ = (op);                                                                                         \
		if (r_ < 0)                                                                                            \
			fail_msg("%s: %s", #op, e_.msg);                                                              \
		assert_int_equal((c)->changes - before_, (n));                                                        \
	} while (0)
#define E (&e_)

static void test_links(void **state)
{
	struct nc *c = *state;
	struct link_info li = {0};
	struct wj_err e = {0};

	NEED_NS(c);
	CHANGES(c, 1, link_create(c, "tbr0", "bridge", E));
	CHANGES(c, 0, link_create(c, "tbr0", "bridge", E));
	assert_int_equal(link_get(c, "tbr0", &li, &e), 1);
	assert_string_equal(li.kind, "bridge");
	assert_int_equal(link_get(c, "nope0", &li, &e), 0);

	CHANGES(c, 1, link_create_veth(c, "tv0", "tv1", -1, E));
	CHANGES(c, 0, link_create_veth(c, "tv0", "tv1", -1, E));
	assert_int_equal(link_get(c, "tv1", &li, &e), 1);
	assert_string_equal(li.kind, "veth");
	/* Same name, other kind: an error, not silently accepted. */
	assert_int_equal(link_create(c, "tv0", "bridge", &e), -1);
	assert_non_null(strstr(e.msg, "not a bridge"));

	CHANGES(c, 1, link_set_master(c, "tv0", "tbr0", E));
	CHANGES(c, 0, link_set_master(c, "tv0", "tbr0", E));
	assert_int_equal(link_get(c, "tbr0", &li, &e), 1);
	assert_int_equal(link_count_ports(c, li.index, &e), 1);

	CHANGES(c, 1, link_set_up(c, "tv0", true, E));
	CHANGES(c, 0, link_set_up(c, "tv0", true, E));
	assert_int_equal(link_get(c, "tv0", &li, &e), 1);
	assert_true(li.flags & IFF_UP);
	CHANGES(c, 1, link_set_up(c, "tv0", false, E));

	CHANGES(c, 1, link_set_mtu(c, "tv0", 1300, E));
	CHANGES(c, 0, link_set_mtu(c, "tv0", 1300, E));
	assert_int_equal(link_get(c, "tv0", &li, &e), 1);
	assert_int_equal(li.mtu, 1300);

	assert_int_equal(link_set_up(c, "nope0", true, &e), -1);
	assert_non_null(strstr(e.msg, "nope0"));

	CHANGES(c, 1, link_delete(c, "tv0", E));
	CHANGES(c, 0, link_delete(c, "tv0", E));
	assert_int_equal(link_get(c, "tv1", &li, &e), 0); /* the pair went with it */
	CHANGES(c, 1, link_delete(c, "tbr0", E));
}

static void test_dry_run(void **state)
{
	struct nc *c = *state;
	struct link_info li = {0};
	struct wj_err e = {0};

	NEED_NS(c);
	c->dry = true;
	CHANGES(c, 1, link_create(c, "tdry0", "bridge", E));
	/* Steps on what a dry run would have created are reported too. */
	CHANGES(c, 1, link_set_up(c, "tdry0", true, E));
	c->dry = false;
	assert_int_equal(link_get(c, "tdry0", &li, &e), 0);
}

static void test_addresses(void **state)
{
	struct nc *c = *state;
	struct wj_err e = {0};
	struct wg_ipmask a4 = ip("10.1.2.3/24"), a4b = ip("10.1.2.3/16"), a6 = ip("fd00:1::5/64"), *v;
	size_t n;
	struct link_info li = {0};

	NEED_NS(c);
	CHANGES(c, 1, link_create(c, "tad0", "bridge", E));
	CHANGES(c, 1, link_set_up(c, "tad0", true, E));
	CHANGES(c, 1, addr_add(c, "tad0", &a4, E));
	CHANGES(c, 0, addr_add(c, "tad0", &a4, E));
	CHANGES(c, 1, addr_add(c, "tad0", &a6, E));
	CHANGES(c, 0, addr_add(c, "tad0", &a6, E));
	/* Same address, other prefix: replaced. */
	CHANGES(c, 1, addr_add(c, "tad0", &a4b, E));
	assert_int_equal(link_get(c, "tad0", &li, &e), 1);
	assert_int_equal(addr_list(c, li.index, &v, &n, &e), 0);
	{
		int seen4 = 0, seen6 = 0;
		for (size_t i = 0; i < n; i++) {
			if (v[i].family == AF_INET) {
				seen4++;
				assert_int_equal(v[i].cidr, 16);
			}
			if (v[i].family == AF_INET6 && v[i].cidr == 64 && !memcmp(&v[i].addr, &a6.addr, 16))
				seen6++;
		}
		assert_int_equal(seen4, 1);
		assert_int_equal(seen6, 1);
	}
	free(v);
	CHANGES(c, 1, addr_del(c, "tad0", &a6, E));
	CHANGES(c, 0, addr_del(c, "tad0", &a6, E));
	CHANGES(c, 1, link_delete(c, "tad0", E));
}

static void test_routes(void **state)
{
	struct nc *c = *state;
	struct wj_err e = {0};
	struct wg_ipmask a4 = ip("10.5.0.2/24"), gw = ip("10.5.0.1"), def4, dst = ip("10.9.9.9/16"),
			 dst2 = ip("10.10.0.0/16"), a6 = ip("fd00:5::2/64"), gw6 = ip("fd00:5::1"), def6,
			 dst6 = ip("fd00:99::/48");
	struct route_info *v;
	size_t n;
	bool found = false;

	NEED_NS(c);
	memset(&def4, 0, sizeof(def4));
	def4.family = AF_INET;
	memset(&def6, 0, sizeof(def6));
	def6.family = AF_INET6;
	CHANGES(c, 1, link_create_veth(c, "trt0", "trt1", -1, E));
	CHANGES(c, 1, link_set_up(c, "trt0", true, E));
	CHANGES(c, 1, link_set_up(c, "trt1", true, E));
	CHANGES(c, 1, addr_add(c, "trt0", &a4, E));
	CHANGES(c, 1, addr_add(c, "trt0", &a6, E));

	CHANGES(c, 1, route_add(c, &def4, &gw, "trt0", E));
	CHANGES(c, 0, route_add(c, &def4, &gw, "trt0", E));
	CHANGES(c, 1, route_add(c, &def6, &gw6, "trt0", E));
	CHANGES(c, 0, route_add(c, &def6, &gw6, "trt0", E));
	/* Host bits of the destination are masked (10.9.9.9/16 = 10.9.0.0/16). */
	CHANGES(c, 1, route_add(c, &dst, NULL, "trt0", E));
	CHANGES(c, 0, route_add(c, &dst, NULL, "trt0", E));
	CHANGES(c, 1, route_add(c, &dst2, NULL, "trt0", E));
	CHANGES(c, 1, route_add(c, &dst6, NULL, "trt0", E));
	/* Same destination, other device: replaced. */
	CHANGES(c, 1, route_add(c, &dst, NULL, "trt1", E));
	CHANGES(c, 0, route_add(c, &dst, NULL, "trt1", E));

	assert_int_equal(route_list(c, &v, &n, &e), 0);
	for (size_t i = 0; i < n; i++) {
		char t[64];
		if (!strcmp(wg_ipmask_fmt(&v[i].dst, t, sizeof(t)), "10.9.0.0/16"))
			found = true;
	}
	free(v);
	assert_true(found);

	/* Prune: keep 10.10.0.0/16, the others of ours via trt0 go (the
	 * default routes too); the kernel's prefix routes stay. */
	CHANGES(c, 3, route_prune(c, "trt0", &dst2, 1, E));
	CHANGES(c, 0, route_prune(c, "trt0", &dst2, 1, E));
	CHANGES(c, 1, link_delete(c, "trt0", E));
}

static void test_move_and_netns(void **state)
{
	struct nc *c = *state, inner = {0};
	struct wj_err e = {0};
	struct link_info li = {0};
	int fd, saved;

	NEED_NS(c);
	fd = netns_new_anonymous(&e);
	assert_true(fd >= 0);
	/* A veth whose peer is born in the other namespace. */
	CHANGES(c, 1, link_create_veth(c, "tmv0", "eth0", fd, E));
	assert_int_equal(link_get(c, "eth0", &li, &e), 0);
	/* Moved and renamed in one step (bridges cannot move: a veth). */
	CHANGES(c, 1, link_create_veth(c, "tmva", "tmvb", -1, E));
	CHANGES(c, 1, link_move(c, "tmvb", fd, "moved0", E));
	assert_int_equal(link_get(c, "tmvb", &li, &e), 0);

	assert_int_equal(netns_enter_fd(fd, &saved, &e), 0);
	assert_int_equal(nc_open(&inner, "inner", &e), 0);
	netns_leave(saved);
	assert_int_equal(link_get(&inner, "eth0", &li, &e), 1);
	assert_string_equal(li.kind, "veth");
	assert_int_equal(link_get(&inner, "moved0", &li, &e), 1);
	assert_string_equal(li.kind, "veth");
	CHANGES(c, 1, link_delete(c, "tmv0", E));
	CHANGES(c, 1, link_delete(c, "tmva", E));
	assert_int_equal(link_get(&inner, "moved0", &li, &e), 0); /* its pair went with it */
	nc_close(&inner);
	close(fd);

	/* Names are validated before any path is built. */
	assert_false(netns_exists("../x"));
	assert_int_equal(netns_open("a;b", &e), -1);
	assert_non_null(strstr(e.msg, "a;b"));
	assert_int_equal(netns_delete("../etc", &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_move_and_netns),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
