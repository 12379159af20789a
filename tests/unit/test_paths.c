/* util/paths.c, util/stores.c, util/tunables.c: where everything lives,
 * the one list of derived stores (each event forgets exactly its rows,
 * whatever the UAPI directory and for the right namespace only), and the
 * tunables, whose defaults and ranges wgjail(8) lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/stores.h"
#include "util/tunables.h"

static char dir[64];

static int setup(void **st)
{
	char conf[128];

	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/wgjail-unit.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(conf, sizeof(conf), "%s/conf", dir);
	wj_set_confdir(conf);
	snprintf(conf, sizeof(conf), "%s/state", dir);
	return setenv("WGJAIL_STATEDIR", conf, 1);
}

static int teardown(void **st)
{
	char cmd[128];

	(void)st;
	unsetenv("WGJAIL_UAPI_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void touch(const char *path)
{
	struct wj_err e;
	char d[4096], *slash;

	snprintf(d, sizeof(d), "%s", path);
	slash = strrchr(d, '/');
	*slash = '\0';
	assert_int_equal(wj_mkdirs(d, 0700, &e), 0);
	assert_int_equal(wj_write_atomic(path, "x", 1, 0600, &e), 0);
}

static void places(void **st)
{
	char p[4096], want[4096];

	(void)st;
	assert_int_equal(jail_path(p, sizeof(p), "j", "jail.conf"), 0);
	snprintf(want, sizeof(want), "%s/conf/j/jail.conf", dir);
	assert_string_equal(p, want);
	assert_int_equal(jail_if_path(p, sizeof(p), "j", "wg1", ".peers"), 0);
	snprintf(want, sizeof(want), "%s/conf/j/wg1.peers", dir);
	assert_string_equal(p, want);
	assert_int_equal(jail_parsed_stamp_path(p, sizeof(p), "j", "wg1"), 0);
	snprintf(want, sizeof(want), "%s/conf/j/.wg1.conf.parsed", dir);
	assert_string_equal(p, want);
	assert_int_equal(jail_run_path(p, sizeof(p), "j", "state"), 0);
	snprintf(want, sizeof(want), "%s/state/jails/j/state", dir);
	assert_string_equal(p, want);
	assert_int_equal(wj_bridge_path(p, sizeof(p), "br0", ".added"), 0);
	snprintf(want, sizeof(want), "%s/state/bridges/br0.added", dir);
	assert_string_equal(p, want);
	/* too long: -1, never a cut path */
	assert_int_equal(jail_path(p, 8, "j", "jail.conf"), -1);
	/* an empty variable counts as unset */
	setenv("WGJAIL_UAPI_DIR", "", 1);
	assert_string_equal(wj_uapi_dir(), WJ_UAPI_DIR_SYSTEM);
	assert_true(wj_uapi_dir_is_system());
	setenv("WGJAIL_UAPI_DIR", "/tmp/x", 1);
	assert_string_equal(wj_uapi_dir(), "/tmp/x");
	assert_false(wj_uapi_dir_is_system());
	unsetenv("WGJAIL_UAPI_DIR");
	setenv("WGJAIL_WIREGUARD_GO", "", 1);
	assert_string_equal(wj_wireguard_go(), "wireguard-go");
	unsetenv("WGJAIL_WIREGUARD_GO");
}

/* One file of every store for jail j, interface wg0: the records of the
 * last sync and endpoint memories of this namespace under two UAPI
 * directories, and of another namespace; the parse stamp; the index
 * stamp.  Plus a neighbour (wg01, jail k) that no event may touch. */
struct files {
	char applied[4096], applied_lock[4096], applied_other_dir[4096], endpoints[4096], applied_wg01[4096],
		other_ns[4096], parsed[4096], parsed_k[4096], aip[4096], peers[4096];
};

static void make_files(struct files *f)
{
	char other[4096], *dash;

	assert_int_equal(wj_state_path("applied", "wg0", "", f->applied, sizeof(f->applied)), 0);
	assert_int_equal(wj_state_path("applied", "wg0", ",lock", f->applied_lock, sizeof(f->applied_lock)), 0);
	assert_int_equal(wj_state_path("endpoints", "wg0", "", f->endpoints, sizeof(f->endpoints)), 0);
	assert_int_equal(wj_state_path("applied", "wg01", "", f->applied_wg01, sizeof(f->applied_wg01)), 0);
	setenv("WGJAIL_UAPI_DIR", "/run/somewhere/else", 1);
	assert_int_equal(wj_state_path("applied", "wg0", "", f->applied_other_dir, sizeof(f->applied_other_dir)), 0);
	unsetenv("WGJAIL_UAPI_DIR");
	assert_string_not_equal(f->applied, f->applied_other_dir);
	/* another namespace: "7-wg0" */
	snprintf(other, sizeof(other), "%s", f->applied);
	dash = strrchr(other, '/');
	snprintf(f->other_ns, sizeof(f->other_ns), "%.*s/7-wg0", (int)(dash - other), other);
	assert_int_equal(jail_parsed_stamp_path(f->parsed, sizeof(f->parsed), "j", "wg0"), 0);
	assert_int_equal(jail_parsed_stamp_path(f->parsed_k, sizeof(f->parsed_k), "k", "wg0"), 0);
	assert_int_equal(jail_if_path(f->peers, sizeof(f->peers), "j", "wg0", ".peers"), 0);
	assert_int_equal(jail_aip_stamp_path(f->aip, sizeof(f->aip), f->peers), 0);
	touch(f->applied);
	touch(f->applied_lock);
	touch(f->applied_other_dir);
	touch(f->endpoints);
	touch(f->applied_wg01);
	touch(f->other_ns);
	touch(f->parsed);
	touch(f->parsed_k);
	touch(f->aip);
}

static unsigned long long this_ns(void)
{
	struct stat sb;

	return stat("/proc/self/ns/net", &sb) == 0 ? (unsigned long long)sb.st_ino : 0;
}

static void stores_down(void **st)
{
	struct files f;

	(void)st;
	make_files(&f);
	wj_stores_forget(WJ_FORGET_DOWN, &(struct wj_store_scope){.jail = "j", .ifname = "wg0", .ns = this_ns()});
	/* wg0 of this namespace is gone, under every UAPI directory, locks too */
	assert_false(wj_exists(f.applied));
	assert_false(wj_exists(f.applied_lock));
	assert_false(wj_exists(f.applied_other_dir));
	assert_false(wj_exists(f.endpoints));
	/* not wg01, not another namespace, nothing in CONFDIR */
	assert_true(wj_exists(f.applied_wg01));
	assert_true(wj_exists(f.other_ns));
	assert_true(wj_exists(f.parsed));
	assert_true(wj_exists(f.aip));
	/* the whole namespace */
	wj_stores_forget(WJ_FORGET_DOWN, &(struct wj_store_scope){.jail = "j", .ns = this_ns()});
	assert_false(wj_exists(f.applied_wg01));
	assert_true(wj_exists(f.other_ns));
}

static void stores_device_set(void **st)
{
	struct files f;

	(void)st;
	make_files(&f);
	wj_stores_forget(WJ_FORGET_DEVICE_SET, &(struct wj_store_scope){.ifname = "wg0"});
	/* exactly this record: its lock stays (the caller holds it) */
	assert_false(wj_exists(f.applied));
	assert_true(wj_exists(f.applied_lock));
	assert_true(wj_exists(f.applied_other_dir));
	assert_true(wj_exists(f.endpoints));
	assert_true(wj_exists(f.applied_wg01));
	assert_true(wj_exists(f.parsed));
	assert_true(wj_exists(f.aip));
}

static void stores_renamed_and_moved(void **st)
{
	struct files f;

	(void)st;
	make_files(&f);
	wj_stores_forget(WJ_FORGET_RENAMED, &(struct wj_store_scope){.jail = "j", .ifname = "wg0"});
	assert_false(wj_exists(f.parsed));
	assert_true(wj_exists(f.parsed_k));
	assert_true(wj_exists(f.aip));
	assert_true(wj_exists(f.applied));
	assert_true(wj_exists(f.endpoints));
	wj_stores_forget(WJ_FORGET_DROPINS_MOVED, &(struct wj_store_scope){.jail = "j", .peers_dir = f.peers});
	assert_false(wj_exists(f.aip));
	assert_true(wj_exists(f.parsed_k));
	assert_true(wj_exists(f.applied));
}

static void tunables(void **st)
{
	(void)st;
	unsetenv("WGJAIL_RERESOLVE_AFTER");
	assert_int_equal(wj_tunable(WJ_RERESOLVE_AFTER), 135);
	setenv("WGJAIL_RERESOLVE_AFTER", "7", 1);
	assert_int_equal(wj_tunable(WJ_RERESOLVE_AFTER), 7);
	/* out of range, not a number, a sign, blanks: the default */
	const char *bad[] = {"0", "86401", "x", "-1", " 7", "7s", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		setenv("WGJAIL_RERESOLVE_AFTER", bad[i], 1);
		assert_int_equal(wj_tunable(WJ_RERESOLVE_AFTER), 135);
	}
	unsetenv("WGJAIL_RERESOLVE_AFTER");
	setenv("WGJAIL_DEBOUNCE_MS", "0", 1);
	assert_int_equal(wj_tunable(WJ_DEBOUNCE_MS), 0);
	unsetenv("WGJAIL_DEBOUNCE_MS");
	for (int t = 0; t < WJ_TUNABLES; t++) {
		assert_non_null(wj_tunables[t].env);
		assert_true(wj_tunables[t].min <= wj_tunables[t].def && wj_tunables[t].def <= wj_tunables[t].max);
		assert_int_equal(wj_tunable((enum wj_tunable)t), wj_tunables[t].def);
	}
}

/* wgjail(8), ENVIRONMENT: one line ".It Ev NAME Ta DEF Ta MIN to MAX Ta
 * UNIT" per tunable, and no other. */
static void tunables_in_the_manual(void **st)
{
	FILE *f = fopen("man/wgjail.8", "r");
	char line[512];
	bool in = false, seen[WJ_TUNABLES] = {false};
	int rows = 0;

	(void)st;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned def, min, max;
		int t;

		if (!strncmp(line, ".Sh ", 4))
			in = !strcmp(line, ".Sh ENVIRONMENT\n");
		if (!in || sscanf(line, ".It Ev %63s Ta %u Ta %u to %u Ta", name, &def, &min, &max) != 4)
			continue;
		for (t = 0; t < WJ_TUNABLES && strcmp(wj_tunables[t].env, name); t++)
			;
		if (t == WJ_TUNABLES)
			fail_msg("wgjail(8) lists %s, which is no tunable (util/tunables.c)", name);
		if (def != wj_tunables[t].def || min != wj_tunables[t].min || max != wj_tunables[t].max)
			fail_msg("wgjail(8): %s %u, %u to %u; util/tunables.c: %u, %u to %u", name, def, min, max,
				 wj_tunables[t].def, wj_tunables[t].min, wj_tunables[t].max);
		seen[t] = true;
		rows++;
	}
	fclose(f);
	for (int t = 0; t < WJ_TUNABLES; t++)
		if (!seen[t])
			fail_msg("%s is not in wgjail(8), ENVIRONMENT", wj_tunables[t].env);
	assert_int_equal(rows, WJ_TUNABLES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(places, setup, teardown),
		cmocka_unit_test_setup_teardown(stores_down, setup, teardown),
		cmocka_unit_test_setup_teardown(stores_device_set, setup, teardown),
		cmocka_unit_test_setup_teardown(stores_renamed_and_moved, setup, teardown),
		cmocka_unit_test(tunables),
		cmocka_unit_test(tunables_in_the_manual),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
