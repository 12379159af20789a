/* Peers as people manage them: the name/expiry/disabled comments read by
 * the parser (wg/peer_meta.c), the allocator of tunnel addresses
 * (agent/alloc.c) and the QR code renderer's PNG form (util/qr.c; the
 * images are decoded by zbarimg in tests/integration/test_peer_people.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/alloc.h"
#include "keys/keys.h"
#include "util/err.h"
#include "util/qr.h"
#include "wg/conf_edit.h"
#include "wg/config.h"
#include "wg/peer_meta.h"

#define K1 "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define K2 "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="

static struct wg_device *parse_ok(const char *text)
{
	struct wg_device *d = NULL;
	struct wj_err e = {0};

	if (wg_config_parse(text, strlen(text), "t.conf", &d, &e) < 0)
		fail_msg("%s", e.msg);
	return d;
}

static void parse_err(const char *text, const char *want)
{
	struct wg_device *d = NULL;
	struct wj_err e = {0};

	assert_int_equal(wg_config_parse(text, strlen(text), "t.conf", &d, &e), -1);
	if (!strstr(e.msg, want))
		fail_msg("error '%s' lacks '%s'", e.msg, want);
}

static void test_meta_parse(void **st)
{
	struct wg_device *d;

	(void)st;
	d = parse_ok("[Peer]\n#Name=alice\nPublicKey = " K1 "\n  #  EXPIRES =  2027-01-02T03:04:05Z \n"
		     "[Peer]\nPublicKey = " K2 "\n# Disabled = yes\n# name: not ours\n# Expires = 2030-01-01\n");
	assert_int_equal(d->n_peers, 2);
	assert_string_equal(d->peers[0].name, "alice");
	assert_int_equal(d->peers[0].name_line, 2);
	assert_int_equal(d->peers[0].expires, 1798859045); /* date -u -d 2027-01-02T03:04:05Z +%s */
	assert_false(d->peers[0].disabled);
	assert_string_equal(d->peers[1].name, "");
	assert_true(d->peers[1].disabled);
	assert_int_equal(d->peers[1].expires, 1893456000);
	assert_true(wg_peer_active(&d->peers[0], 1798859044));
	assert_false(wg_peer_active(&d->peers[0], 1798859045));
	assert_false(wg_peer_active(&d->peers[1], 0));
	wg_device_drop_inactive(d, 0);
	assert_int_equal(d->n_peers, 1);
	assert_string_equal(d->peers[0].name, "alice");
	wg_device_free(d);
	/* comments in [Interface] and before any section are just comments */
	d = parse_ok("# Name = x y\n[Interface]\n# Name = !!\n");
	wg_device_free(d);
	/* the same key twice: the later section's marks win, as its fields */
	d = parse_ok("[Peer]\nPublicKey = " K1 "\n# Name = a\n[Peer]\n# Name = b\nPublicKey = " K1 "\n");
	assert_int_equal(d->n_peers, 1);
	assert_string_equal(d->peers[0].name, "b");
	wg_device_free(d);
}

static void test_meta_errors(void **st)
{
	char long_name[80];

	(void)st;
	parse_err("[Peer]\n# Name = Bob's phone\nPublicKey = " K1 "\n",
		  "t.conf:2: # Name = 'Bob's phone': only letters, digits");
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	{
		char t[200];
		snprintf(t, sizeof(t), "[Peer]\nPublicKey = " K1 "\n# Name = %s\n", long_name);
		parse_err(t, "t.conf:3: # Name = '");
		parse_err(t, "longer than 63 characters");
	}
	parse_err("[Peer]\n# Name =\nPublicKey = " K1 "\n", "t.conf:2: # Name = '': empty");
	parse_err("[Peer]\n# Expires = tomorrow\nPublicKey = " K1 "\n", "t.conf:2: # Expires = 'tomorrow': not a date");
	parse_err("[Peer]\n# Expires = 2027-02-29\nPublicKey = " K1 "\n", "not a date");
	parse_err("[Peer]\n# Disabled = maybe\nPublicKey = " K1 "\n", "t.conf:2: # Disabled = 'maybe': expected yes or no");
	assert_null(wg_peer_name_invalid("a.b@c-d_E9", 10));
	assert_non_null(wg_peer_name_invalid("a b", 3));
	assert_non_null(wg_peer_name_invalid("a/b", 3));
}

static void test_time(void **st)
{
	int64_t t;
	char buf[32];

	(void)st;
	assert_int_equal(wg_time_parse("1970-01-01T00:00:00Z", 20, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(wg_time_parse("2000-02-29", 10, &t), 0);
	assert_int_equal(t, 951782400);
	assert_string_equal(wg_time_fmt(951782400, buf, sizeof(buf)), "2000-02-29T00:00:00Z");
	assert_int_equal(wg_time_parse("2100-02-29", 10, &t), -1);
	assert_int_equal(wg_time_parse("2027-01-01T24:00:00Z", 20, &t), -1);
	assert_int_equal(wg_time_parse("2027-01-01T00:00:00+", 20, &t), -1);
	assert_int_equal(wg_time_parse("1969-12-31", 10, &t), -1);
}

static char *edit(const char *text, enum wg_meta_kind k, const char *v)
{
	struct conf_doc doc;
	struct conf_block b;
	struct wj_err e = {0};
	uint8_t key[WG_KEY_LEN];
	char *out;
	size_t len;

	assert_true(key_from_base64(key, K1));
	assert_int_equal(conf_doc_load(&doc, text, strlen(text), &e), 0);
	assert_int_equal(conf_find_peer(&doc, key, &b), 1);
	assert_int_equal(wg_meta_set(&doc, &b, k, v, &e), 0);
	assert_true(b.end <= doc.n);
	out = conf_doc_text(&doc, &len);
	conf_doc_free(&doc);
	return out;
}

static void test_meta_edit(void **st)
{
	char *t;

	(void)st;
	t = edit("[Peer]\r\nPublicKey = " K1 "\r\n", WG_META_NAME, "alice");
	assert_string_equal(t, "[Peer]\r\n# Name = alice\r\nPublicKey = " K1 "\r\n");
	free(t);
	t = edit("[Peer]\n#  name=bob\nPublicKey = " K1 "\n# Name = dup\n[Peer]\nPublicKey = " K2 "\n",
		 WG_META_NAME, "carol");
	assert_string_equal(t, "[Peer]\n# Name = carol\nPublicKey = " K1 "\n[Peer]\nPublicKey = " K2 "\n");
	free(t);
	t = edit("[Peer]\n# Disabled = yes\nPublicKey = " K1 "\n# a note", WG_META_DISABLED, NULL);
	assert_string_equal(t, "[Peer]\nPublicKey = " K1 "\n# a note");
	free(t);
}

/* ---- allocator ---- */

struct used {
	struct wg_ipmask v[1024];
	size_t n;
	unsigned calls;
};

static int is_used(void *arg, const struct wg_ipmask *h, struct wj_err *e)
{
	struct used *u = arg;

	(void)e;
	u->calls++;
	for (size_t i = 0; i < u->n; i++)
		if (wg_ipmask_cmp(&u->v[i], h) == 0)
			return 1;
	return 0;
}

static struct wg_ipmask ip(const char *s)
{
	struct wg_ipmask m;

	assert_int_equal(wg_ipmask_parse(s, &m), 0);
	return m;
}

static void fmt_is(const struct wg_ipmask *m, const char *want)
{
	char a[64];

	assert_string_equal(wg_ipmask_fmt(m, a, sizeof(a)), want);
}

static void test_alloc_v4(void **st)
{
	struct wg_ipmask net = ip("10.8.0.1/29"), mark, got, own = ip("10.8.0.1/32");
	struct used u = {.n = 0};
	struct wj_err e = {0};
	struct wg_device *d = wg_device_new();

	(void)st;
	/* no peer yet: the mark is the network address */
	alloc_mark_of(d, &net, &mark);
	fmt_is(&mark, "10.8.0.0/32");
	/* .1 is the jail's own; .2 .. .6 (not .7, the broadcast) */
	for (int i = 2; i <= 6; i++) {
		char want[32];
		assert_int_equal(alloc_next(&net, &mark, &own, 1, is_used, &u, &got, &e), 0);
		snprintf(want, sizeof(want), "10.8.0.%d/32", i);
		fmt_is(&got, want);
		u.v[u.n++] = got;
		mark = got;
	}
	assert_int_equal(alloc_next(&net, &mark, &own, 1, is_used, &u, &got, &e), -1);
	assert_non_null(strstr(e.msg, "tunnel network 10.8.0.0/29 is full"));
	/* .3 freed: handed out again only now that nothing above is left */
	u.v[1] = u.v[--u.n];
	assert_int_equal(alloc_next(&net, &mark, &own, 1, is_used, &u, &got, &e), 0);
	fmt_is(&got, "10.8.0.3/32");
	/* a freed address below the mark is not reused while unused remain */
	net = ip("10.9.0.1/24");
	mark = ip("10.9.0.9");
	u.n = 0;
	assert_int_equal(alloc_next(&net, &mark, &own, 1, is_used, &u, &got, &e), 0);
	fmt_is(&got, "10.9.0.10/32");
	/* a hand-written peer above the mark is skipped */
	u.v[u.n++] = ip("10.9.0.10/32");
	assert_int_equal(alloc_next(&net, &mark, &own, 1, is_used, &u, &got, &e), 0);
	fmt_is(&got, "10.9.0.11/32");
	/* too small */
	net = ip("10.9.0.1/31");
	assert_int_equal(alloc_next(&net, &mark, &own, 1, is_used, &u, &got, &e), -1);
	assert_non_null(strstr(e.msg, "10.9.0.0/31 is too small"));
	wg_device_free(d);
}

static void test_alloc_v6_and_rebuild(void **st)
{
	struct wg_ipmask net = ip("fd12:3456:789a:1::1/64"), mark, got, own = ip("fd12:3456:789a:1::1/128");
	struct used u = {.n = 0};
	struct wj_err e = {0};
	struct wg_device *d = parse_ok("[Peer]\nPublicKey = " K1 "\nAllowedIPs = fd12:3456:789a:1::7/128, "
				       "fd12:3456:789a:1::/64, 10.0.0.9/32, fd12:3456:789a:2::9/128\n");
	char path[] = "/tmp/wj-alloc-XXXXXX";
	bool have;
	int fd = mkstemp(path);

	(void)st;
	alloc_mark_of(d, &net, &mark);
	fmt_is(&mark, "fd12:3456:789a:1::7/128");
	assert_int_equal(alloc_next(&net, &mark, &own, 1, is_used, &u, &got, &e), 0);
	fmt_is(&got, "fd12:3456:789a:1::8/128");
	/* the marks file: one line per network, others kept */
	close(fd);
	unlink(path);
	assert_int_equal(alloc_mark_load(path, &net, &mark, &have, &e), 0);
	assert_false(have);
	alloc_mark_store(path, &net, &got);
	alloc_mark_store(path, &(struct wg_ipmask){0}, &got); /* nonsense: must not break the file */
	{
		struct wg_ipmask n4 = ip("10.8.0.1/24"), m4 = ip("10.8.0.77/32");
		alloc_mark_store(path, &n4, &m4);
		assert_int_equal(alloc_mark_load(path, &n4, &mark, &have, &e), 0);
		assert_true(have);
		fmt_is(&mark, "10.8.0.77/32");
	}
	assert_int_equal(alloc_mark_load(path, &net, &mark, &have, &e), 0);
	assert_true(have);
	fmt_is(&mark, "fd12:3456:789a:1::8/128");
	unlink(path);
	wg_device_free(d);
}

static void test_qr_png(void **st)
{
	char *out;
	size_t len;
	struct wj_err e = {0};
	enum qr_form f;

	(void)st;
	assert_int_equal(qr_render("hello", QR_PNG, &out, &len, &e), 0);
	assert_true(len > 100);
	assert_memory_equal(out, "\x89PNG\r\n\x1a\n", 8);
	qr_free(out, len);
	assert_int_equal(qr_render("hello", QR_UTF8, &out, &len, &e), 0);
	/* 21 modules + 2 * 2 quiet: 25 columns of 3-byte blocks or spaces */
	assert_non_null(memchr(out, '\n', len));
	qr_free(out, len);
	assert_int_equal(qr_form_of_path("a.SVG", &f, &e), 0);
	assert_int_equal(f, QR_SVG);
	assert_int_equal(qr_form_of_path("a.jpg", &f, &e), -1);
	assert_non_null(strstr(e.msg, "a.jpg: a QR code file must be named *.png or *.svg"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_parse), cmocka_unit_test(test_meta_errors),
		cmocka_unit_test(test_time), cmocka_unit_test(test_meta_edit),       cmocka_unit_test(test_alloc_v4),
		cmocka_unit_test(test_alloc_v6_and_rebuild), cmocka_unit_test(test_qr_png),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
