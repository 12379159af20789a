/* Names, the INI driver and the jail spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jailspec.h"
#include "util/err.h"
#include "util/ini.h"
#include "util/strutil.h"

static void jail_names(void **s)
{
	char long_name[40];

	assert_null(wj_jail_name_invalid("vpn1"));
	assert_null(wj_jail_name_invalid("a-b_c"));
	const char *bad[] = {"", "a;b", "../x", "a b", "a.b", "-x", "a$b", "a`b`", "a\nb", "a'b", "\"a\"", "x/y"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_non_null(wj_jail_name_invalid(bad[i]));
	memset(long_name, 'a', 33);
	long_name[33] = '\0';
	assert_non_null(wj_jail_name_invalid(long_name));
	long_name[32] = '\0';
	assert_null(wj_jail_name_invalid(long_name));
}

static void if_names_and_paths(void **s)
{
	assert_null(wj_ifname_invalid("wg0"));
	assert_null(wj_ifname_invalid("epair12.b"));
	assert_non_null(wj_ifname_invalid("0wg"));
	assert_non_null(wj_ifname_invalid("wg0;reboot"));
	assert_non_null(wj_ifname_invalid("a234567890123456"));
	assert_null(wj_ifname_invalid("a23456789012345"));
	assert_null(wj_path_invalid("/usr/local/jails/vpn1"));
	assert_non_null(wj_path_invalid("relative/path"));
	assert_non_null(wj_path_invalid("/a/../etc"));
	assert_non_null(wj_path_invalid("/a b"));
	assert_non_null(wj_path_invalid("/a$(x)"));
	assert_non_null(wj_path_invalid("/a\"b"));
	assert_non_null(wj_path_invalid("/a//b"));
}

static void numbers_and_quote(void **s)
{
	uint64_t v;
	char q[16];

	assert_int_equal(wj_parse_uint("65535", 0, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(wj_parse_uint("65536", 0, 65535, &v), -1);
	assert_int_equal(wj_parse_uint("-1", 0, 65535, &v), -1);
	assert_int_equal(wj_parse_uint(" 1", 0, 65535, &v), -1);
	assert_int_equal(wj_parse_uint("1x", 0, 65535, &v), -1);
	assert_int_equal(wj_parse_uint("", 0, 65535, &v), -1);
	assert_int_equal(wj_parse_uint("99999999999999999999999", 0, UINT64_MAX, &v), -1);
	assert_string_equal(wj_quote("a\nb", q, sizeof(q)), "a\\x0ab");
	wj_quote("0123456789abcdefghij", q, sizeof(q));
	assert_true(strlen(q) < sizeof(q));
	assert_non_null(strstr(q, "..."));
}

struct rec {
	char log[512];
};

static int rec_section(void *u, const char *sec, unsigned line, struct wj_err *e)
{
	struct rec *r = u;
	size_t n = strlen(r->log);
	snprintf(r->log + n, sizeof(r->log) - n, "[%s]@%u ", sec, line);
	return 0;
}

static int rec_key(void *u, const char *sec, const char *k, const char *v, unsigned line, struct wj_err *e)
{
	struct rec *r = u;
	size_t n = strlen(r->log);
	if (!strcmp(k, "fail"))
		return wj_errf(e, "fail@%u", line);
	snprintf(r->log + n, sizeof(r->log) - n, "%s.%s=%s@%u ", sec, k, v, line);
	return 0;
}

static void ini_lines_sections_crlf_bom(void **s)
{
	struct rec r = {{0}};
	struct wj_ini ini = {.path = "t.ini", .on_section = rec_section, .on_key = rec_key,
			     .comment_prefixes = "#", .inline_comment_prefixes = "#", .user = &r};
	struct wj_err e = {0};
	const char text[] = "\xef\xbb\xbf# c\r\n[A]\r\nx = 1\r\n\r\n[Empty]\n[B]\ny=2 # c\n";

	assert_int_equal(wj_ini_parse(&ini, text, sizeof(text) - 1, &e), 0);
	assert_string_equal(r.log, "[A]@2 A.x=1@3 [Empty]@5 [B]@6 B.y=2@7 ");
	memset(&r, 0, sizeof(r));
	assert_int_equal(wj_ini_parse(&ini, "[A]\n\nfail=1\nz=2\n", 16, &e), -1);
	assert_string_equal(e.msg, "fail@3");
	assert_int_equal(wj_ini_parse(&ini, "[A]\nnovalue\n", 12, &e), -1);
	assert_non_null(strstr(e.msg, "t.ini:2: cannot parse line 'novalue'"));
	assert_int_equal(wj_ini_parse(&ini, "[A]\nx=1\0\n", 9, &e), -1);
	assert_non_null(strstr(e.msg, "t.ini:2: the line contains a NUL byte"));
}

static void ini_long_line(void **s)
{
	struct rec r = {{0}};
	struct wj_ini ini = {.path = "t.ini", .on_key = NULL, .user = &r};
	struct wj_err e = {0};
	size_t n = 8192;
	char *t = malloc(n + 16);

	memcpy(t, "[A]\nk=", 6);
	memset(t + 6, 'v', n);
	memcpy(t + 6 + n, "\n", 2);
	assert_int_equal(wj_ini_parse(&ini, t, strlen(t), &e), 0);
	free(t);
}

static const char spec_text[] = "[jail]\n"
				"id = 7\n"
				"uplink = bridge\n"
				"bridge = br-vpn\n"
				"address = 192.0.2.10/24\n"
				"address = 2001:db8::10/64\n"
				"gateway = 192.0.2.1\n"
				"gateway = 2001:db8::1\n"
				"\n"
				"[wireguard]\n"
				"interface = wg0\n"
				"address = 10.8.0.1/24\n"
				"address = fd00:8::1/64\n"
				"listen_port = 51820\n"
				"mtu = 1420\n"
				"endpoint = vpn.example.org:51820\n";

static void spec_parse_format_roundtrip(void **s)
{
	struct jail_spec a, b;
	struct wj_err e = {0};
	char *text;

	assert_int_equal(jailspec_parse(spec_text, strlen(spec_text), "x/jail.conf", "vpn1", &a, &e), 0);
	assert_int_equal(a.id, 7);
	assert_int_equal(a.n_jail_addr, 2);
	assert_int_equal(a.n_gateway, 2);
	assert_int_equal(a.n_address, 2);
	assert_int_equal(a.listen_port, 51820);
	assert_string_equal(a.bridge, "br-vpn");
	text = jailspec_format(&a);
	assert_non_null(text);
	assert_int_equal(jailspec_parse(text, strlen(text), "y", "vpn1", &b, &e), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	free(text);
}

static void expect_spec_error(const char *text, const char *needle)
{
	struct jail_spec sp;
	struct wj_err e = {0};

	assert_int_equal(jailspec_parse(text, strlen(text), "s.conf", "vpn1", &sp, &e), -1);
	if (!strstr(e.msg, needle))
		fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void spec_errors_name_line_and_value(void **s)
{
	expect_spec_error("[jail]\nid = 1\nuplink = tunnel\n", "s.conf:3: uplink = 'tunnel'");
	expect_spec_error("[jail]\n\nid = 99999\n", "s.conf:3: id = '99999'");
	expect_spec_error("[jail]\nbridge = br0;reboot\n", "s.conf:2: bridge = 'br0;reboot'");
	expect_spec_error("[jail]\nroot = /jails/$(id)\n", "s.conf:2: root = '/jails/$(id)'");
	expect_spec_error("[wireguard]\nlisten_port = 70000\n", "s.conf:2: listen_port = '70000'");
	expect_spec_error("[wireguard]\naddress = 10.0.0.1\n", "s.conf:2: address = '10.0.0.1'");
	expect_spec_error("[wireguard]\nendpoint = a b:1\n", "endpoint");
	expect_spec_error("[other]\n", "s.conf:1: unknown section [other]");
	expect_spec_error("[jail]\nfoo = 1\n", "s.conf:2: unknown key 'foo'");
	expect_spec_error("id = 1\n", "s.conf:1: 'id' before any section");
	expect_spec_error("[jail]\ngateway = 192.0.2.1\n", "gateway 192.0.2.1/32 has no jail address of its family");
	expect_spec_error("[jail]\nhostname = a'b\n", "hostname = 'a'b'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jail_names),
		cmocka_unit_test(if_names_and_paths),
		cmocka_unit_test(numbers_and_quote),
		cmocka_unit_test(ini_lines_sections_crlf_bom),
		cmocka_unit_test(ini_long_line),
		cmocka_unit_test(spec_parse_format_roundtrip),
		cmocka_unit_test(spec_errors_name_line_and_value),
	};
	return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
