/* wg/applied.c: the record of the last sync - saved and loaded for one
 * device instance only, refused when damaged, private, and dropped by
 * every other change made to the device (wg_device_set). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/applied.h"
#include "wg/backend.h"

static char dir[64];
static const char text[] = "[Interface]\nListenPort = 1\n";
static const unsigned char cut[16] = {1, 2, 3};

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/wgjail-unit.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return setenv("WGJAIL_STATEDIR", dir, 1);
}

static int teardown(void **st)
{
	char cmd[128];

	(void)st;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void record_path(char *out, size_t sz)
{
	assert_int_equal(wg_state_path("applied", "wjunit0", "", out, sz), 0);
}

static void test_save_load(void **st)
{
	struct wg_applied a;
	struct wj_err e = {0};
	struct stat sb;
	char path[4096], d[4096];

	(void)st;
	assert_int_equal(wg_applied_load("wjunit0", "uapi 1:2:3", &a), 0); /* none yet */
	assert_int_equal(wg_applied_save("wjunit0", "uapi 1:2:3", text, strlen(text), cut, sizeof(cut), &e), 0);
	assert_int_equal(wg_applied_load("wjunit0", "uapi 1:2:3", &a), 1);
	assert_int_equal(a.len, strlen(text));
	assert_memory_equal(a.text, text, a.len);
	assert_int_equal(a.cutlen, sizeof(cut));
	assert_memory_equal(a.cut, cut, sizeof(cut));
	wg_applied_free(&a);
	/* another device instance: not this record */
	assert_int_equal(wg_applied_load("wjunit0", "uapi 1:2:4", &a), 0);
	assert_int_equal(wg_applied_load("wjunit0", "uapi 1:2:3x", &a), 0);
	assert_int_equal(wg_applied_load("wjunit1", "uapi 1:2:3", &a), 0);
	/* private: it holds the private key */
	record_path(path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(d, sizeof(d), "%s/applied", dir);
	assert_int_equal(stat(d, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
}

static void test_damaged(void **st)
{
	struct wg_applied a;
	struct wj_err e = {0};
	char path[4096];
	struct stat sb;

	(void)st;
	assert_int_equal(wg_applied_save("wjunit0", "kernel 7", text, strlen(text), cut, sizeof(cut), &e), 0);
	record_path(path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	/* cut short by one byte, then by the whole cut: refused either way */
	assert_int_equal(truncate(path, sb.st_size - 1), 0);
	assert_int_equal(wg_applied_load("wjunit0", "kernel 7", &a), 0);
	assert_int_equal(truncate(path, sb.st_size - (off_t)sizeof(cut)), 0);
	assert_int_equal(wg_applied_load("wjunit0", "kernel 7", &a), 0);
	assert_int_equal(truncate(path, 3), 0);
	assert_int_equal(wg_applied_load("wjunit0", "kernel 7", &a), 0);
}

static int sets;
static int fake_set(const char *ifname, const struct wg_device *changes, struct wj_err *e)
{
	char path[4096];

	(void)changes;
	(void)e;
	assert_string_equal(ifname, "wjunit0");
	/* the record is gone before the device changes */
	record_path(path, sizeof(path));
	assert_int_equal(access(path, F_OK), -1);
	sets++;
	return 0;
}

static void test_device_set_drops_record(void **st)
{
	const struct wg_backend fake = {.name = "fake", .set = fake_set};
	struct wg_applied a;
	struct wj_err e = {0};
	struct wg_device *d = wg_device_new();

	(void)st;
	assert_non_null(d);
	assert_int_equal(wg_applied_save("wjunit0", "uapi 9:9:9", text, strlen(text), cut, sizeof(cut), &e), 0);
	assert_int_equal(wg_applied_load("wjunit0", "uapi 9:9:9", &a), 1);
	wg_applied_free(&a);
	sets = 0;
	assert_int_equal(wg_device_set(&fake, "wjunit0", d, &e), 0);
	assert_int_equal(sets, 1);
	assert_int_equal(wg_applied_load("wjunit0", "uapi 9:9:9", &a), 0);
	wg_device_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_device_set_drops_record),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
