/* util/fsutil and keys/keyfile: atomic replacement, modes, locks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "keys/keyfile.h"

static char dir[64];

static int setup(void **s)
{
	snprintf(dir, sizeof(dir), "/tmp/wgjail-unit.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
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

static void atomic_write_mode_and_content(void **s)
{
	char p[128], *buf;
	size_t len;
	struct stat st;
	struct wj_err e = {0};

	path_of(p, sizeof(p), "a.conf");
	assert_int_equal(wj_write_atomic(p, "hello\n", 6, 0600, &e), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(wj_read_file(p, 100, false, &buf, &len, &e), 0);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello\n");
	free(buf);
	/* Replacing keeps no temporary file behind. */
	assert_int_equal(wj_write_atomic(p, "x", 1, 0644, &e), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	{
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void atomic_write_failure_leaves_old(void **s)
{
	char p[128], bad[160], *buf;
	size_t len;
	struct wj_err e = {0};

	path_of(p, sizeof(p), "keep.conf");
	assert_int_equal(wj_write_atomic(p, "old", 3, 0600, &e), 0);
	/* A directory that does not exist: the write fails, names the path. */
	snprintf(bad, sizeof(bad), "%s/missing/x.conf", dir);
	assert_int_equal(wj_write_atomic(bad, "new", 3, 0600, &e), -1);
	assert_non_null(strstr(e.msg, bad));
	assert_int_equal(wj_read_file(p, 100, false, &buf, &len, &e), 0);
	assert_string_equal(buf, "old");
	free(buf);
}

/* A key file as the binary's key-bearing files are written: base64 and a
 * newline, atomically, mode 0600 (wj_write_atomic). */
static int write_key(const char *path, const uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	char line[WG_KEY_B64_LEN + 2];

	key_to_base64(line, key);
	line[WG_KEY_B64_LEN] = '\n';
	line[WG_KEY_B64_LEN + 1] = '\0';
	return wj_write_atomic(path, line, WG_KEY_B64_LEN + 1, 0600, e);
}

/* A reader never sees a half-written key file while it is rewritten. */
/* Unchanged content: the file is left as it is (same inode: nothing was
 * written, no fsync waited for); changed content or mode: replaced. */
static void atomic_write_changed_skips_same(void **s)
{
	char p[128];
	struct wj_err e;
	struct stat a, b;
	char buf[16] = {0};
	FILE *f;

	(void)s;
	path_of(p, sizeof(p), "state");
	assert_int_equal(wj_write_atomic_changed(p, "one\n", 4, 0600, &e), 0);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(wj_write_atomic_changed(p, "one\n", 4, 0600, &e), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_ino == b.st_ino);
	assert_int_equal(wj_write_atomic_changed(p, "one\n", 4, 0644, &e), 0); /* mode differs */
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_ino != b.st_ino);
	assert_int_equal(b.st_mode & 07777, 0644);
	assert_int_equal(wj_write_atomic_changed(p, "one\nmore\n", 9, 0644, &e), 0); /* longer */
	assert_int_equal(stat(p, &a), 0);
	assert_true(a.st_ino != b.st_ino);
	assert_int_equal(wj_write_atomic_changed(p, "two\nmore\n", 9, 0644, &e), 0); /* same size */
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_ino != b.st_ino);
	assert_non_null(f = fopen(p, "r"));
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), 9);
	fclose(f);
	assert_string_equal(buf, "two\nmore\n");
}

/* wj_write_atomic_with: ALSO fsync'd with the file; if that fails (a
 * pipe cannot be fsync'd), PATH keeps its old content and no temporary
 * file is left. */
static void atomic_write_with_also(void **s)
{
	char p[128], dirp[128], cmd[256], buf[16] = {0};
	struct wj_err e;
	int d, pp[2];
	FILE *f;

	(void)s;
	path_of(p, sizeof(p), "dropin");
	snprintf(dirp, sizeof(dirp), "%s", dir);
	assert_true((d = open(dirp, O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(wj_write_atomic_with(p, "old", 3, 0600, d, &e), 0);
	close(d);
	assert_int_equal(pipe(pp), 0);
	assert_int_equal(wj_write_atomic_with(p, "new", 3, 0600, pp[0], &e), -1);
	close(pp[0]);
	close(pp[1]);
	assert_non_null(f = fopen(p, "r"));
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), 3);
	fclose(f);
	assert_string_equal(buf, "old");
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls %s | grep dropin.tmp)\"", dir);
	assert_int_equal(system(cmd), 0);
}

/* A report replaces the file whole, with its mode, and leaves no
 * temporary file. */
static void report_write_replaces(void **s)
{
	char p[128], cmd[256];
	struct wj_err e;
	struct stat st;
	char buf[16] = {0};
	FILE *f;

	(void)s;
	path_of(p, sizeof(p), "status.json");
	assert_int_equal(wj_write_report(p, "{\"a\":1}", 7, 0644, &e), 0);
	assert_int_equal(wj_write_report(p, "{}", 2, 0644, &e), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_non_null(f = fopen(p, "r"));
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), 2);
	fclose(f);
	assert_string_equal(buf, "{}");
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls %s | grep tmp)\"", dir);
	assert_int_equal(system(cmd), 0);
}

static void keyfile_never_half_written(void **s)
{
	char p[128];
	uint8_t k[WG_KEY_LEN];
	struct wj_err e = {0};
	pid_t child;
	int status;

	path_of(p, sizeof(p), "private.key");
	key_generate_private(k);
	assert_int_equal(write_key(p, k, &e), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* reader: every observation is exactly 45 bytes, a valid key */
		for (int i = 0; i < 4000; i++) {
			char buf[128];
			int fd = open(p, O_RDONLY);
			ssize_t n;
			uint8_t got[WG_KEY_LEN];
			if (fd < 0)
				_exit(2);
			n = read(fd, buf, sizeof(buf));
			close(fd);
			if (n != 45 || buf[44] != '\n' || !key_from_base64_n(got, buf, 44))
				_exit(3);
		}
		_exit(0);
	}
	for (int i = 0; i < 400; i++) {
		key_generate_private(k);
		assert_int_equal(write_key(p, k, &e), 0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void keyfile_roundtrip_and_mode(void **s)
{
	char p[128];
	uint8_t k[WG_KEY_LEN], back[WG_KEY_LEN];
	struct stat st;
	struct wj_err e = {0};

	path_of(p, sizeof(p), "k1");
	key_generate_private(k);
	assert_int_equal(write_key(p, k, &e), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(keyfile_read(p, back, &e), 0);
	assert_memory_equal(k, back, WG_KEY_LEN);
}

static void keyfile_refuses_readable(void **s)
{
	char p[128];
	uint8_t k[WG_KEY_LEN];
	struct wj_err e = {0};

	path_of(p, sizeof(p), "k644");
	key_generate_private(k);
	assert_int_equal(write_key(p, k, &e), 0);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(keyfile_read(p, k, &e), -1);
	assert_non_null(strstr(e.msg, p));
	assert_non_null(strstr(e.msg, "0644"));
	assert_true(key_is_zero(k));
}

static void write_raw(const char *p, const char *text)
{
	struct wj_err e = {0};
	assert_int_equal(wj_write_atomic(p, text, strlen(text), 0600, &e), 0);
}

static void keyfile_rejects_malformed(void **s)
{
	char p[128];
	uint8_t k[WG_KEY_LEN];
	struct wj_err e = {0};

	path_of(p, sizeof(p), "kbad");
	write_raw(p, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n\t \n");
	assert_int_equal(keyfile_read(p, k, &e), 0);
	write_raw(p, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk= x\n");
	assert_int_equal(keyfile_read(p, k, &e), -1);
	assert_non_null(strstr(e.msg, "trailing"));
	assert_non_null(strstr(e.msg, p));
	write_raw(p, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm\n");
	assert_int_equal(keyfile_read(p, k, &e), -1);
	write_raw(p, "");
	assert_int_equal(keyfile_read(p, k, &e), -1);
	/* The message never carries the key text. */
	write_raw(p, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml=\n");
	assert_int_equal(keyfile_read(p, k, &e), -1);
	assert_null(strstr(e.msg, "yAnz5"));
}

static void lock_serialises(void **s)
{
	char p[128];
	struct wj_err e = {0};
	int fd, status;
	pid_t child;

	path_of(p, sizeof(p), ".lock");
	assert_int_equal(wj_lock(p, &fd, &e), 0);
	child = fork();
	if (child == 0) {
		/* must not get the lock while the parent holds it */
		int fd2 = open(p, O_RDWR);
		_exit(flock(fd2, LOCK_EX | LOCK_NB) == 0 ? 1 : 0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(WEXITSTATUS(status), 0);
	wj_unlock(fd);
	child = fork();
	if (child == 0) {
		int fd2 = open(p, O_RDWR);
		_exit(flock(fd2, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void mkdirs_and_read_limits(void **s)
{
	char p[160], *buf;
	size_t len;
	struct wj_err e = {0};

	snprintf(p, sizeof(p), "%s/a/b/c", dir);
	assert_int_equal(wj_mkdirs(p, 0700, &e), 0);
	assert_true(wj_exists(p));
	path_of(p, sizeof(p), "big");
	write_raw(p, "0123456789");
	assert_int_equal(wj_read_file(p, 5, false, &buf, &len, &e), -1);
	assert_non_null(strstr(e.msg, "too large"));
}

static void stale_temps_removed(void **s)
{
	char p[128], t[160];
	const char *names[] = {"w.conf.tmpAbC123", "w.conf.tmpZZ", "x.conf.tmpAbC123", "w.conf.tmpAbC1234"};
	const bool gone[] = {true, false, false, false};

	path_of(p, sizeof(p), "w.conf");
	write_raw(p, "keep");
	for (size_t i = 0; i < 4; i++) {
		snprintf(t, sizeof(t), "%s/%s", dir, names[i]);
		write_raw(t, "secret");
	}
	wj_remove_stale_temps(p);
	assert_true(wj_exists(p));
	for (size_t i = 0; i < 4; i++) {
		snprintf(t, sizeof(t), "%s/%s", dir, names[i]);
		assert_int_equal(wj_exists(t), !gone[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(atomic_write_mode_and_content),
		cmocka_unit_test(atomic_write_failure_leaves_old),
		cmocka_unit_test(atomic_write_changed_skips_same),
		cmocka_unit_test(report_write_replaces),
		cmocka_unit_test(atomic_write_with_also),
		cmocka_unit_test(keyfile_never_half_written),
		cmocka_unit_test(keyfile_roundtrip_and_mode),
		cmocka_unit_test(keyfile_refuses_readable),
		cmocka_unit_test(keyfile_rejects_malformed),
		cmocka_unit_test(lock_serialises),
		cmocka_unit_test(mkdirs_and_read_limits),
		cmocka_unit_test(stale_temps_removed),
	};
	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("files", tests, setup, teardown);
}
