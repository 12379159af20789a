/* wg/uapi.c on the wire: a forked fake daemon on a socket in a temporary
 * directory records what wgjail sends and replies with canned bytes.  (The
 * real wireguard-go is exercised by tests/integration/test_sync*.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/err.h"
#include "util/paths.h"
#include "keys/keys.h"
#include "wg/backend.h"
#include "wg/uapi.h"

static char dir[] = "/tmp/wgjail-uapi-XXXXXX";
static char reqpath[256];

static int listen_on(const char *name, bool do_listen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s.sock", dir, name);
	unlink(sun.sun_path);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* Serve one connection: record the request (up to the empty line), send
 * REPLY. */
static pid_t serve(const char *name, const char *reply)
{
	int lfd = listen_on(name, true);
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int c = accept(lfd, NULL, NULL);
		FILE *f = fopen(reqpath, "w");
		char buf[4096];
		size_t have = 0;
		char last2[2] = {0, 0};
		ssize_t n;
		bool end = false;
		while (!end && (n = read(c, buf, sizeof(buf))) > 0) {
			fwrite(buf, 1, (size_t)n, f);
			for (ssize_t i = 0; i < n; i++) {
				last2[0] = last2[1];
				last2[1] = buf[i];
				have++;
				if (have >= 2 && last2[0] == '\n' && last2[1] == '\n')
					end = true;
			}
		}
		fclose(f);
		if (write(c, reply, strlen(reply)) < 0)
			_exit(1);
		close(c);
		_exit(0);
	}
	close(lfd);
	return pid;
}

static char *request(pid_t pid)
{
	static char buf[65536];
	FILE *f;
	size_t n;
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	f = fopen(reqpath, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void key_n(uint8_t k[WG_KEY_LEN], uint8_t n)
{
	memset(k, n, WG_KEY_LEN);
}

static void get_decodes(void **s)
{
	pid_t pid = serve("u4w0", "listen_port=5\npublic_key="
				  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nerrno=0\n\n");
	struct wg_device *d = NULL;
	struct wj_err e;

	wj_err_clear(&e);
	assert_int_equal(wg_backend_uapi.get("u4w0", &d, &e), 0);
	assert_string_equal(request(pid), "get=1\n\n");
	assert_string_equal(d->name, "u4w0");
	assert_int_equal(d->listen_port, 5);
	assert_int_equal(d->n_peers, 1);
	wg_device_free(d);
}

static void set_sends_exactly_the_change_set(void **s)
{
	pid_t pid = serve("u4w1", "errno=0\n\n");
	struct wg_device *c = wg_device_new();
	struct wg_peer *p;
	struct wg_ipmask ip;
	struct wj_err e;
	uint8_t k[WG_KEY_LEN];

	key_n(k, 0xaa);
	p = wg_device_add_peer(c, k);
	p->flags = WGPEER_REMOVE;
	key_n(k, 0xbb);
	p = wg_device_add_peer(c, k);
	p->flags = WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE | WGPEER_HAS_ENDPOINT | WGPEER_REPLACE_AIPS;
	p->endpoint_addr.in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &p->endpoint_addr.in6.sin6_addr);
	p->endpoint_addr.in6.sin6_port = htons(443);
	wg_ipmask_parse("10.0.0.0/24", &ip);
	wg_peer_add_aip(p, &ip);
	wg_ipmask_parse("fd00::/64", &ip);
	wg_peer_add_aip(p, &ip);
	key_n(k, 0xcc);
	p = wg_device_add_peer(c, k);
	p->flags = WGPEER_HAS_ENDPOINT;
	key_n(k, 0xdd);
	p = wg_device_add_peer(c, k);
	p->flags = WGPEER_HAS_ENDPOINT;
	p->endpoint_addr.in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "fe80::1", &p->endpoint_addr.in6.sin6_addr);
	p->endpoint_addr.in6.sin6_port = htons(7);
	p->endpoint_addr.in6.sin6_scope_id = 1; /* lo */
	p = &c->peers[2];
	p->endpoint_addr.in.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &p->endpoint_addr.in.sin_addr);
	p->endpoint_addr.in.sin_port = htons(51820);
	wj_err_clear(&e);
	assert_int_equal(wg_backend_uapi.set("u4w1", c, &e), 0);
	assert_string_equal(request(pid),
		"set=1\n"
		"public_key=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
		"remove=true\n"
		"public_key=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
		"preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
		"endpoint=[2001:db8::1]:443\n"
		"persistent_keepalive_interval=0\n"
		"replace_allowed_ips=true\n"
		"allowed_ip=10.0.0.0/24\n"
		"allowed_ip=fd00::/64\n"
		"public_key=cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\n"
		"endpoint=192.0.2.1:51820\n"
		"public_key=dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\n"
		"endpoint=[fe80::1%lo]:7\n"
		"\n");
	wg_device_free(c);
}

static void set_device_fields(void **s)
{
	pid_t pid = serve("u4w2", "errno=0\n\n");
	struct wg_device *c = wg_device_new();
	struct wj_err e;
	uint8_t k[WG_KEY_LEN];

	key_n(k, 0x11);
	wg_device_set_private_key(c, k);
	c->listen_port = 51820;
	c->fwmark = 0;
	c->flags |= WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK;
	wj_err_clear(&e);
	assert_int_equal(wg_backend_uapi.set("u4w2", c, &e), 0);
	assert_string_equal(request(pid), "set=1\n"
		"private_key=1111111111111111111111111111111111111111111111111111111111111111\n"
		"listen_port=51820\nfwmark=0\n\n");
	wg_device_free(c);
}

static void set_error_either_sign(void **s)
{
	struct wg_device *c = wg_device_new();
	struct wj_err e;
	pid_t pid;

	c->listen_port = 1;
	c->flags |= WGDEV_HAS_LISTEN_PORT;
	pid = serve("u4w3", "errno=-98\n\n");
	wj_err_clear(&e);
	assert_int_equal(wg_backend_uapi.set("u4w3", c, &e), -1);
	request(pid);
	assert_int_equal(e.code, EADDRINUSE);
	assert_non_null(strstr(e.msg, "u4w3"));
	pid = serve("u4w3", "errno=22\n\n");
	assert_int_equal(wg_backend_uapi.set("u4w3", c, &e), -1);
	request(pid);
	assert_int_equal(e.code, EINVAL);
	/* the daemon hangs up without a reply */
	pid = serve("u4w3", "");
	assert_int_equal(wg_backend_uapi.set("u4w3", c, &e), -1);
	request(pid);
	wg_device_free(c);
}

static void unresolved_endpoint_sends_nothing(void **s)
{
	struct wg_device *c = wg_device_new();
	struct wg_peer *p;
	struct wj_err e;
	uint8_t k[WG_KEY_LEN];

	/* no server at all: the check comes before connecting */
	key_n(k, 0xdd);
	p = wg_device_add_peer(c, k);
	p->flags = WGPEER_HAS_ENDPOINT;
	wj_err_clear(&e);
	assert_int_equal(wg_backend_uapi.set("u4w9", c, &e), -1);
	assert_non_null(strstr(e.msg, "not resolved"));
	wg_device_free(c);
}

static void stale_socket_removed(void **s)
{
	char path[300];
	struct stat st;
	struct wj_err e;
	struct wg_device *d = NULL;
	int fd = listen_on("u4w4", false); /* bound, never listening: refused */

	close(fd);
	snprintf(path, sizeof(path), "%s/u4w4.sock", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_false(wg_backend_uapi.has("u4w4"));
	assert_int_equal(stat(path, &st), -1); /* unlinked, as wg(8) does */
	assert_false(wg_backend_uapi.has("u4w4"));
	wj_err_clear(&e);
	assert_int_equal(wg_backend_uapi.get("u4w4", &d, &e), -1);
	assert_null(d);
	/* a regular file is not a socket */
	snprintf(path, sizeof(path), "%s/u4w5.sock", dir);
	fclose(fopen(path, "w"));
	assert_false(wg_backend_uapi.has("u4w5"));
	unlink(path);
	/* names that would escape the directory */
	assert_false(wg_backend_uapi.has("../x"));
}

static void list_and_has(void **s)
{
	int a = listen_on("u4la", true), b = listen_on("u4lb", true);
	char **names = NULL;
	size_t n = 0;
	struct wj_err e;

	assert_true(wg_backend_uapi.has("u4la"));
	wj_err_clear(&e);
	assert_int_equal(wg_backend_uapi.list(&names, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_true((!strcmp(names[0], "u4la") && !strcmp(names[1], "u4lb")) ||
		    (!strcmp(names[0], "u4lb") && !strcmp(names[1], "u4la")));
	wg_backend_free_list(names, n);
	close(a);
	close(b);
	/* both now refuse connections: stale, removed, not listed */
	names = NULL;
	n = 0;
	assert_int_equal(wg_backend_uapi.list(&names, &n, &e), 0);
	assert_int_equal(n, 0);
	free(names);
}

static int setup(void **s)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(reqpath, sizeof(reqpath), "%s/request", dir);
	setenv("WGJAIL_UAPI_DIR", dir, 1);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int teardown(void **s)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	unsetenv("WGJAIL_UAPI_DIR");
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_decodes),
		cmocka_unit_test(set_sends_exactly_the_change_set),
		cmocka_unit_test(set_device_fields),
		cmocka_unit_test(set_error_either_sign),
		cmocka_unit_test(unresolved_endpoint_sends_nothing),
		cmocka_unit_test(stale_socket_removed),
		cmocka_unit_test(list_and_has),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
