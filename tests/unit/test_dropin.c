/* agent/jailwg (main file + peer drop-ins, merged) and agent/aipidx (the
 * allowed-IP index of the drop-ins). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/aipidx.h"
#include "agent/jailwg.h"
#include "util/err.h"
#include "keys/keys.h"
#include "wg/model.h"

static char top[64], main_path[128], dir[128];

static int setup(void **s)
{
	(void)s;
	snprintf(top, sizeof(top), "/tmp/wgjail-unit.XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(main_path, sizeof(main_path), "%s/wg0.conf", top);
	snprintf(dir, sizeof(dir), "%s/wg0.peers", top);
	return 0;
}

static int teardown(void **s)
{
	char cmd[160];
	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mkkey(uint8_t k[WG_KEY_LEN], char b64[WG_KEY_B64_LEN + 1], uint8_t seed)
{
	memset(k, 0, WG_KEY_LEN);
	k[0] = seed;
	k[31] = 0x40;
	key_to_base64(b64, k);
}

/* Write KEY's drop-in with BODY after its PublicKey line. */
static void put_dropin(const uint8_t k[WG_KEY_LEN], const char *body)
{
	char path[256], b64[WG_KEY_B64_LEN + 1], text[512];

	key_to_base64(b64, k);
	assert_int_equal(jailwg_dropin_path(path, sizeof(path), dir, k, NULL), 0);
	snprintf(text, sizeof(text), "# by hand\n[Peer]\nPublicKey = %s\n%s", b64, body);
	put(path, text);
}

static const char *load_err(void)
{
	static struct wj_err e;
	struct wg_device *d = NULL;

	wj_err_clear(&e);
	if (jailwg_load_paths(main_path, dir, &d, &e) == 0) {
		wg_device_free(d);
		return NULL;
	}
	return e.msg;
}

static void names(void **s)
{
	uint8_t k[WG_KEY_LEN], got[WG_KEY_LEN];
	char name[JAILWG_DROPIN_NAME_LEN + 1], b64[WG_KEY_B64_LEN + 1], bad[80];

	(void)s;
	mkkey(k, b64, 0xab);
	jailwg_dropin_name(name, k);
	assert_int_equal(strlen(name), 69);
	assert_true(jailwg_is_dropin_name(name, got));
	assert_memory_equal(got, k, WG_KEY_LEN);
	snprintf(bad, sizeof(bad), "%s.tmpABCDEF", name);
	assert_false(jailwg_is_dropin_name(bad, NULL)); /* a writer's temporary file */
	snprintf(bad, sizeof(bad), "%s", name);
	bad[0] = 'A';
	assert_false(jailwg_is_dropin_name(bad, NULL)); /* upper case */
	assert_false(jailwg_is_dropin_name(".aip", NULL));
	assert_false(jailwg_is_dropin_name("wg0.conf", NULL));
}

static void merge_in_name_order(void **s)
{
	uint8_t a[WG_KEY_LEN], b[WG_KEY_LEN], c[WG_KEY_LEN];
	char ab[WG_KEY_B64_LEN + 1], bb[WG_KEY_B64_LEN + 1], cb[WG_KEY_B64_LEN + 1], text[256], junk[256];
	struct wg_device *d = NULL;
	struct wj_err e;
	const struct wg_peer *p;

	(void)s;
	mkkey(a, ab, 0x10);
	mkkey(b, bb, 0x30);
	mkkey(c, cb, 0x20);
	snprintf(text, sizeof(text), "[Interface]\nListenPort = 51820\n# a by hand\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.1/32\n", ab);
	put(main_path, text);
	/* no drop-in directory: the main file alone */
	assert_int_equal(jailwg_load_paths(main_path, dir, &d, &e), 0);
	assert_int_equal(d->n_peers, 1);
	wg_device_free(d);
	assert_int_equal(mkdir(dir, 0700), 0);
	put_dropin(b, "AllowedIPs = 10.0.0.3/32\nPresharedKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	put_dropin(c, "AllowedIPs = 10.0.0.2/32, fd00::2/128\nEndpoint = 192.0.2.1:51820\nPersistentKeepalive = 25\n");
	/* ignored: temporary files, junk, an upper-case name */
	snprintf(junk, sizeof(junk), "%s/README", dir);
	put(junk, "[Interface]\n");
	assert_int_equal(jailwg_load_paths(main_path, dir, &d, &e), 0);
	assert_int_equal(d->n_peers, 3);
	assert_int_equal(d->listen_port, 51820);
	assert_memory_equal(d->peers[0].public_key, a, WG_KEY_LEN);
	assert_memory_equal(d->peers[1].public_key, c, WG_KEY_LEN); /* 0x20 before 0x30 */
	assert_memory_equal(d->peers[2].public_key, b, WG_KEY_LEN);
	p = wg_device_find_peer(d, c);
	assert_non_null(p);
	assert_int_equal(p->n_aips, 2);
	assert_int_equal(p->keepalive, 25);
	assert_string_equal(p->endpoint, "192.0.2.1:51820");
	assert_int_equal(p->line, 2);
	p = wg_device_find_peer(d, b);
	assert_true(p->flags & WGPEER_HAS_PSK);
	wg_device_free(d);
}

static void errors_name_file_and_line(void **s)
{
	uint8_t a[WG_KEY_LEN], b[WG_KEY_LEN], c[WG_KEY_LEN];
	char ab[WG_KEY_B64_LEN + 1], bb[WG_KEY_B64_LEN + 1], cb[WG_KEY_B64_LEN + 1], text[256], path[256], want[320];
	const char *m;

	(void)s;
	mkkey(a, ab, 0x10);
	mkkey(b, bb, 0x30);
	mkkey(c, cb, 0x20);
	snprintf(text, sizeof(text), "[Interface]\n\n[Peer]\nPublicKey = %s\n", ab);
	put(main_path, text);
	assert_int_equal(mkdir(dir, 0700), 0);

	/* a parse error in a drop-in */
	put_dropin(b, "AllowedIPs = 10.0.0.300/32\n");
	jailwg_dropin_path(path, sizeof(path), dir, b, NULL);
	m = load_err();
	assert_non_null(m);
	snprintf(want, sizeof(want), "%s:4", path);
	assert_non_null(strstr(m, want));

	/* [Interface] in a drop-in */
	put_dropin(b, "[Interface]\nListenPort = 1\n");
	m = load_err();
	assert_non_null(m);
	assert_non_null(strstr(m, want));
	assert_non_null(strstr(m, "[Interface]"));

	/* two [Peer] sections */
	put_dropin(b, "[Peer]\nPublicKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	m = load_err();
	assert_non_null(m);
	assert_non_null(strstr(m, want));

	/* a key that is not the file's name */
	unlink(path);
	jailwg_dropin_path(path, sizeof(path), dir, c, NULL);
	snprintf(text, sizeof(text), "[Peer]\nPublicKey = %s\n", bb);
	put(path, text);
	m = load_err();
	assert_non_null(m);
	snprintf(want, sizeof(want), "%s:1: PublicKey does not match", path);
	assert_non_null(strstr(m, want));
	unlink(path);

	/* the main file's peer again in a drop-in: both places named */
	put_dropin(a, "");
	jailwg_dropin_path(path, sizeof(path), dir, a, NULL);
	m = load_err();
	assert_non_null(m);
	snprintf(want, sizeof(want), "%s:2", path);
	assert_non_null(strstr(m, want));
	snprintf(want, sizeof(want), "%s:3", main_path);
	assert_non_null(strstr(m, want));
	unlink(path);
	assert_null(load_err());
}

static void index_find_add_remove(void **s)
{
	uint8_t a[WG_KEY_LEN], b[WG_KEY_LEN];
	char ab[WG_KEY_B64_LEN + 1], bb[WG_KEY_B64_LEN + 1], link[256], hex[WG_KEY_HEX_LEN + 1];
	struct wg_ipmask m[2];
	struct aipidx_hit hit;
	struct wj_err e;
	bool rebuilt;

	(void)s;
	mkkey(a, ab, 0x10);
	mkkey(b, bb, 0x30);
	put(main_path, "[Interface]\n");
	assert_int_equal(mkdir(dir, 0700), 0);
	put_dropin(a, "AllowedIPs = 10.1.0.0/16, 0.0.0.0/0, fd00::/64\n");

	/* no index yet: built from the drop-ins */
	assert_int_equal(aipidx_ensure(dir, &rebuilt, &e), 0);
	assert_true(rebuilt);
	snprintf(link, sizeof(link), "%s/.aip/4-10.1.0.0_16", dir);
	key_to_hex(hex, a);
	{
		char t[80] = "";
		assert_int_equal(readlink(link, t, sizeof(t) - 1), WG_KEY_HEX_LEN);
		assert_string_equal(t, hex);
	}
	assert_int_equal(aipidx_ensure(dir, &rebuilt, &e), 0);
	assert_false(rebuilt); /* up to date: the stamp matches */

	/* containment via the index; /0 is carved from; same prefix */
	assert_int_equal(wg_ipmask_parse("10.1.2.3/32", &m[0]), 0);
	assert_int_equal(aipidx_find(dir, m, 1, &hit, &e), 1);
	assert_memory_equal(hit.owner, a, WG_KEY_LEN);
	assert_int_equal(hit.theirs.cidr, 16);
	assert_int_equal(hit.line, 2);
	assert_int_equal(wg_ipmask_parse("10.2.0.1/32", &m[0]), 0);
	assert_int_equal(aipidx_find(dir, m, 1, &hit, &e), 0);
	assert_int_equal(wg_ipmask_parse("0.0.0.0/0", &m[0]), 0);
	assert_int_equal(aipidx_find(dir, m, 1, &hit, &e), 1);
	assert_int_equal(wg_ipmask_parse("10.0.0.0/8", &m[0]), 0); /* around a /16: no conflict */
	assert_int_equal(aipidx_find(dir, m, 1, &hit, &e), 0);
	assert_int_equal(wg_ipmask_parse("10.9.9.9/32", &m[0]), 0);
	assert_int_equal(wg_ipmask_parse("fd00::1:2/128", &m[1]), 0);
	assert_int_equal(aipidx_find(dir, m, 2, &hit, &e), 1);
	assert_int_equal(hit.idx, 1);

	/* a stale link (its drop-in is gone) is ignored, then replaced */
	assert_int_equal(wg_ipmask_parse("10.5.0.0/24", &m[0]), 0);
	snprintf(link, sizeof(link), "%s/.aip/4-10.5.0.0_24", dir);
	key_to_hex(hex, b);
	assert_int_equal(symlink(hex, link), 0);
	assert_int_equal(aipidx_find(dir, m, 1, &hit, &e), 0);
	/* ... and a link whose drop-in no longer lists the prefix, too */
	key_to_hex(hex, a);
	unlink(link);
	assert_int_equal(symlink(hex, link), 0);
	assert_int_equal(aipidx_find(dir, m, 1, &hit, &e), 0);
	put_dropin(b, "AllowedIPs = 10.5.0.0/24\n");
	assert_int_equal(aipidx_add(dir, b, m, 1, NULL, &e), 0);
	assert_int_equal(aipidx_find(dir, m, 1, &hit, &e), 1);
	assert_memory_equal(hit.owner, b, WG_KEY_LEN);
	aipidx_stamp(dir);

	/* remove: b's links go, a's stay */
	{
		char p[256];
		jailwg_dropin_path(p, sizeof(p), dir, b, NULL);
		unlink(p);
	}
	assert_int_equal(aipidx_remove(dir, b, m, 1, &e), 0);
	assert_int_equal(access(link, F_OK), -1);
	aipidx_stamp(dir);

	/* .aip removed: rebuilt, conflicts found again */
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s/.aip", dir);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(aipidx_ensure(dir, &rebuilt, &e), 0);
	assert_true(rebuilt);
	assert_int_equal(wg_ipmask_parse("10.1.200.1/32", &m[0]), 0);
	assert_int_equal(aipidx_find(dir, m, 1, &hit, &e), 1);

	/* a drop-in added by hand changes the directory: rebuilt (after a
	 * pause: the stamp is only as fine as the file system's mtime) */
	usleep(20000);
	put_dropin(b, "AllowedIPs = 192.168.7.0/24\n");
	assert_int_equal(aipidx_ensure(dir, &rebuilt, &e), 0);
	assert_true(rebuilt);
	assert_int_equal(wg_ipmask_parse("192.168.7.7/32", &m[0]), 0);
	assert_int_equal(aipidx_find(dir, m, 1, &hit, &e), 1);
	assert_memory_equal(hit.owner, b, WG_KEY_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test_setup_teardown(merge_in_name_order, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_name_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(index_find_add_remove, setup, teardown),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
