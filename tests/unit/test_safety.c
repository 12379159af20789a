/* Issue 13's building blocks: files that cannot trick us (util/safefile),
 * the reentrant jail lock, create's transaction and its recovery
 * (agent/jailtx), the first-key rule (agent/keyguard), reserved names,
 * netlink requests without stale bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/jailtx.h"
#include "agent/keyguard.h"
#include "keys/keys.h"
#include "netconf/nl.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/safefile.h"
#include "wg/genl_encode_linux.h"
#include "wg/model.h"

static char dir[64];

static int setup(void **s)
{
	snprintf(dir, sizeof(dir), "/tmp/wgjail-unit.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	chmod(dir, 0755);
	wj_set_confdir(dir);
	setenv("WGJAIL_STATEDIR", dir, 1);
	return keys_init();
}

static int teardown(void **s)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *buf, size_t sz, const char *name)
{
	snprintf(buf, sz, "%s/%s", dir, name);
}

static void put(const char *name, const char *text, mode_t mode)
{
	char p[256];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

static char *get(const char *name)
{
	char p[256], *buf;
	size_t len;
	struct wj_err e;

	path_of(p, sizeof(p), name);
	if (wj_read_file(p, 1 << 20, false, &buf, &len, &e) < 0)
		return NULL;
	return buf;
}

/* Item 10: a FIFO in place of a config neither blocks nor is read; a
 * symbolic link is refused. */
static void read_conf_refuses_fifo_and_link(void **s)
{
	char p[256], l[256], *buf = NULL;
	size_t len;
	struct wj_err e = {0};
	pid_t pid;
	int status;

	path_of(p, sizeof(p), "fifo.conf");
	assert_int_equal(mkfifo(p, 0600), 0);
	/* In a child with an alarm: the old open() blocked forever. */
	pid = fork();
	if (pid == 0) {
		alarm(5);
		_exit(wj_read_conf(p, 100, false, &buf, &len, &e) == -1 && strstr(e.msg, "not a regular file") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	put("real.conf", "x\n", 0600);
	path_of(p, sizeof(p), "real.conf");
	path_of(l, sizeof(l), "link.conf");
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(wj_read_conf(l, 100, false, &buf, &len, &e), -1);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(wj_read_conf(p, 100, false, &buf, &len, &e), 0);
	assert_string_equal(buf, "x\n");
	free(buf);
}

/* Item 11: a directory writable by others is not trusted. */
static void trusted_dir(void **s)
{
	char p[256], l[256];
	struct wj_err e = {0};

	path_of(p, sizeof(p), "d");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(wj_check_trusted_dir(p, true, &e), 0);
	chmod(p, 0777);
	assert_int_equal(wj_check_trusted_dir(p, true, &e), -1);
	assert_non_null(strstr(e.msg, "mode 0777"));
	chmod(p, 0720);
	assert_int_equal(wj_check_trusted_dir(p, true, &e), -1);
	chmod(p, 0755);
	path_of(l, sizeof(l), "dlink");
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(wj_check_trusted_dir(l, true, &e), -1);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(wj_check_trusted_dir(l, false, &e), 0);
}

/* Item 6: a path component that is a link is never gone through; files
 * are written through the verified directory. */
static void open_below_and_write_at(void **s)
{
	char p[256], out[256];
	struct wj_err e = {0};
	bool missing;
	int base, fd;
	char *t;

	path_of(p, sizeof(p), "root");
	assert_int_equal(mkdir(p, 0755), 0);
	path_of(out, sizeof(out), "outside");
	assert_int_equal(mkdir(out, 0755), 0);
	base = open(p, O_RDONLY | O_DIRECTORY);
	assert_true(base >= 0);
	fd = wj_open_dir_below(base, "etc", false, 0755, "root/etc", &missing, &e);
	assert_int_equal(fd, -1);
	assert_true(missing);
	fd = wj_open_dir_below(base, "etc/sub", true, 0755, "root/etc/sub", NULL, &e);
	assert_true(fd >= 0);
	assert_int_equal(wj_write_atomic_at(fd, "a.conf", "root/etc/sub/a.conf", "hi\n", 3, 0600, &e), 0);
	close(fd);
	t = get("root/etc/sub/a.conf");
	assert_non_null(t);
	assert_string_equal(t, "hi\n");
	free(t);
	/* etc swapped for a link to a directory outside: refused. */
	{
		char real[256];
		path_of(p, sizeof(p), "root/etc");
		path_of(real, sizeof(real), "root/etc.real");
		assert_int_equal(rename(p, real), 0);
		assert_int_equal(symlink(out, p), 0);
	}
	fd = wj_open_dir_below(base, "etc/sub", true, 0755, "root/etc/sub", NULL, &e);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(wj_open_dir_below(base, "../outside", false, 0755, "x", NULL, &e), -1);
	close(base);
}

/* Temporary files of killed writers: exactly NAME.tmpXXXXXX and NAME.tmp. */
static void sweep_temps(void **s)
{
	char p[256];
	struct stat st;

	path_of(p, sizeof(p), "sw");
	assert_int_equal(mkdir(p, 0700), 0);
	put("sw/wg0.conf", "k", 0600);
	put("sw/wg0.conf.tmpAb12Cd", "old key", 0600);
	put("sw/jail.conf.tmpZZZZZZ", "x", 0600);
	put("sw/.wg0.conf.parsed.tmp", "x", 0600);
	put("sw/notes.tmp1", "keep", 0600);
	put("sw/wg0.conf.tmpAb12C", "keep", 0600);
	wj_sweep_temps(p);
	path_of(p, sizeof(p), "sw/wg0.conf.tmpAb12Cd");
	assert_int_equal(stat(p, &st), -1);
	path_of(p, sizeof(p), "sw/jail.conf.tmpZZZZZZ");
	assert_int_equal(stat(p, &st), -1);
	path_of(p, sizeof(p), "sw/.wg0.conf.parsed.tmp");
	assert_int_equal(stat(p, &st), -1);
	path_of(p, sizeof(p), "sw/notes.tmp1");
	assert_int_equal(stat(p, &st), 0);
	path_of(p, sizeof(p), "sw/wg0.conf.tmpAb12C");
	assert_int_equal(stat(p, &st), 0);
	path_of(p, sizeof(p), "sw/wg0.conf");
	assert_int_equal(stat(p, &st), 0);
}

/* The lock is reentrant within a process, exclusive across processes,
 * and never taken through a link. */
static void lock_reentrant(void **s)
{
	char p[256], l[256];
	struct wj_err e = {0};
	int a, b, c, fd;
	pid_t pid;
	int status;

	path_of(p, sizeof(p), "r.lock");
	assert_int_equal(wj_lock(p, &a, &e), 0);
	assert_true(wj_lock_held(p));
	assert_int_equal(wj_lock(p, &b, &e), 0); /* no self-deadlock */
	wj_unlock(b);
	/* Another process cannot take it while A is held. */
	pid = fork();
	if (pid == 0) {
		int f = open(p, O_RDWR);
		_exit(flock(f, LOCK_EX | LOCK_NB) == 0 ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	wj_unlock(a);
	assert_false(wj_lock_held(p));
	fd = open(p, O_RDWR);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	path_of(l, sizeof(l), "l.lock");
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(wj_lock(l, &c, &e), -1);
}

/* Items 4, 5, 7: names that would overwrite files that are not ours. */
static void reserved_names_and_root(void **s)
{
	struct jail_spec sp;
	struct wj_err e = {0};

	assert_non_null(jail_ifname_reserved("jail"));
	assert_non_null(jail_ifname_reserved("rc"));
	assert_non_null(jail_ifname_reserved("resolv"));
	assert_non_null(jail_ifname_reserved("sysctl"));
	assert_null(jail_ifname_reserved("wg0"));
	jailspec_defaults(&sp, "j");
	snprintf(sp.ifname, sizeof(sp.ifname), "pf");
	assert_int_equal(jailspec_validate(&sp, &e), -1);
	assert_non_null(strstr(e.msg, "reserved"));
	snprintf(sp.ifname, sizeof(sp.ifname), "wg0");
	assert_int_equal(jailspec_validate(&sp, &e), 0);
	snprintf(sp.root, sizeof(sp.root), "/");
	assert_int_equal(jailspec_validate(&sp, &e), -1);
	assert_true(jail_path_is_slash("/."));
	assert_true(jail_path_is_slash("/./"));
	assert_false(jail_path_is_slash("/jails/a"));
	assert_false(jail_path_is_slash("/.j"));
}

static void mkjail(const char *name, const char *ifname)
{
	char p[256], t[256];

	path_of(p, sizeof(p), name);
	mkdir(p, 0700);
	snprintf(t, sizeof(t), "%s/jail.conf", name);
	snprintf(p, sizeof(p), "[jail]\nid = 1\n[wireguard]\ninterface = %s\n", ifname);
	put(t, p, 0644);
}

/* Items 2, 3: a create killed at any step is finished (after its commit)
 * or undone (before it) when the jail's lock is next taken. */
static void create_recovery(void **s)
{
	struct wj_err e = {0};
	char *t;
	int fd;

	/* Killed after staging, before the journal: the old state stands. */
	mkjail("c1", "wg0");
	put("c1/wg0.conf", "[Interface]\nPrivateKey = K0\n", 0600);
	put("c1/.create.conf", "[Interface]\nPrivateKey = K0\nListenPort = 9\n", 0600);
	assert_int_equal(jail_lock("c1", &fd, &e), 0);
	jail_unlock(fd);
	assert_null(get("c1/.create.conf"));
	t = get("c1/wg0.conf");
	assert_string_equal(t, "[Interface]\nPrivateKey = K0\n");
	free(t);

	/* Killed after the journal, anywhere in the rename: finished. */
	mkjail("c2", "wg0");
	put("c2/wg0.conf", "[Interface]\nPrivateKey = K0\n", 0600);
	{
		char p[256];
		path_of(p, sizeof(p), "c2/wg0.peers");
		mkdir(p, 0700);
	}
	put("c2/wg0.peers/x", "peer", 0600);
	put("c2/.create.conf", "[Interface]\nPrivateKey = K0\n", 0600);
	put("c2/.create", "old=wg0\nnew=wg1\npub=\nconf=1\nspec:\n[jail]\nid = 1\n[wireguard]\ninterface = wg1\n", 0600);
	put("c2/wg1.conf.tmpQwErTy", "[Interface]\nPrivateKey = K0\n", 0600);
	assert_int_equal(jail_lock("c2", &fd, &e), 0);
	jail_unlock(fd);
	assert_null(get("c2/.create"));
	assert_null(get("c2/.create.conf"));
	assert_null(get("c2/wg0.conf"));
	assert_null(get("c2/wg1.conf.tmpQwErTy"));
	t = get("c2/wg1.conf");
	assert_string_equal(t, "[Interface]\nPrivateKey = K0\n");
	free(t);
	t = get("c2/wg1.peers/x");
	assert_string_equal(t, "peer");
	free(t);
	t = get("c2/jail.conf");
	assert_non_null(strstr(t, "interface = wg1"));
	free(t);

	/* ... also when the staged file was renamed already and the spec
	 * written: the peers and the old file follow. */
	mkjail("c3", "wg1");
	put("c3/wg0.conf", "[Interface]\nPrivateKey = K0\n", 0600);
	put("c3/wg1.conf", "[Interface]\nPrivateKey = K0\n", 0600);
	put("c3/.create", "old=wg0\nnew=wg1\npub=\nconf=1\nspec:\n[jail]\nid = 1\n[wireguard]\ninterface = wg1\n", 0600);
	assert_int_equal(jail_lock("c3", &fd, &e), 0);
	jail_unlock(fd);
	assert_null(get("c3/wg0.conf"));
	t = get("c3/wg1.conf");
	assert_non_null(t);
	free(t);

	/* A journal that cannot be read: the lock says so, nothing moves. */
	mkjail("c4", "wg0");
	put("c4/wg0.conf", "[Interface]\n", 0600);
	put("c4/.create", "garbage\n", 0600);
	assert_int_equal(jail_lock("c4", &fd, &e), -1);
	assert_non_null(strstr(e.msg, ".create"));
}

/* Item 1: a first key only for a jail that never had one (and, for an
 * existing jail, is not running). */
static void first_key_rule(void **s)
{
	struct wj_err e = {0};
	uint8_t pub[WG_KEY_LEN], got[WG_KEY_LEN];
	char p[256];

	mkjail("k1", "wg0");
	path_of(p, sizeof(p), "k1/wg0.conf");
	assert_int_equal(keyguard_first_key("k1", p, NULL, 0, true, &e), 0);
	memset(pub, 7, sizeof(pub));
	assert_int_equal(keyguard_record("k1", pub, &e), 0);
	assert_int_equal(keyguard_recorded("k1", got), 1);
	assert_memory_equal(pub, got, WG_KEY_LEN);
	assert_int_equal(keyguard_first_key("k1", p, NULL, 0, true, &e), -1);
	assert_non_null(strstr(e.msg, "missing"));
	assert_int_equal(keyguard_first_key("k1", p, "[Interface]\nListenPort = 1\nPrivateKey = generate\n", 47, true,
					    &e),
			 -1);
	assert_non_null(strstr(e.msg, "wg0.conf:3"));
	/* Running (up left state): refused even without a record. */
	mkjail("k2", "wg0");
	path_of(p, sizeof(p), "jails/k2");
	assert_int_equal(wj_mkdirs(p, 0700, &e), 0);
	put("jails/k2/state", "uplink=bridge\n", 0600);
	path_of(p, sizeof(p), "k2/wg0.conf");
	assert_int_equal(keyguard_first_key("k2", p, "[Interface]\n", 12, true, &e), -1);
	assert_non_null(strstr(e.msg, "running"));
	assert_int_equal(keyguard_first_key("k2", p, "[Interface]\n", 12, false, &e), 0);
}

/* Item 18: nothing but zeros between the attributes of a request, whatever
 * the buffer held before. */
static void netlink_requests_zeroed(void **s)
{
	struct nl_sock sock;
	char buf[256];
	struct nlmsghdr *nlh;
	const unsigned char *b;

	memset(&sock, 0, sizeof(sock));
	memset(buf, 0xAA, sizeof(buf));
	nlh = nl_msg(&sock, buf, 16, 0);
	mnl_attr_put(nlh, 1, 3, "abc"); /* 4 header + 3 data + 1 padding */
	b = (const unsigned char *)nlh + sizeof(*nlh) + 4 + 3;
	assert_int_equal(*b, 0);
	for (size_t i = nlh->nlmsg_len; i < sizeof(buf); i++)
		assert_int_equal((unsigned char)buf[i], 0);
}

static void genl_messages_zeroed(void **s)
{
	struct wg_device *d = wg_device_new();
	struct wg_peer *p;
	struct wg_genl_enc st;
	uint8_t k[WG_KEY_LEN];
	char a[1024], b[1024];
	struct nlmsghdr *na, *nb;
	struct wj_err e = {0};

	memset(k, 1, sizeof(k));
	p = wg_device_add_peer(d, k);
	assert_non_null(p);
	p->flags = WGPEER_HAS_KEEPALIVE;
	p->keepalive = 25; /* a u16: two bytes of padding */
	memset(a, 0, sizeof(a));
	memset(b, 0xAA, sizeof(b));
	wg_genl_enc_init(&st, 21, "wg0", d);
	na = wg_genl_enc_next(&st, a, sizeof(a), &e);
	assert_non_null(na);
	wg_genl_enc_init(&st, 21, "wg0", d);
	nb = wg_genl_enc_next(&st, b, sizeof(b), &e);
	assert_non_null(nb);
	assert_int_equal(na->nlmsg_len, nb->nlmsg_len);
	assert_memory_equal(a, b, na->nlmsg_len);
	wg_device_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_conf_refuses_fifo_and_link),
		cmocka_unit_test(trusted_dir),
		cmocka_unit_test(open_below_and_write_at),
		cmocka_unit_test(sweep_temps),
		cmocka_unit_test(lock_reentrant),
		cmocka_unit_test(reserved_names_and_root),
		cmocka_unit_test(create_recovery),
		cmocka_unit_test(first_key_rule),
		cmocka_unit_test(netlink_requests_zeroed),
		cmocka_unit_test(genl_messages_zeroed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
