/* The platform-neutral parts of FreeBSD's jail lifecycle: the jail's path
 * read from its jail(8) file (agent/jailroot.h), the jail(8) command
 * (agent/jailcmd.h, run here with a stand-in program that logs its
 * arguments), and the jail's own /etc/IF.conf kept in step with the
 * configuration directory (agent/jailifconf.h), also when the agent
 * takes an expired peer off (agent/expiry.h). */
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

#include "agent/expiry.h"
#include "agent/jailcmd.h"
#include "agent/jailifconf.h"
#include "agent/jailroot.h"
#include "agent/jailspec.h"
#include "agent/jailwg.h"
#include "agent/platform.h"
#include "keys/keys.h"
#include "rc/ifconf.h"
#include "util/err.h"
#include "util/paths.h"
#include "wg/config.h"

static char top[64];

static int setup(void **s)
{
	(void)s;
	snprintf(top, sizeof(top), "/tmp/wgjail-unit.XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **s)
{
	char cmd[160];
	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* ---- the path in jail.conf ---------------------------------------------- */

static int path_of(const char *text, const char *name, char *out, struct wj_err *e)
{
	return jailconf_path(text, strlen(text), "j.conf", name, out, 256, e);
}

static void path_from_block(void **st)
{
	char out[256];
	struct wj_err e = {0};
	(void)st;
	/* what provision writes */
	assert_int_equal(path_of("vpn1 {\n\tpath = \"/usr/local/jails/vpn1\";\n\tvnet;\n"
				 "\texec.start += \"/bin/sh /etc/rc\";\n\tpersist;\n}\n",
				 "vpn1", out, &e),
			 1);
	assert_string_equal(out, "/usr/local/jails/vpn1");
	/* another jail's block is not ours; a global path is the fallback */
	assert_int_equal(path_of("path = \"/j/$name\";\nother { path = /x; }\nvpn1 { host.hostname = a; }\n",
				 "vpn1", out, &e),
			 1);
	assert_string_equal(out, "/j/vpn1");
	/* the block wins over the global one, wherever it stands */
	assert_int_equal(path_of("vpn1 { path = '/own/${name}/root'; }\npath = /global;\n", "vpn1", out, &e), 1);
	assert_string_equal(out, "/own/vpn1/root");
	/* "*" is every jail; comments of the three kinds; escapes */
	assert_int_equal(path_of("# c\n// c\n/* path = /no; */ * { path = \"/a\\\"b\"; }\n", "vpn1", out, &e), 1);
	assert_string_equal(out, "/a\"b");
	/* nothing: 0 */
	assert_int_equal(path_of("vpn1 { persist; }\nother { path = /x; }\n", "vpn1", out, &e), 0);
	assert_int_equal(path_of("", "vpn1", out, &e), 0);
}

static void path_errors(void **st)
{
	char out[256];
	struct wj_err e = {0};
	(void)st;
	assert_int_equal(path_of("vpn1 {\n path = \"/j/$hostname\";\n}\n", "vpn1", out, &e), -1);
	assert_non_null(strstr(e.msg, "j.conf:2:"));
	assert_non_null(strstr(e.msg, "variable"));
	assert_int_equal(path_of("vpn1 { path = jails/vpn1; }\n", "vpn1", out, &e), -1);
	assert_non_null(strstr(e.msg, "not absolute"));
	assert_int_equal(path_of("vpn1 {\n path = /a\n}\n", "vpn1", out, &e), -1);
	assert_non_null(strstr(e.msg, "j.conf:2: expected ';'"));
	assert_int_equal(path_of("vpn1 { path = \"/a;\n", "vpn1", out, &e), -1);
	assert_non_null(strstr(e.msg, "unterminated string"));
	assert_int_equal(path_of("vpn1 { path = /a;\n", "vpn1", out, &e), -1);
	assert_non_null(strstr(e.msg, "not closed"));
}

/* ---- jail(8) ------------------------------------------------------------ */

static void jail_argv(void **st)
{
	const char *argv[6];
	struct wj_err e = {0};
	(void)st;
	unsetenv("WGJAIL_JAIL_PROGRAM");
	assert_int_equal(jail_cmd_argv(JAIL_CMD_CREATE, "vpn1", "/etc/jail.conf.d/vpn1.conf", argv, &e), 0);
	assert_string_equal(argv[0], "/usr/sbin/jail");
	assert_string_equal(argv[1], "-f");
	assert_string_equal(argv[2], "/etc/jail.conf.d/vpn1.conf");
	assert_string_equal(argv[3], "-c");
	assert_string_equal(argv[4], "vpn1");
	assert_null(argv[5]);
	assert_int_equal(jail_cmd_argv(JAIL_CMD_REMOVE, "vpn1", "/etc/jail.conf.d/vpn1.conf", argv, &e), 0);
	assert_string_equal(argv[3], "-r");
	/* names that reach jail(8) are the validated ones */
	assert_int_equal(jail_cmd_argv(JAIL_CMD_CREATE, "-r", "x", argv, &e), -1);
	assert_int_equal(jail_cmd_argv(JAIL_CMD_CREATE, "a b", "x", argv, &e), -1);
	assert_int_equal(jail_cmd_argv(JAIL_CMD_CREATE, "../x", "x", argv, &e), -1);
}

static void jail_run(void **st)
{
	char prog[128], log[128], text[512];
	struct wj_err e = {0};
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	(void)st;
	snprintf(prog, sizeof(prog), "%s/jail", top);
	snprintf(log, sizeof(log), "%s/jail.log", top);
	snprintf(text, sizeof(text),
		 "#!/bin/sh\necho \"$*\" >>%s\necho \"$4: created\"\n"
		 "[ -z \"$FAIL\" ] || { echo 'jail: vpn1: exec.prestart failed' >&2; exit 3; }\n",
		 log);
	put(prog, text, 0755);
	setenv("WGJAIL_JAIL_PROGRAM", prog, 1);
	f = open_memstream(&out, &outlen);
	assert_int_equal(jail_cmd_run(JAIL_CMD_CREATE, "/host", "vpn1", f, &e), 0);
	fclose(f);
	assert_string_equal(out, "vpn1: created\n");
	free(out);
	assert_string_equal(slurp(log), "-f /host/etc/jail.conf.d/vpn1.conf -c vpn1\n");
	setenv("FAIL", "1", 1);
	assert_int_equal(jail_cmd_run(JAIL_CMD_REMOVE, "", "vpn1", NULL, &e), -1);
	unsetenv("FAIL");
	assert_non_null(strstr(e.msg, "-f /etc/jail.conf.d/vpn1.conf -r vpn1 failed (exit status 3)"));
	assert_non_null(strstr(e.msg, "exec.prestart failed"));
	assert_string_equal(slurp(log), "-f /host/etc/jail.conf.d/vpn1.conf -c vpn1\n"
					"-f /etc/jail.conf.d/vpn1.conf -r vpn1\n");
	snprintf(prog, sizeof(prog), "%s/nosuch", top);
	setenv("WGJAIL_JAIL_PROGRAM", prog, 1);
	assert_int_equal(jail_cmd_run(JAIL_CMD_CREATE, "", "vpn1", NULL, &e), -1);
	assert_non_null(strstr(e.msg, "exit status 127"));
	unsetenv("WGJAIL_JAIL_PROGRAM");
}

/* ---- /etc/IF.conf in step ----------------------------------------------- */

static char conf[128], host[128], jroot[160], target[200];
static char priv_b64[WG_KEY_B64_LEN + 1];

/* A jail "vpn1" in CONF; HOST/etc/jail.conf.d/vpn1.conf puts its root at
 * HOST/jails/vpn1 (its path as jail(8) sees it: /jails/vpn1). */
static void make_jail(struct jail_spec *s)
{
	char p[1024];
	uint8_t k[WG_KEY_LEN];
	char *t;
	struct wj_err e = {0};

	snprintf(conf, sizeof(conf), "%s/conf", top);
	snprintf(host, sizeof(host), "%s/host", top);
	snprintf(jroot, sizeof(jroot), "%s/jails/vpn1", host);
	snprintf(target, sizeof(target), "%s/etc/wg0.conf", jroot);
	snprintf(p, sizeof(p), "mkdir -p %s/vpn1 %s/etc/jail.conf.d %s/etc", conf, host, jroot);
	assert_int_equal(system(p), 0);
	wj_set_confdir(conf);
	jailspec_defaults(s, "vpn1");
	s->listen_port = 51820;
	t = jailspec_format(s);
	snprintf(p, sizeof(p), "%s/vpn1/jail.conf", conf);
	put(p, t, 0644);
	free(t);
	assert_int_equal(jailspec_load("vpn1", s, &e), 0);
	memset(k, 0x11, sizeof(k));
	key_clamp(k);
	key_to_base64(priv_b64, k);
	snprintf(p, sizeof(p), "%s/vpn1/wg0.conf", conf);
	{
		char body[512];
		snprintf(body, sizeof(body), "[Interface]\nPrivateKey = %s\nListenPort = 51820\nAddress = 10.8.0.1/24\n",
			 priv_b64);
		put(p, body, 0600);
	}
	snprintf(p, sizeof(p), "%s/etc/jail.conf.d/vpn1.conf", host);
	put(p, "vpn1 {\n\tpath = \"/jails/vpn1\";\n\tvnet;\n}\n", 0644);
}

static void ifconf_in_step(void **st)
{
	struct jail_spec s;
	struct wj_err e = {0};
	struct stat a, b;
	char p[1024], *text;
	(void)st;
	make_jail(&s);
	assert_int_equal(jail_ifconf_sync(&s, host, NULL, &e), 1);
	assert_int_equal(stat(target, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0600);
	text = slurp(target);
	assert_non_null(strstr(text, priv_b64));
	assert_null(strstr(text, "Address")); /* wg-quick keys stay out: wg syncconf form */
	/* nothing changed: nothing touched */
	assert_int_equal(jail_ifconf_sync(&s, host, NULL, &e), 0);
	assert_int_equal(stat(target, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	/* a peer added to the config (a drop-in, as `peer add` writes) reaches the jail's file */
	{
		uint8_t k[WG_KEY_LEN];
		char b64[WG_KEY_B64_LEN + 1], hex[WG_KEY_HEX_LEN + 1], body[256];
		memset(k, 0x22, sizeof(k));
		key_to_base64(b64, k);
		key_to_hex(hex, k);
		snprintf(p, sizeof(p), "mkdir -p %s/vpn1/wg0.peers && chmod 700 %s/vpn1/wg0.peers", conf, conf);
		assert_int_equal(system(p), 0);
		snprintf(p, sizeof(p), "%s/vpn1/wg0.peers/%s.conf", conf, hex);
		snprintf(body, sizeof(body), "[Peer]\nPublicKey = %s\nAllowedIPs = 10.8.0.2/32\n", b64);
		put(p, body, 0600);
		assert_int_equal(jail_ifconf_sync(&s, host, NULL, &e), 1);
		text = slurp(target);
		assert_non_null(strstr(text, b64));
		assert_non_null(strstr(text, "10.8.0.2/32"));
	}
	/* a file of the jail's that is not a WireGuard config is not replaced */
	put(target, "not a wireguard config\n", 0644);
	assert_int_equal(jail_ifconf_sync(&s, host, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "is not a WireGuard configuration"));
	assert_string_equal(slurp(target), "not a wireguard config\n");
	unlink(target);
	/* the jail's etc a link (to the host's?): refused, nothing written there */
	snprintf(p, sizeof(p), "rm -rf %s/etc && mkdir %s/elsewhere && ln -s %s/elsewhere %s/etc", jroot, top, top,
		 jroot);
	assert_int_equal(system(p), 0);
	assert_int_equal(jail_ifconf_sync(&s, host, NULL, &e), -1);
	snprintf(p, sizeof(p), "%s/elsewhere/wg0.conf", top);
	assert_int_equal(access(p, F_OK), -1);
}

static void ifconf_not_provisioned(void **st)
{
	struct jail_spec s;
	struct wj_err e = {0};
	char p[1024];
	(void)st;
	make_jail(&s);
	/* no jail.conf.d file: the jail's files are provision's to make */
	snprintf(p, sizeof(p), "%s/etc/jail.conf.d/vpn1.conf", host);
	unlink(p);
	assert_int_equal(jail_ifconf_sync(&s, host, NULL, &e), 0);
	assert_int_equal(access(target, F_OK), -1);
	/* a root that does not exist: an error, nothing created */
	put(p, "vpn1 { path = /jails/gone; }\n", 0644);
	assert_int_equal(jail_ifconf_sync(&s, host, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "is not a directory"));
	snprintf(p, sizeof(p), "%s/jails/gone", host);
	assert_int_equal(access(p, F_OK), -1);
	/* a config that does not load: an error, nothing written */
	snprintf(p, sizeof(p), "%s/etc/jail.conf.d/vpn1.conf", host);
	put(p, "vpn1 { path = /jails/vpn1; }\n", 0644);
	snprintf(p, sizeof(p), "%s/vpn1/wg0.conf", conf);
	put(p, "[Interface]\nPrivateKey = nope\n", 0600);
	assert_int_equal(jail_ifconf_sync(&s, host, NULL, &e), -1);
	assert_int_equal(access(target, F_OK), -1);
}

/* jail_boot_start of vpn1 under host root H returns WANT, and the
 * stand-in jail(8) logged to LOG exactly WANT_LOG (NULL: it did not run). */
static void boot_gives(const char *h, const char *log, int want, const char *want_log, struct wj_err *e)
{
	const char *got;

	unlink(log);
	assert_int_equal(jail_boot_start(h, "vpn1", NULL, e), want);
	got = slurp(log);
	if (want_log)
		assert_string_equal(got, want_log);
	else
		assert_null(got);
}

/* One owner per jail at boot: `boot` leaves to rc.d/jail the jails the
 * host's rc.conf has it start (jail_enable yes, and named in jail_list, or
 * jail_list empty and jail.conf including the jail's file), and creates
 * the others with jail(8) (a stand-in program logging its arguments). */
static void boot_start_owner(void **st)
{
	char prog[128], log[128], text[512], h[128], p[256], j[256];
	struct wj_err e = {0};
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	(void)st;
	snprintf(prog, sizeof(prog), "%s/jail", top);
	snprintf(log, sizeof(log), "%s/jail.log", top);
	snprintf(text, sizeof(text), "#!/bin/sh\necho \"$*\" >>%s\n", log);
	put(prog, text, 0755);
	setenv("WGJAIL_JAIL_PROGRAM", prog, 1);
	snprintf(h, sizeof(h), "%s/host", top);
	snprintf(p, sizeof(p), "mkdir -p %s/etc", h);
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof(p), "%s/etc/rc.conf", h);
	/* what provision writes for vpn1 (vpn2 was taken out of the list) */
	put(p, "hostname=\"host\"\njail_list=\"www vpn1\"\njail_enable=\"YES\"\n", 0644);
	f = open_memstream(&out, &outlen);
	assert_int_equal(jail_boot_start(h, "vpn1", f, &e), 1);
	assert_int_equal(jail_boot_start(h, "vpn2", f, &e), 0);
	fclose(f);
	assert_non_null(strstr(out, "jail vpn1: not started here"));
	assert_non_null(strstr(out, "rc.d/jail starts it"));
	free(out);
	/* jail(8) ran once, for vpn2 only */
	snprintf(text, sizeof(text), "-f %s/etc/jail.conf.d/vpn2.conf -c vpn2\n", h);
	assert_string_equal(slurp(log), text);
	/* jail_enable not yes: rc.d/jail starts nothing, boot does */
	put(p, "jail_list=\"vpn1\"\njail_enable=\"NO\"\n", 0644);
	snprintf(text, sizeof(text), "-f %s/etc/jail.conf.d/vpn1.conf -c vpn1\n", h);
	boot_gives(h, log, 0, text, &e);
	/* no rc.conf at all: the same */
	unlink(p);
	boot_gives(h, log, 0, text, &e);
	/* a jail_list that is not a plain list: an error naming file and line, nothing run */
	put(p, "jail_enable=yes\njail_list=\"${x} vpn1\"\n", 0644);
	boot_gives(h, log, -1, NULL, &e);
	assert_non_null(strstr(e.msg, "rc.conf:2:"));
	/* an empty jail_list: rc.d/jail starts every jail of jail.conf; vpn1
	 * among them when jail.conf includes its file (FreeBSD 14), so boot
	 * does not start it too */
	put(p, "jail_enable=\"YES\"\n", 0644);
	snprintf(j, sizeof(j), "%s/etc/jail.conf", h);
	put(j, "www { path = \"/j/www\"; }\n.include \"/etc/jail.conf.d/*.conf\";\n", 0644);
	unlink(log);
	f = open_memstream(&out, &outlen);
	assert_int_equal(jail_boot_start(h, "vpn1", f, &e), 1);
	fclose(f);
	assert_non_null(strstr(out, "empty jail_list"));
	assert_non_null(strstr(out, "includes /etc/jail.conf.d/vpn1.conf"));
	free(out);
	assert_null(slurp(log));
	/* ... and when it does not, boot starts it */
	put(j, "www { path = \"/j/www\"; }\n# .include \"/etc/jail.conf.d/*.conf\";\n", 0644);
	boot_gives(h, log, 0, text, &e);
	/* ... as when there is no jail.conf (rc.d/jail's jail(8) finds nothing) */
	unlink(j);
	boot_gives(h, log, 0, text, &e);
	/* rc.conf's jail_conf names the file rc.d/jail reads */
	put(p, "jail_enable=\"YES\"\njail_conf=\"/etc/jails.conf\"\n", 0644);
	snprintf(j, sizeof(j), "%s/etc/jails.conf", h);
	put(j, ".include \"jail.conf.d/vpn1.conf\";\n", 0644);
	boot_gives(h, log, 1, NULL, &e);
	/* jail(8) reads the .include lines of included files too (up to 32
	 * deep), relative names against the including file's directory; a
	 * file named by ".." or a link is found by what it is */
	{
		char d[300], b[300];
		snprintf(d, sizeof(d), "mkdir -p %s/etc/jails.d %s/etc/jail.conf.d", h, h);
		assert_int_equal(system(d), 0);
		snprintf(d, sizeof(d), "%s/etc/jails.d/a.conf", h);
		put(d, "www { path = \"/j/www\"; }\n", 0644);
		snprintf(b, sizeof(b), "%s/etc/jails.d/b.conf", h);
		put(j, "www2 { path = \"/j/www2\"; }\n.include \"/etc/jails.d/*.conf\";\n", 0644);
		put(b, ".include \"/etc/jail.conf.d/*.conf\";\n", 0644);
		boot_gives(h, log, 1, NULL, &e);
		put(b, ".include \"../jail.conf.d/*.conf\";\n", 0644);
		boot_gives(h, log, 1, NULL, &e);
		put(b, ".include \"../jail.conf.d/www.conf\";\n", 0644);
		boot_gives(h, log, 0, text, &e);
		/* a link to the jail's file: found by what it is */
		snprintf(d, sizeof(d), "%s/etc/jail.conf.d/vpn1.conf", h);
		put(d, "vpn1 { path = \"/j/vpn1\"; }\n", 0644);
		snprintf(b, sizeof(b), "%s/etc/jails.d/b.conf", h);
		unlink(b);
		assert_int_equal(symlink("../jail.conf.d/vpn1.conf", b), 0);
		boot_gives(h, log, 1, NULL, &e);
		unlink(b);
		snprintf(d, sizeof(d), "%s/etc/jail.conf.d/www.conf", h);
		put(d, "www3 { path = \"/j/www3\"; }\n", 0644);
		assert_int_equal(symlink("../jail.conf.d/www.conf", b), 0);
		boot_gives(h, log, 0, text, &e); /* a link to another file: read, no include */
		unlink(b);
		unlink(d);
		snprintf(d, sizeof(d), "%s/etc/jail.conf.d/vpn1.conf", h);
		/* a file that includes itself: jail(8)'s depth limit, an error */
		put(b, ".include \"b.conf\";\n", 0644);
		boot_gives(h, log, -1, NULL, &e);
		assert_non_null(strstr(e.msg, "nested more than 32 deep"));
		/* an included file that cannot be read for sure: named by file and line */
		put(b, "\n\n.include \"x;\n", 0644);
		boot_gives(h, log, -1, NULL, &e);
		assert_non_null(strstr(e.msg, "/etc/jails.d/b.conf:3: a string that does not end"));
		unlink(b);
		unlink(d);
	}
	/* a jail.conf that cannot be read for sure: an error naming it, nothing run */
	put(j, "\n.include \"jail.conf.d/*.conf;\n", 0644);
	boot_gives(h, log, -1, NULL, &e);
	assert_non_null(strstr(e.msg, "/etc/jails.conf:2: a string that does not end"));
	assert_non_null(strstr(e.msg, "jail vpn1: cannot tell whether rc.d/jail starts it at boot: "));
	unsetenv("WGJAIL_JAIL_PROGRAM");
}

/* The agent's expiry keeps the jail's /etc/IF.conf in step: a peer that
 * expired is taken out of it, so that a restart of the jail does not bring
 * it back.  The platform is this one's with FreeBSD's keep_files (the
 * real writer, rooted in the test's host directory). */
static unsigned kept;

static int keep_here(const struct jail_spec *s, FILE *out, struct wj_err *e)
{
	kept++;
	return jail_ifconf_sync(s, host, out, e);
}

static void expiry_keeps_ifconf(void **st)
{
	struct jail_spec s;
	struct wj_platform pl = *wj_platform();
	struct wj_err e = {0};
	struct wg_device *dev = NULL;
	char p[1024], gone[WG_KEY_B64_LEN + 1], stays[WG_KEY_B64_LEN + 1], *text;
	uint8_t k[WG_KEY_LEN];
	int64_t at = 0;
	(void)st;
	make_jail(&s);
	memset(k, 0x33, sizeof(k));
	key_to_base64(gone, k);
	memset(k, 0x44, sizeof(k));
	key_to_base64(stays, k);
	snprintf(p, sizeof(p), "%s/vpn1/wg0.conf", conf);
	{
		char body[1024];
		snprintf(body, sizeof(body),
			 "[Interface]\nPrivateKey = %s\nListenPort = 51820\nAddress = 10.8.0.1/24\n\n"
			 "[Peer]\n# Name = carol\n# Expires = 2020-01-01T00:00:00Z\nPublicKey = %s\nAllowedIPs = 10.8.0.3/32\n\n"
			 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.8.0.4/32\n",
			 priv_b64, gone, stays);
		put(p, body, 0600);
		/* the jail's copy as it was written while the peer was active */
		snprintf(body, sizeof(body),
			 "[Interface]\nPrivateKey = %s\nListenPort = 51820\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.8.0.3/32\n\n"
			 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.8.0.4/32\n",
			 priv_b64, gone, stays);
		put(target, body, 0600);
	}
	assert_int_equal(jailwg_load("vpn1", "wg0", &dev, &e), 0);
	for (size_t i = 0; i < dev->n_peers; i++)
		if (dev->peers[i].expires)
			at = dev->peers[i].expires;
	assert_true(at > 0);
	pl.keep_files = keep_here;
	kept = 0;
	/* the jail does not run here: nothing live, the jail's file still kept */
	assert_int_equal(expiry_take_off(&pl, &s, dev, at, &e), 0);
	assert_int_equal(kept, 1);
	text = slurp(target);
	assert_non_null(text);
	assert_null(strstr(text, gone));
	assert_non_null(strstr(text, stays));
	assert_non_null(strstr(text, priv_b64));
	/* nothing expires at another second: nothing done */
	kept = 0;
	assert_int_equal(expiry_take_off(&pl, &s, dev, at + 1, &e), 0);
	assert_int_equal(kept, 0);
	wg_device_free(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_from_block),
		cmocka_unit_test(path_errors),
		cmocka_unit_test_setup_teardown(jail_argv, setup, teardown),
		cmocka_unit_test_setup_teardown(jail_run, setup, teardown),
		cmocka_unit_test_setup_teardown(ifconf_in_step, setup, teardown),
		cmocka_unit_test_setup_teardown(ifconf_not_provisioned, setup, teardown),
		cmocka_unit_test_setup_teardown(expiry_keeps_ifconf, setup, teardown),
		cmocka_unit_test_setup_teardown(boot_start_owner, setup, teardown),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
