/* rc/: the key=value editor, the FreeBSD generators, the diff view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jailspec.h"
#include "agent/rcjail.h"
#include "util/err.h"
#include "keys/keys.h"
#include "rc/diff.h"
#include "rc/edit.h"
#include "rc/gen.h"
#include "rc/ifconf.h"
#include "rc/names.h"
#include "wg/config.h"

/* ---- edit ------------------------------------------------------------- */

static char *edit_set(const char *text, const char *key, const char *value, int *rc)
{
	struct kv_doc d;
	struct wj_err e = {0};
	char *out = NULL;

	assert_int_equal(kv_parse(&d, text, strlen(text), "test.conf", &e), 0);
	*rc = kv_set(&d, key, value, &e);
	if (*rc == 0)
		out = kv_format(&d, NULL);
	kv_free(&d);
	return out;
}

static void edit_keeps_other_lines(void **st)
{
	int rc;
	char *t = edit_set("# comment\n\nfoo=\"1\"\n  bar = 2 # trailing\nbaz='3'\n", "bar", "9", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(t, "# comment\n\nfoo=\"1\"\nbar=\"9\"\nbaz='3'\n");
	free(t);
	t = edit_set("a=1\nb=2", "c", "3", &rc); /* no final newline */
	assert_string_equal(t, "a=1\nb=2\nc=\"3\"\n");
	free(t);
	t = edit_set("", "c", "3", &rc);
	assert_string_equal(t, "c=\"3\"\n");
	free(t);
}

static void edit_same_value_untouched(void **st)
{
	int rc;
	/* Same value, other quoting, trailing comment: the line stays. */
	char *t = edit_set("x=YES # keep\ny=\"2\"\n", "x", "YES", &rc);
	assert_string_equal(t, "x=YES # keep\ny=\"2\"\n");
	free(t);
	t = edit_set("x='YES'\n", "x", "YES", &rc);
	assert_string_equal(t, "x='YES'\n");
	free(t);
}

static void edit_duplicates_collapse(void **st)
{
	int rc;
	/* The shell keeps the last assignment: ours must be the only one. */
	char *t = edit_set("k=\"a\"\nother=1\nk=\"b\"\nk=c\n", "k", "z", &rc);
	assert_string_equal(t, "k=\"z\"\nother=1\n");
	free(t);
	t = edit_set("k=\"z\"\nk=\"b\"\n", "k", "z", &rc);
	assert_string_equal(t, "k=\"z\"\n");
	free(t);
}

static void edit_prefix_keys_distinct(void **st)
{
	int rc;
	char *t = edit_set("ifconfig_wg0_ipv6=\"x\"\nifconfig_wg01=\"y\"\n", "ifconfig_wg0", "inet 1.2.3.4/32", &rc);
	assert_string_equal(t, "ifconfig_wg0_ipv6=\"x\"\nifconfig_wg01=\"y\"\nifconfig_wg0=\"inet 1.2.3.4/32\"\n");
	free(t);
}

static void edit_refuses_open_quote(void **st)
{
	struct kv_doc d;
	struct wj_err e = {0};
	const char *text = "a=1\nk=\"multi\nline\"\n";

	/* A quote left open across lines anywhere: the file is refused as a
	 * whole (issue 13: a line inside a multi-line value is no
	 * assignment, and rewriting it would run a stray command). */
	assert_int_equal(kv_parse(&d, text, strlen(text), "rc.conf", &e), -1);
	assert_non_null(strstr(e.msg, "rc.conf:2"));
	text = "motd=\"Welcome\nifconfig_wg0=\"legacy\"\nbye\"\n";
	assert_int_equal(kv_parse(&d, text, strlen(text), "rc.conf", &e), -1);
	assert_non_null(strstr(e.msg, "rc.conf:1"));
	text = "a='x' # it's fine\nb=\"y\" \\\nc=1\n";
	assert_int_equal(kv_parse(&d, text, strlen(text), "rc.conf", &e), -1);
	assert_non_null(strstr(e.msg, "rc.conf:2"));
	text = "a='x' # it's fine\nb=\"y \\\" z\" # q\\\nc=`date`\n";
	assert_int_equal(kv_parse(&d, text, strlen(text), "rc.conf", &e), 0);
	assert_int_equal(kv_set(&d, "c", "v", &e), 0);
	kv_free(&d);
	assert_int_equal(kv_parse(&d, "a\0b", 3, "bin", &e), -1);
	assert_non_null(strstr(e.msg, "NUL"));
}

static bool starts_x(const char *key, void *arg)
{
	(void)arg;
	return key[0] == 'x';
}

static void edit_unset(void **st)
{
	struct kv_doc d;
	struct wj_err e = {0};
	const char *text = "x1=1\n#x2=2\ny=3\nx3 = 4\n";
	char buf[16], *t;

	assert_int_equal(kv_parse(&d, text, strlen(text), "t", &e), 0);
	assert_true(kv_get(&d, "y", buf, sizeof(buf)));
	assert_string_equal(buf, "3");
	assert_false(kv_get(&d, "z", buf, sizeof(buf)));
	kv_unset_if(&d, starts_x, NULL);
	kv_unset(&d, "y");
	t = kv_format(&d, NULL);
	assert_string_equal(t, "#x2=2\n");
	free(t);
	kv_free(&d);
}

/* ---- generators --------------------------------------------------------- */

/* The generators' view of S (agent/rcjail.h), as provision gives it. */
static const struct rc_jail *J(const struct jail_spec *s)
{
	static struct rc_jail j;

	rcjail_from_spec(s, &j);
	return &j;
}

static void spec(struct jail_spec *s, const char *name, enum jail_uplink up, unsigned id)
{
	jailspec_defaults(s, name);
	s->uplink = up;
	s->id = id;
}

static void addr(struct wg_ipmask *a, size_t *n, const char *text)
{
	assert_int_equal(wg_ipmask_parse(text, &a[*n]), 0);
	(*n)++;
}

static void loader(void **st)
{
	struct jail_spec s;
	struct wj_err e = {0};
	char *t, *t2;
	size_t len;

	spec(&s, "j", UPLINK_WIREGUARD, 1);
	t = rc_loader_conf(J(&s), NULL, 0, "/boot/loader.conf", &len, &e);
	assert_string_equal(t, "if_wg_load=\"YES\"\n");
	free(t);
	spec(&s, "j", UPLINK_BRIDGE, 1);
	t = rc_loader_conf(J(&s), "kern.x=1\nif_wg_load=\"NO\"\n", 24, "/boot/loader.conf", &len, &e);
	assert_string_equal(t, "kern.x=1\nif_wg_load=\"YES\"\nif_epair_load=\"YES\"\nif_bridge_load=\"YES\"\n");
	/* Idempotent: once more changes nothing. */
	t2 = rc_loader_conf(J(&s), t, len, "/boot/loader.conf", &len, &e);
	assert_string_equal(t, t2);
	free(t);
	free(t2);
}

static char *rcconf(const struct jail_spec *s, const char *old, unsigned mtu)
{
	struct wj_err e = {0};
	char *t = rc_rc_conf(J(s), s->address, s->n_address, mtu, old, old ? strlen(old) : 0, "rc.conf", NULL, &e);
	assert_non_null(t);
	return t;
}

static void rcconf_wireguard(void **st)
{
	struct jail_spec s;
	char *t, *t2;

	spec(&s, "j", UPLINK_WIREGUARD, 12);
	addr(s.address, &s.n_address, "10.0.0.2/32");
	addr(s.address, &s.n_address, "fd00::2/128");
	addr(s.address, &s.n_address, "10.0.0.3/32");
	addr(s.address, &s.n_address, "fd00::3/128");
	t = rcconf(&s, "hostname=\"j\"\n", 1400);
	assert_string_equal(t, "hostname=\"j\"\n"
			       "network_interfaces=\"lo0 wgj12\"\n"
			       "ifconfig_wgj12=\"inet 10.0.0.2/32 mtu 1400\"\n"
			       "ifconfig_wgj12_ipv6=\"inet6 fd00::2/128\"\n"
			       "ifconfig_wgj12_alias0=\"inet 10.0.0.3/32\"\n"
			       "ifconfig_wgj12_alias1=\"inet6 fd00::3/128\"\n"
			       "defaultrouter=\"-interface wgj12\"\n"
			       "ipv6_defaultrouter=\"-interface wgj12\"\n");
	t2 = rcconf(&s, t, 1400);
	assert_string_equal(t, t2);
	free(t2);
	/* Switching to the bridge: the wgjN keys and our routes go, the
	 * operator's own default route would stay. */
	s.uplink = UPLINK_BRIDGE;
	s.n_address = 1;
	t2 = rcconf(&s, t, 0);
	assert_string_equal(t2, "hostname=\"j\"\n"
				"network_interfaces=\"lo0 wg0\"\n"
				"ifconfig_wg0=\"inet 10.0.0.2/32\"\n");
	free(t2);
	free(t);
	t = rcconf(&s, "defaultrouter=\"192.0.2.1\"\nifconfig_wg0_alias0=\"x\"\nifconfig_wg0_descr=\"d\"\n", 0);
	assert_string_equal(t, "defaultrouter=\"192.0.2.1\"\nifconfig_wg0_descr=\"d\"\n"
			       "network_interfaces=\"lo0 wg0\"\nifconfig_wg0=\"inet 10.0.0.2/32\"\n");
	free(t);
	/* An earlier interface whose name is one of the current one's keys
	 * ("wg0_alias0", found by fuzz_rcedit): its keys go, ours stay, and a
	 * second edit changes nothing. */
	addr(s.address, &s.n_address, "10.0.1.1/24");
	t = rcconf(&s, "network_interfaces=\"lo0 wg0_alias0\"\nifconfig_wg0_alias0=\"inet 10.6.0.2/24\"\n", 0);
	assert_string_equal(t, "network_interfaces=\"lo0 wg0\"\nifconfig_wg0_alias0=\"inet 10.0.1.1/24\"\n"
			       "ifconfig_wg0=\"inet 10.0.0.2/32\"\n");
	t2 = rcconf(&s, t, 0);
	assert_string_equal(t, t2);
	free(t2);
	free(t);
}

static void rcconf_no_address(void **st)
{
	struct jail_spec s;
	char *t;

	spec(&s, "j", UPLINK_WIREGUARD, 0);
	t = rcconf(&s, NULL, 0);
	assert_string_equal(t, "network_interfaces=\"lo0 wgj0\"\nifconfig_wgj0=\"up\"\n");
	free(t);
	spec(&s, "j", UPLINK_BRIDGE, 0);
	snprintf(s.ifname, sizeof(s.ifname), "my-wg.1");
	addr(s.address, &s.n_address, "fd00::1/64");
	t = rcconf(&s, NULL, 0);
	assert_string_equal(t, "network_interfaces=\"lo0 my-wg.1\"\nifconfig_my_wg_1_ipv6=\"inet6 fd00::1/64\"\n");
	free(t);
}

static void jailconf_modes(void **st)
{
	struct jail_spec s;
	struct wj_err e = {0};
	char *t;

	spec(&s, "vpn", UPLINK_WIREGUARD, 5);
	t = rc_jail_conf(J(&s), NULL, &e);
	assert_non_null(t);
	assert_non_null(strstr(t, "\tvnet.interface = \"wgj5\";\n"));
	assert_non_null(strstr(t, "exec.prestart += \"/sbin/ifconfig wg create name wgj5\";"));
	assert_non_null(strstr(t, "exec.poststop = \"/sbin/ifconfig wgj5 destroy\";"));
	assert_null(strstr(t, "epair"));
	assert_null(strstr(t, "$"));
	free(t);

	spec(&s, "vpn", UPLINK_BRIDGE, 6);
	addr(s.jail_addr, &s.n_jail_addr, "192.0.2.2/24");
	addr(s.jail_addr, &s.n_jail_addr, "192.0.2.3/24");
	addr(s.gateway, &s.n_gateway, "192.0.2.1");
	t = rc_jail_conf(J(&s), NULL, &e);
	assert_non_null(t);
	assert_non_null(strstr(t, "\tvnet.interface = \"epair6b\";\n"));
	assert_non_null(strstr(t, "exec.start = \"/sbin/ifconfig epair6b inet 192.0.2.2/24\";"));
	assert_non_null(strstr(t, "exec.start += \"/sbin/ifconfig epair6b inet 192.0.2.3/24 alias\";"));
	assert_non_null(strstr(t, "exec.start += \"/sbin/route -n add -inet default 192.0.2.1\";"));
	assert_non_null(strstr(t, "exec.poststop += \"/sbin/ifconfig epair6a destroy\";"));
	assert_non_null(strstr(t, "devfs_ruleset = 5;"));
	assert_non_null(strstr(t, "exec.consolelog = \"/var/log/jail_console_vpn.log\";"));
	free(t);
}

/* The generators' own check: a value that slipped past validation never
 * reaches the text. */
static void hostile_words_refused(void **st)
{
	static const char *const bad[] = {"a\"b", "a$b", "a;b", "a`b`", "a b", "a\nb", "a'b", "a\\b", ""};
	struct jail_spec s;
	struct wj_err e = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		spec(&s, "j", UPLINK_BRIDGE, 1);
		snprintf(s.bridge, sizeof(s.bridge), "%s", bad[i]);
		assert_null(rc_jail_conf(J(&s), NULL, &e));
		spec(&s, "j", UPLINK_BRIDGE, 1);
		snprintf(s.root, sizeof(s.root), "/jails/%s", bad[i]);
		if (bad[i][0])
			assert_null(rc_jail_conf(J(&s), NULL, &e));
		spec(&s, "j", UPLINK_BRIDGE, 1);
		snprintf(s.ifname, sizeof(s.ifname), "%s", bad[i]);
		assert_null(rc_start_if(J(&s), NULL, &e));
		assert_null(rc_rc_conf(J(&s), NULL, 0, 0, NULL, 0, "rc.conf", NULL, &e));
		spec(&s, "j", UPLINK_BRIDGE, 1);
		snprintf(s.hostname, sizeof(s.hostname), "h%s", bad[i]);
		if (bad[i][0])
			assert_null(rc_jail_conf(J(&s), NULL, &e));
		assert_int_equal(rc_word_check(bad[i], "word", &e), -1);
	}
	assert_int_equal(rc_word_check("fe80::1%epair3b", "word", &e), 0);
}

/* Whether WORD occurs in a line of T that is not a comment. */
static bool code_has(const char *t, const char *word)
{
	bool found = false;
	char *copy = strdup(t), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save))
		found = l[0] != '#' && strstr(l, word) && !strstr(l, "echo");
	free(copy);
	return found;
}

static void taken_ifnames(void **st)
{
	static const char *const bad[] = {"lo0", "lo1", "epair3", "epair3a", "epair12b"};
	static const char *const good[] = {"wg0", "loop", "epairx", "epair3c", "lo"};
	struct jail_spec s;
	struct wj_err e = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		spec(&s, "j", UPLINK_BRIDGE, 1);
		snprintf(s.ifname, sizeof(s.ifname), "%s", bad[i]);
		assert_int_equal(rc_check_ifname(J(&s), &e), -1);
		s.uplink = UPLINK_WIREGUARD; /* the name is wgjN there */
		assert_int_equal(rc_check_ifname(J(&s), &e), 0);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		spec(&s, "j", UPLINK_BRIDGE, 1);
		snprintf(s.ifname, sizeof(s.ifname), "%s", good[i]);
		assert_int_equal(rc_check_ifname(J(&s), &e), 0);
	}
}

/* Does WORD appear in code of T outside its `if ! ( ... ); then` subshell
 * (the part that runs in rc's own shell)? */
static bool rc_shell_has(const char *t, const char *word)
{
	bool found = false, sub = false;
	char *copy = strdup(t), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(l, "if ! ("))
			sub = true;
		else if (!strcmp(l, "); then"))
			sub = false;
		else if (!sub)
			found = l[0] != '#' && strstr(l, word);
	}
	free(copy);
	return found;
}

static void startif_forms(void **st)
{
	struct jail_spec s;
	struct wj_err e = {0};
	char *t;

	spec(&s, "j", UPLINK_BRIDGE, 1);
	t = rc_start_if(J(&s), NULL, &e);
	assert_non_null(strstr(t, "\t\tifconfig wg0 create || fail "));
	assert_false(rc_shell_has(t, "exit")); /* sourced by rc */
	assert_true(code_has(t, "exit"));      /* ... but the subshell may */
	/* Nothing configured it: down, and rc's variables for it emptied. */
	assert_non_null(strstr(t, "\n\tifconfig wg0 down 2>/dev/null\n"
				  "\tifconfig_wg0= ifconfig_wg0_ipv6= ifconfig_wg0_alias0= ifconfig_wg0_aliases=\nfi\n"));
	assert_non_null(strstr(t, "logger -t wgjail -p daemon.err "));
	free(t);
	snprintf(s.ifname, sizeof(s.ifname), "wg01"); /* not the cloner's form */
	t = rc_start_if(J(&s), NULL, &e);
	assert_non_null(strstr(t, "\t\tifconfig wg create name wg01 || fail "));
	free(t);
	s.uplink = UPLINK_WIREGUARD;
	t = rc_start_if(J(&s), NULL, &e);
	assert_null(strstr(t, "ifconfig wgj1 create"));
	assert_null(strstr(t, "create name"));
	assert_false(rc_shell_has(t, "exit"));
	assert_non_null(strstr(t, "wgjail sync wgj1 /etc/wgj1.conf"));
	assert_non_null(strstr(t, "wg syncconf wgj1 /etc/wgj1.conf"));
	free(t);
}

/* The host's rc.conf (rc/hostrc.c): OLD -> WANT, with a note or not. */
/* The host's jail.conf: none, one of other jails only, one that includes
 * jail.conf.d, one that cannot be read for sure. */
static const struct rc_host_jail_conf JC_NONE = {NULL, 0, "/etc/jail.conf", "/etc/jail.conf", NULL};
static const struct rc_host_jail_conf JC_OTHERS = {"www { path = /j/www; }\n", 23, "/etc/jail.conf", "/etc/jail.conf",
						   NULL};
static const struct rc_host_jail_conf JC_INCLUDES = {".include \"/etc/jail.conf.d/*.conf\";\n", 36, "/etc/jail.conf",
						     "/etc/jail.conf", NULL};
static const struct rc_host_jail_conf JC_BROKEN = {"\n.include \"/etc/jail.conf.d/*.conf;\n", 36, "/etc/jail.conf",
						   "/etc/jail.conf", NULL};
/* rc.conf's jail_conf elsewhere: the note names that file, and a relative
 * .include is resolved against its directory (the same text in
 * /etc/jail.conf includes /etc/jail.conf.d) */
static const struct rc_host_jail_conf JC_ELSEWHERE = {".include \"/etc/jail.conf.d/*.conf\";\n", 36,
						      "/root/usr/local/etc/jail.conf", "/usr/local/etc/jail.conf", NULL};
static const struct rc_host_jail_conf JC_ELSEWHERE_REL = {".include \"jail.conf.d/*.conf\";\n", 32,
							  "/root/usr/local/etc/jail.conf", "/usr/local/etc/jail.conf", NULL};
static const struct rc_host_jail_conf JC_ETC_REL = {".include \"jail.conf.d/*.conf\";\n", 32, "/etc/jail.conf",
						    "/etc/jail.conf", NULL};

static void host_rc_case(const char *old, const struct rc_host_jail_conf *jc, const char *want, bool noted)
{
	struct wj_err e = {0};
	char note[512];
	size_t len;
	char *t = rc_host_rc_conf("vpn1", old, old ? strlen(old) : 0, jc, "/etc/rc.conf", note, sizeof(note), &len,
				  &e);

	assert_non_null(t);
	assert_string_equal(t, want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(note[0] != '\0', noted);
	free(t);
}

static void host_rc_conf(void **st)
{
	struct wj_err e = {0};
	char note[512];
	size_t len;
	static const char *const refused[] = {
		"jail_list=\"$jail_list www\"\n", "jail_list=\"`x`\"\n", "jail_list=\"a;b\"\n",
		"# c\njail_list=\"a\n", /* a quote that runs over lines */
	};

	host_rc_case(NULL, &JC_NONE, "jail_list=\"vpn1\"\njail_enable=\"YES\"\n", false);
	host_rc_case("", &JC_OTHERS, "", true); /* empty list + jail.conf: nothing */
	host_rc_case("jail_list=\"\"\n", &JC_OTHERS, "jail_list=\"\"\n", true);
	host_rc_case("jail_list=\"\"\njail_enable=YES\n", &JC_INCLUDES, "jail_list=\"\"\njail_enable=YES\n",
		     true);
	host_rc_case("jail_list=\"a\tb  \"\njail_enable=On\n", &JC_NONE,
		     "jail_list=\"a\tb vpn1\"\njail_enable=On\n", false);
	/* Already there: byte for byte, whatever the quoting. */
	host_rc_case("x=1\n jail_list=vpn1 # c\njail_enable=1\n", &JC_NONE,
		     "x=1\n jail_list=vpn1 # c\njail_enable=1\n", false);
	host_rc_case("jail_enable=\"NO\"\njail_list=\"vpn10 vpn\"\n", &JC_NONE,
		     "jail_enable=\"YES\"\njail_list=\"vpn10 vpn vpn1\"\n", false);
	/* Two assignments: the last one counts, one is left. */
	host_rc_case("jail_list=\"a\"\njail_enable=YES\njail_list=\"b\"\n", &JC_INCLUDES,
		     "jail_list=\"b vpn1\"\njail_enable=YES\n", false);
	/* The note says which case it is: the jail starts with jail.conf's
	 * (and jail_enable is not set behind the operator's back), or it is
	 * for the operator to list them or include jail.conf.d. */
	free(rc_host_rc_conf("vpn1", "", 0, &JC_INCLUDES, "/etc/rc.conf", note, sizeof(note), &len, &e));
	assert_non_null(strstr(note, "includes /etc/jail.conf.d/vpn1.conf"));
	assert_non_null(strstr(note, "set jail_enable=\"YES\""));
	free(rc_host_rc_conf("vpn1", "", 0, &JC_OTHERS, "/etc/rc.conf", note, sizeof(note), &len, &e));
	assert_non_null(strstr(note, "none of /etc/jail.conf.d"));
	assert_non_null(strstr(note, ".include"));
	free(rc_host_rc_conf("vpn1", "", 0, &JC_ELSEWHERE, "/etc/rc.conf", note, sizeof(note), &len, &e));
	assert_non_null(strstr(note, "every jail of /usr/local/etc/jail.conf at boot, and /usr/local/etc/jail.conf "
				     "includes /etc/jail.conf.d/vpn1.conf"));
	free(rc_host_rc_conf("vpn1", "", 0, &JC_ELSEWHERE_REL, "/etc/rc.conf", note, sizeof(note), &len, &e));
	assert_non_null(strstr(note, "every jail of /usr/local/etc/jail.conf at boot and none of /etc/jail.conf.d"));
	assert_non_null(strstr(note, "*.conf\";' to /usr/local/etc/jail.conf"));
	free(rc_host_rc_conf("vpn1", "", 0, &JC_ETC_REL, "/etc/rc.conf", note, sizeof(note), &len, &e));
	assert_non_null(strstr(note, "/etc/jail.conf includes /etc/jail.conf.d/vpn1.conf"));
	/* jail.conf matters only for an empty list: one that cannot be read
	 * for sure is an error then, naming it, and ignored otherwise */
	host_rc_case("jail_list=\"www\"\n", &JC_BROKEN, "jail_list=\"www vpn1\"\njail_enable=\"YES\"\n", false);
	assert_null(rc_host_rc_conf("vpn1", "jail_enable=YES\n", 16, &JC_BROKEN, "/etc/rc.conf", note, sizeof(note),
				    &len, &e));
	assert_non_null(strstr(e.msg, "/etc/jail.conf:2: a string that does not end"));
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		memset(&e, 0, sizeof(e));
		assert_null(rc_host_rc_conf("vpn1", refused[i], strlen(refused[i]), &JC_NONE, "/etc/rc.conf",
					    note, sizeof(note), &len, &e));
		assert_non_null(strstr(e.msg, "/etc/rc.conf:"));
	}
}

/* Which jail.conf provision reads: only for an empty (or no) jail_list;
 * rc.conf's jail_conf, else /etc/jail.conf; a jail_conf that is not a plain
 * absolute path is refused naming file:line. */
static void host_jail_conf_path(void **st)
{
	static const struct {
		const char *rc; /* NULL: no rc.conf */
		int want;
		const char *conf;
	} cases[] = {
		{NULL, 1, "/etc/jail.conf"},
		{"", 1, "/etc/jail.conf"},
		{"jail_enable=YES\njail_list=\" \"\n", 1, "/etc/jail.conf"},
		{"jail_list=\"\"\njail_conf=\"/usr/local/etc/jail.conf\"\n", 1, "/usr/local/etc/jail.conf"},
		{"jail_conf=/a/b.conf # here\n", 1, "/a/b.conf"},
		{"jail_list=\"www\"\njail_conf=\"/usr/local/etc/jail.conf\"\n", 0, NULL},
		{"jail_list=\"www\"\njail_conf=\"$(reboot)\"\n", 0, NULL}, /* not read: not looked at */
		{"jail_conf=\"relative/jail.conf\"\n", -1, NULL},
		{"x=1\njail_conf=\"/etc/$x\"\n", -1, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct wj_err e = {0};
		char conf[256] = "unset";
		const char *rc = cases[i].rc;
		int r = rc_host_jail_conf_path(rc, rc ? strlen(rc) : 0, "/etc/rc.conf", conf, sizeof(conf), &e);

		assert_int_equal(r, cases[i].want);
		if (r == 1)
			assert_string_equal(conf, cases[i].conf);
		if (r < 0)
			assert_non_null(strstr(e.msg, "/etc/rc.conf:"));
	}
}

/* The jail's IF.conf: wg-quick keys stripped, the rest re-parses the same;
 * tunnel addresses come from the spec, else from the config's Address. */
static void ifconf_stripped(void **st)
{
	/* Public sample keys from wg(8)'s documentation, not secrets. */
	static const char in[] = "[Interface]\n"
				 "PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
				 "ListenPort = 51820\n"
				 "Address = 10.1.0.1/24, fd00:1::1/64\n"
				 "MTU = 1380\nDNS = 10.1.0.53\nPostUp = echo hi\nSaveConfig = true\n"
				 "[Peer]\n"
				 "PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
				 "AllowedIPs = 10.1.0.2/32\n";
	struct wg_device *dev = NULL, *again = NULL;
	struct wj_err e = {0};
	const struct wg_ipmask *addrs;
	struct jail_spec s;
	size_t len, n;
	unsigned mtu;
	char *t;

	assert_int_equal(wg_config_parse(in, sizeof(in) - 1, "in.conf", &dev, &e), 0);
	t = rc_ifconf_text(dev, &len, &e);
	assert_non_null(t);
	assert_null(strstr(t, "Address"));
	assert_null(strstr(t, "MTU"));
	assert_null(strstr(t, "DNS"));
	assert_null(strstr(t, "PostUp"));
	assert_null(strstr(t, "SaveConfig"));
	assert_non_null(strstr(t, "ListenPort = 51820"));
	assert_int_equal(wg_config_parse(t, len, "out.conf", &again, &e), 0);
	assert_int_equal(again->n_peers, 1);
	assert_int_equal(again->quick.n_address, 0);
	wg_config_free_text(t, len);

	spec(&s, "j", UPLINK_BRIDGE, 1);
	rc_tunnel_params(J(&s), dev, &addrs, &n, &mtu);
	assert_int_equal(n, 2);
	assert_int_equal(mtu, 1380);
	addr(s.address, &s.n_address, "10.9.0.1/24");
	s.mtu = 1400;
	rc_tunnel_params(J(&s), dev, &addrs, &n, &mtu);
	assert_int_equal(n, 1);
	assert_ptr_equal(addrs, s.address);
	assert_int_equal(mtu, 1400);
	wg_device_free(dev);
	wg_device_free(again);
}

/* ---- diff ------------------------------------------------------------------- */

static char *diff_to_string(const char *a, const char *b, bool secret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_true(rc_diff_print(f, a, a ? strlen(a) : 0, b, strlen(b), secret) >= 0);
	fclose(f);
	return buf;
}

static void diff_view(void **st)
{
	char *d = diff_to_string("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nX\ne\nf\ng\n", false);
	assert_string_equal(d, "@@ -2,5 +2,5 @@\n b\n c\n-d\n+X\n e\n f\n");
	free(d);
	d = diff_to_string(NULL, "x\n", false);
	assert_string_equal(d, "@@ -0,0 +1,1 @@\n+x\n");
	free(d);
	d = diff_to_string("[Interface]\nPrivateKey = OLDKEY\n", "[Interface]\n Private Key=NEWKEY\n", true);
	assert_null(strstr(d, "OLDKEY"));
	assert_null(strstr(d, "NEWKEY"));
	assert_non_null(strstr(d, "-PrivateKey = (hidden)"));
	assert_non_null(strstr(d, "+ Private Key= (hidden)"));
	free(d);
	d = diff_to_string("# old privatekey: OLDKEY\n", "x\n", true);
	assert_null(strstr(d, "OLDKEY"));
	free(d);
	d = diff_to_string("same\n", "same\n", false);
	assert_string_equal(d, "");
	free(d);
}

/* rc_host_starts_jail: rc.d/jail starts the jail at boot by name iff
 * jail_enable is yes (any of checkyesno's spellings) and the jail is in
 * jail_list; with jail_list empty, every jail of jail.conf (whose path it
 * gives: rc.conf's jail_conf, else /etc/jail.conf). */
static void host_starts_jail(void **st)
{
	static const struct {
		const char *text;
		int want;
		const char *conf;
	} cases[] = {
		{"jail_enable=\"YES\"\njail_list=\"vpn1\"\n", RC_HOST_BY_NAME, NULL},
		{"jail_enable=yes\njail_list='www vpn1 db'   # kept\n", RC_HOST_BY_NAME, NULL},
		{"jail_enable=\"on\"\njail_list=\"vpn10 vpn\"\n", 0, NULL}, /* another name */
		{"jail_enable=\"NO\"\njail_list=\"vpn1\"\n", 0, NULL},      /* not enabled */
		{"jail_list=\"vpn1\"\n", 0, NULL},                          /* not enabled */
		{"jail_list=\"\"\n", 0, NULL},                              /* not enabled */
		{"jail_enable=\"YES\"\n", RC_HOST_EVERY, "/etc/jail.conf"}, /* empty list: jail.conf's jails */
		{"jail_enable=\"YES\"\njail_list=\" \"\n", RC_HOST_EVERY, "/etc/jail.conf"},
		{"jail_enable=\"YES\"\njail_conf=\"/usr/local/etc/jail.conf\"\n", RC_HOST_EVERY,
		 "/usr/local/etc/jail.conf"},
		{"", 0, NULL},
		{"jail_enable=\"YES\"\njail_list=\"${l} vpn1\"\n", -1, NULL},      /* not a plain list */
		{"jail_enable=\"YES\"\njail_conf=\"jail.conf\"\n", -1, NULL},     /* not absolute */
		{"jail_enable=\"YES\"\njail_conf=\"/etc/../x\"\n", -1, NULL},     /* out of the root */
		{"jail_enable=\"YES\"\njail_conf=\"${x}/j.conf\"\n", -1, NULL}, /* a variable */
	};
	struct wj_err e = {0};
	char conf[256];
	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;
		conf[0] = '\0';
		r = rc_host_starts_jail("vpn1", cases[i].text, strlen(cases[i].text), "/etc/rc.conf", conf,
					sizeof(conf), &e);
		if (r != cases[i].want)
			fail_msg("case %zu: %d, not %d (%s)", i, r, cases[i].want, e.msg);
		if (cases[i].conf && strcmp(conf, cases[i].conf))
			fail_msg("case %zu: jail.conf %s, not %s", i, conf, cases[i].conf);
		if (r < 0 && !strstr(e.msg, "/etc/rc.conf:2:"))
			fail_msg("case %zu: the error does not name the line: %s", i, e.msg);
	}
	assert_int_equal(rc_host_starts_jail("vpn1", NULL, 0, "/etc/rc.conf", conf, sizeof(conf), &e), 0); /* no file */
}

/* rc_jail_conf_includes: jail(8)'s .include of FreeBSD 14, as its lexer
 * reads jail.conf: a file name or a glob pattern, absolute or relative to
 * the including file's directory; comments and strings are not
 * directives. */
static void jail_conf_includes(void **st)
{
	static const struct {
		const char *text;
		int want;
	} cases[] = {
		{".include \"/etc/jail.conf.d/*.conf\";\n", 1},
		{"# FreeBSD's own example\n.include \"/etc/jail.conf.d/*.conf\";", 1},
		{"exec.clean;\nmount.devfs;\n.include '/etc/jail.conf.d/vpn?.conf' ;\n", 1},
		{".include \"jail.conf.d/*.conf\";\n", 1},              /* relative to /etc */
		{".include \"./jail.conf.d//vpn1.conf\";\n", 1},        /* as glob(3) walks it */
		{".include \"../etc/jail.conf.d/*.conf\";\n", 1},       /* /etc/../etc */
		{".include \"/etc/jails.d/../jail.conf.d/v*\";\n", 1},
		{".include \"/../../etc/./jail.conf.d/vpn1.conf\";\n", 1}, /* "/.." is "/" */
		{".include \"/etc/jail.conf.d/x/../../vpn1.conf\";\n", 0},
		{".include\n\t\"/etc/jail.conf.d/vpn1.conf\"\n;\n", 1}, /* tokens, not lines */
		{".include /etc/jail.conf.d/vpn1.conf;\n", 1},            /* a bare word */
		{".include \"/etc/jail.conf.d/\\v*.conf\";\n", 1},      /* an escape */
		{"www { path = \"/j/www\"; }\n.include \"/etc/jail.conf.d/*.conf\";\n", 1},
		{"www { path = \"/j/www\"; }\n", 0},
		{"# .include \"/etc/jail.conf.d/*.conf\";\n", 0},
		{"// .include \"/etc/jail.conf.d/*.conf\";\n", 0},
		{"/* .include \"/etc/jail.conf.d/*.conf\";\n */\n", 0},
		{"x { exec.start = \".include /etc/jail.conf.d/vpn1.conf;\"; }\n", 0}, /* a string */
		{".include \"/etc/jail.conf.d/www.conf\";\n", 0},
		{".include \"/etc/jail.conf.d/*.cnf\";\n", 0},
		{".include \"/etc/*.conf\";\n", 0},                     /* '*' stops at '/' */
		{".include \"/etc/jail.conf.d/.*\";\n", 0},             /* hidden files only */
		{".include \"/usr/local/etc/jail.conf.d/*.conf\";\n", 0},
		{".include \"/etc/jail.conf.d/*.conf\"", -1},           /* no ';' */
		{".include ;\n", -1},                                     /* no file */
		{".include \"/etc/jail.conf.d/*.conf;\n", -1},          /* the string does not end */
		{"/* \n.include \"/etc/jail.conf.d/*.conf\";\n", -1},  /* nor the comment */
		{".include \"${dir}/*.conf\";\n", -1},                  /* jail(8) does not expand it */
	};
	struct wj_err e = {0};
	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;
		memset(&e, 0, sizeof(e));
		r = rc_jail_conf_includes(cases[i].text, strlen(cases[i].text), "/etc/jail.conf", "/etc/jail.conf",
					  "/etc/jail.conf.d/vpn1.conf", NULL, &e);
		if (r != cases[i].want)
			fail_msg("case %zu: %d, not %d (%s)", i, r, cases[i].want, e.msg);
		if (r < 0 && !strstr(e.msg, "/etc/jail.conf:"))
			fail_msg("case %zu: the error does not name the file and line: %s", i, e.msg);
	}
	/* the line is the directive's, after a multi-line comment */
	assert_int_equal(rc_jail_conf_includes("/*\n\n*/\n.include x\n", 18, "/img/etc/jail.conf", "/etc/jail.conf",
					       "/etc/jail.conf.d/vpn1.conf", NULL, &e), -1);
	assert_non_null(strstr(e.msg, "/img/etc/jail.conf:4:")); /* the file read, by its path */
}

/* The patterns that do not name the jail's file go to the caller, which
 * reads their files (agent/jailconf_host.c): absolute, in order, and its
 * answer is the reader's. */
struct seen {
	char pats[4][128];
	int n, answer;
};

static int follow_rec(void *arg, const char *pattern, struct wj_err *e)
{
	struct seen *s = arg;

	if (s->n < 4)
		snprintf(s->pats[s->n++], sizeof(s->pats[0]), "%s", pattern);
	if (s->answer < 0)
		return wj_errf(e, "%s: cannot read it", pattern);
	return s->answer;
}

static void jail_conf_includes_follow(void **st)
{
	static const char text[] = ".include \"jails.d/*.conf\";\n.include \"/usr/local/etc/jail.d//x.conf\";\n"
				   ".include \"/etc/jail.conf.d/*.conf\";\n.include \"never/read.conf\";\n";
	struct seen s = {.answer = 0};
	struct rc_jail_conf_follow f = {follow_rec, &s};
	struct wj_err e = {0};
	(void)st;

	/* each other pattern, made absolute, until the one that names the file */
	assert_int_equal(rc_jail_conf_includes(text, strlen(text), "/etc/jail.conf", "/etc/jail.conf",
					       "/etc/jail.conf.d/vpn1.conf", &f, &e), 1);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.pats[0], "/etc/jails.d/*.conf");
	assert_string_equal(s.pats[1], "/usr/local/etc/jail.d/x.conf");
	/* the caller's yes ends the read */
	memset(&s, 0, sizeof(s));
	s.answer = 1;
	assert_int_equal(rc_jail_conf_includes(text, strlen(text), "/etc/jail.conf", "/etc/jail.conf",
					       "/etc/jail.conf.d/vpn1.conf", &f, &e), 1);
	assert_int_equal(s.n, 1);
	/* its error is the reader's */
	memset(&s, 0, sizeof(s));
	s.answer = -1;
	assert_int_equal(rc_jail_conf_includes(text, strlen(text), "/etc/jail.conf", "/etc/jail.conf",
					       "/etc/jail.conf.d/vpn1.conf", &f, &e), -1);
	assert_non_null(strstr(e.msg, "/etc/jails.d/*.conf: cannot read it"));
	/* nothing named: every pattern asked, the answer no */
	memset(&s, 0, sizeof(s));
	assert_int_equal(rc_jail_conf_includes(text, strlen(text), "/etc/jail.conf", "/etc/jail.conf",
					       "/etc/jail.conf.d/other/vpn1.conf", &f, &e), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.pats[3], "/etc/never/read.conf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(host_starts_jail),
		cmocka_unit_test(jail_conf_includes),
		cmocka_unit_test(jail_conf_includes_follow),
		cmocka_unit_test(edit_keeps_other_lines),
		cmocka_unit_test(edit_same_value_untouched),
		cmocka_unit_test(edit_duplicates_collapse),
		cmocka_unit_test(edit_prefix_keys_distinct),
		cmocka_unit_test(edit_refuses_open_quote),
		cmocka_unit_test(edit_unset),
		cmocka_unit_test(loader),
		cmocka_unit_test(rcconf_wireguard),
		cmocka_unit_test(rcconf_no_address),
		cmocka_unit_test(jailconf_modes),
		cmocka_unit_test(hostile_words_refused),
		cmocka_unit_test(taken_ifnames),
		cmocka_unit_test(startif_forms),
		cmocka_unit_test(host_rc_conf),
		cmocka_unit_test(host_jail_conf_path),
		cmocka_unit_test(ifconf_stripped),
		cmocka_unit_test(diff_view),
	};
	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
