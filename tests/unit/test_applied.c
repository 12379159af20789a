/* wg/applied.c, wg/applied_log.c: the record of the last sync - saved and
 * loaded for one device instance only, refused when damaged, private,
 * dropped by every other change made to the device (wg_device_set); its
 * log of section replacements replays to exactly the text and cut of the
 * file synced last, a torn or unfinished append makes it unusable (the
 * next sync reads the device), and the log is compacted into a new base. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/err.h"
#include "util/paths.h"
#include "keys/keys.h"
#include "wg/applied.h"
#include "wg/backend.h"
#include "wg/conf_delta.h"

#define IF "wjunit0"
#define ID "uapi 1:2:3"

static char dir[64];

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
	assert_int_equal(wj_state_path("applied", IF, "", out, sz), 0);
}

static off_t record_size(void)
{
	char path[4096];
	struct stat sb;

	record_path(path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

/* A config of N peers; peer CHANGED gets another allowed IP, peer GONE is
 * left out, and EXTRA more peers are added at the end. */
static char *config(int n, int changed, int gone, int extra)
{
	size_t cap = 256 + (size_t)(n + extra) * 160, len = 0;
	char *t = malloc(cap);

	assert_non_null(t);
	len += (size_t)snprintf(t + len, cap - len, "# a hand-written file\n[Interface]\nListenPort = 51820\n");
	for (int i = 0; i < n + extra; i++) {
		uint8_t k[WG_KEY_LEN] = {(uint8_t)i, (uint8_t)(i >> 8), 0x5a};
		char b64[WG_KEY_B64_LEN + 1];
		if (i == gone)
			continue;
		key_to_base64(b64, k);
		len += (size_t)snprintf(t + len, cap - len, "\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.1/32%s\n",
					b64, i >> 8, i & 255, i == changed ? ", 10.99.0.1/32" : "");
	}
	return t;
}

static void save_text(const char *text)
{
	struct conf_sections cut;
	struct wj_err e = {0};

	assert_int_equal(wg_conf_sections(text, strlen(text), true, &cut), WG_SECTIONS_OK);
	assert_int_equal(wg_applied_save(IF, ID, text, strlen(text), cut.v, cut.n, &e), 0);
	wg_conf_sections_free(&cut);
}

/* The record describes TEXT: its text read back, every span, the counts. */
static void record_is(const char *text)
{
	struct wg_applied a;
	struct conf_sections cut;
	size_t len = strlen(text), k = 0;
	char *back = malloc(len + 1);

	assert_non_null(back);
	assert_int_equal(wg_applied_load(IF, ID, &a), 1);
	assert_int_equal(a.view.len, len);
	assert_int_equal(conf_view_read(&a.view, 0, len, back), 0);
	assert_memory_equal(back, text, len);
	assert_int_equal(wg_conf_sections(text, len, true, &cut), WG_SECTIONS_OK);
	assert_int_equal(a.view.n, cut.n);
	assert_int_equal(a.view.n_peers, cut.n_peers);
	for (size_t i = 0; i < cut.n; i++) {
		struct conf_span s = conf_view_span(&a.view, i, NULL);
		assert_memory_equal(&s, &cut.v[i], sizeof(s));
		if (cut.v[i].kind != CONF_PEER) {
			assert_true(k < a.view.n_other);
			assert_int_equal(a.view.other[k++], i);
		}
	}
	assert_int_equal(k, a.view.n_other);
	wg_conf_sections_free(&cut);
	wg_applied_free(&a);
	free(back);
}

/* The record holds OLD; sync NEW the way the fast path does: compare,
 * delta, BEGIN, edit.  Returns the number of edits now in the log. */
static unsigned edit_to(const char *new_text)
{
	struct wg_applied a;
	struct conf_newtext nt = {0};
	struct conf_delta d;
	struct wj_err e = {0};
	size_t olen, nlen = strlen(new_text);
	char *old;
	unsigned edits;

	assert_int_equal(wg_applied_load(IF, ID, &a), 1);
	olen = a.view.len;
	old = malloc(olen + 1);
	assert_non_null(old);
	assert_int_equal(conf_view_read(&a.view, 0, olen, old), 0);
	while (nt.pre < olen && nt.pre < nlen && old[nt.pre] == new_text[nt.pre])
		nt.pre++;
	while (nt.pre + nt.suf < olen && nt.pre + nt.suf < nlen &&
	       old[olen - nt.suf - 1] == new_text[nlen - nt.suf - 1])
		nt.suf++;
	nt.len = nlen;
	nt.mid = new_text + nt.pre;
	assert_int_equal(wg_conf_delta(&a.view, &nt, &d), WG_SECTIONS_OK);
	assert_int_equal(wg_applied_begin(&a, &e), 0);
	assert_int_equal(wg_applied_edit(IF, &a, d.oa, d.ob, d.region, d.region_len, d.cut.v, d.cut.n, &e), 0);
	edits = a.edits;
	wg_applied_free(&a);
	wg_conf_delta_free(&d);
	free(old);
	return edits;
}

static void test_save_load(void **st)
{
	struct wg_applied a;
	struct stat sb;
	char path[4096], d[4096], *t = config(3, -1, -1, 0);

	(void)st;
	assert_int_equal(wg_applied_load(IF, ID, &a), 0); /* none yet */
	save_text(t);
	record_is(t);
	/* another device instance: not this record */
	assert_int_equal(wg_applied_load(IF, "uapi 1:2:4", &a), 0);
	assert_int_equal(wg_applied_load(IF, ID "x", &a), 0);
	assert_int_equal(wg_applied_load("wjunit1", ID, &a), 0);
	/* private: it holds the private key */
	record_path(path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(d, sizeof(d), "%s/applied", dir);
	assert_int_equal(stat(d, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	/* not if others could write it */
	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(wg_applied_load(IF, ID, &a), 0);
	assert_int_equal(chmod(path, 0600), 0);
	free(t);
}

static void test_damaged(void **st)
{
	struct wg_applied a;
	char path[4096], *t = config(3, -1, -1, 0);
	off_t size;

	(void)st;
	save_text(t);
	size = record_size();
	record_path(path, sizeof(path));
	/* cut short by one byte, into the text, into the header: refused */
	assert_int_equal(truncate(path, size - 1), 0);
	assert_int_equal(wg_applied_load(IF, ID, &a), 0);
	assert_int_equal(truncate(path, size - 40), 0);
	assert_int_equal(wg_applied_load(IF, ID, &a), 0);
	assert_int_equal(truncate(path, 3), 0);
	assert_int_equal(wg_applied_load(IF, ID, &a), 0);
	free(t);
}

/* Edits replay to the file synced last, the record grows by the edit only. */
static void test_log(void **st)
{
	char *base = config(300, -1, -1, 0), *one = config(300, 150, -1, 0), *gone = config(300, 150, 7, 0),
	     *more = config(300, 150, 7, 2);
	off_t before, after;

	(void)st;
	save_text(base);
	before = record_size();
	assert_int_equal(edit_to(one), 1);
	record_is(one);
	after = record_size();
	/* one peer changed: the log grew by its section, not by the file */
	assert_true(after > before && after - before < 512);
	assert_int_equal(edit_to(gone), 2);
	record_is(gone);
	assert_int_equal(edit_to(more), 3);
	record_is(more);
	assert_int_equal(edit_to(base), 4);
	record_is(base);
	free(base);
	free(one);
	free(gone);
	free(more);
}

/* An append cut short anywhere, or damaged, or a BEGIN not followed by
 * its edit: the record is not used. */
static void test_torn_tail(void **st)
{
	char path[4096], *base = config(20, -1, -1, 0), *one = config(20, 10, -1, 0);
	struct wg_applied a;
	struct wj_err e = {0};
	off_t full, base_size;
	FILE *f;

	(void)st;
	record_path(path, sizeof(path));
	save_text(base);
	base_size = record_size();
	edit_to(one);
	full = record_size();
	for (off_t cut = full - 1; cut > base_size; cut--) {
		save_text(base);
		edit_to(one);
		assert_int_equal(truncate(path, cut), 0);
		assert_int_equal(wg_applied_load(IF, ID, &a), 0);
	}
	/* a flipped byte in the entry */
	for (off_t at = base_size; at < full; at += 7) {
		int c;
		save_text(base);
		edit_to(one);
		assert_non_null(f = fopen(path, "r+"));
		assert_int_equal(fseeko(f, at, SEEK_SET), 0);
		c = fgetc(f);
		assert_int_equal(fseeko(f, at, SEEK_SET), 0);
		fputc(c ^ 0x20, f);
		fclose(f);
		assert_int_equal(wg_applied_load(IF, ID, &a), 0);
	}
	/* BEGIN without its edit: the device may have been changed */
	save_text(base);
	assert_int_equal(wg_applied_load(IF, ID, &a), 1);
	assert_int_equal(wg_applied_begin(&a, &e), 0);
	wg_applied_free(&a);
	assert_int_equal(wg_applied_load(IF, ID, &a), 0);
	/* ... and with it, again usable */
	save_text(base);
	edit_to(one);
	record_is(one);
	free(base);
	free(one);
}

/* A sync killed after BEGIN (a crash while the device was changed): the
 * record is not used. */
static void test_crash(void **st)
{
	char *base = config(20, -1, -1, 0);
	struct wg_applied a;
	struct wj_err e = {0};
	int status;
	pid_t pid;

	(void)st;
	save_text(base);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (wg_applied_load(IF, ID, &a) != 1 || wg_applied_begin(&a, &e) < 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(wg_applied_load(IF, ID, &a), 0);
	free(base);
}

/* Every WG_APPLIED_MAX_EDITS edits the log becomes a new base; so does
 * a log that outgrows a quarter of the base. */
static void test_compaction(void **st)
{
	char *base = config(200, -1, -1, 0), *t = NULL;
	unsigned edits = 0, compacted = 0;
	off_t base_size;

	(void)st;
	save_text(base);
	base_size = record_size();
	for (int i = 0; i < 2 * WG_APPLIED_MAX_EDITS + 3; i++) {
		free(t);
		t = config(200, i % 200, -1, 0); /* one peer changed, the one before back */
		edits = edit_to(t);
		if (edits == WG_APPLIED_MAX_EDITS) {
			/* just compacted: a base again, about the size of the first */
			struct wg_applied a;
			compacted++;
			assert_int_equal(wg_applied_load(IF, ID, &a), 1);
			assert_int_equal(a.edits, 0);
			wg_applied_free(&a);
			assert_true(record_size() < base_size + 1024);
		}
		record_is(t);
	}
	assert_int_equal(compacted, 2);
	/* big edits: compacted by size (64 KiB + a quarter of the base) */
	free(t);
	t = config(2000, -1, -1, 0);
	save_text(t);
	free(base);
	base = config(2000, 0, 1999, 0); /* the whole file is the edit */
	assert_int_equal(edit_to(base), 1);
	{
		struct wg_applied a;
		assert_int_equal(wg_applied_load(IF, ID, &a), 1);
		assert_int_equal(a.edits, 0);
		wg_applied_free(&a);
	}
	record_is(base);
	free(t);
	free(base);
}

static int sets;
static int fake_set(const char *ifname, const struct wg_device *changes, struct wj_err *e)
{
	char path[4096];

	(void)changes;
	(void)e;
	assert_string_equal(ifname, IF);
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
	char *t = config(2, -1, -1, 0);

	(void)st;
	assert_non_null(d);
	save_text(t);
	assert_int_equal(wg_applied_load(IF, ID, &a), 1);
	wg_applied_free(&a);
	sets = 0;
	assert_int_equal(wg_device_set(&fake, IF, d, &e), 0);
	assert_int_equal(sets, 1);
	assert_int_equal(wg_applied_load(IF, ID, &a), 0);
	wg_device_free(d);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_load), cmocka_unit_test(test_damaged),    cmocka_unit_test(test_log),
		cmocka_unit_test(test_torn_tail), cmocka_unit_test(test_crash),      cmocka_unit_test(test_compaction),
		cmocka_unit_test(test_device_set_drops_record),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
