/* wgjail provision [-n] [--root DIR] JAIL: write the FreeBSD files that
 * make jail(8) and the jail's own rc bring JAIL's WireGuard endpoint up.
 *
 *   DIR/boot/loader.conf                 edited: if_wg (+ if_epair, if_bridge)
 *   DIR/etc/jail.conf.d/JAIL.conf        whole
 *   DIR/etc/rc.conf                      edited: jail_enable, jail_list
 *   DIR/ROOT/etc/IF.conf                 whole, 0600, wg(8) syncconf form
 *   DIR/ROOT/etc/start_if.IF             whole
 *   DIR/ROOT/etc/rc.conf                 edited: the interface's keys
 * (ROOT the jail's root, IF the interface name inside the jail; DIR is /
 * without --root).  The generators are in rc/; this is the command edge:
 * options, locks, reading, then show (-n) or write. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/commands.h"
#include "agent/jailcmd.h"
#include "agent/jailconf_host.h"
#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/platform.h"
#include "agent/provision.h"
#include "agent/rcjail.h"
#include "agent/rcreach.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/strutil.h"
#include "rc/gen.h"
#include "rc/ifconf.h"
#include "rc/names.h"
#include "rc/plan.h"
#include "wg/config.h"

struct opts {
	bool dry_run;
	char root[PATH_MAX]; /* "" for / */
	const char *jail;
	FILE *out;           /* what was (or would be) written */
};

/* Are A and B the same directory (device and inode)? */
static bool same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && S_ISDIR(sa.st_mode) && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* DIR (WHAT: "--root", "jail root") must not be this host's root, nor hold
 * the host's own /etc or /boot (a bind mount, a link): provision would
 * then edit the host's rc.conf and loader.conf. */
static int check_not_host(const char *what, const char *dir, struct wj_err *e)
{
	static const char *const sys[] = {"/etc", "/boot"};
	char p[PATH_MAX];

	if (same_dir(dir, "/"))
		return wj_errf(e, "%s %s is this host's root directory: refusing to write the host's own files there",
			       what, dir);
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (snprintf(p, sizeof(p), "%s%s", dir, sys[i]) < (int)sizeof(p) && same_dir(p, sys[i]))
			return wj_errf(e, "%s %s: its %s is this host's %s: refusing to write the host's own files",
				       what, dir, sys[i] + 1, sys[i]);
	return 0;
}

static int parse_root(const char *arg, char *out, size_t sz, struct wj_err *e)
{
	const char *why = wj_path_invalid(arg);
	char q[128];
	struct stat st;
	size_t n;

	if (why)
		return wj_errf(e, "--root '%s': %s", wj_quote(arg, q, sizeof(q)), why);
	if (stat(arg, &st) < 0)
		return wj_errnof(e, errno, "--root %s", arg);
	if (!S_ISDIR(st.st_mode))
		return wj_errf(e, "--root %s: not a directory", arg);
	if (check_not_host("--root", arg, e) < 0)
		return -1;
	n = strlen(arg);
	while (n > 0 && arg[n - 1] == '/')
		n--;
	if (n >= sz)
		return wj_errf(e, "--root %s: path too long", arg);
	memcpy(out, arg, n);
	out[n] = '\0';
	return 0;
}

static struct rc_file *add(struct rc_plan *p, const char *guard, mode_t mode, bool keep_mode, bool secret,
			   struct wj_err *e, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static struct rc_file *add(struct rc_plan *p, const char *guard, mode_t mode, bool keep_mode, bool secret,
			   struct wj_err *e, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		wj_errf(e, "%s...: path too long", guard);
		return NULL;
	}
	return rc_plan_add(p, guard, path, mode, keep_mode, secret, e);
}

static bool is_start_if(const char *text, size_t len)
{
	return rc_start_if_is_ours(text, len);
}

/* ROOT/etc/PREV.conf and ROOT/etc/start_if.PREV, if they are the ones
 * provision wrote. */
static int remove_old(struct rc_plan *p, const char *guard, const char *prev, struct wj_err *e)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/etc/%s.conf", guard, prev) >= (int)sizeof(path) ||
	    rc_plan_remove(p, guard, path, true, wg_config_is_valid, e) < 0)
		return -1;
	if (snprintf(path, sizeof(path), "%s/etc/start_if.%s", guard, prev) >= (int)sizeof(path) ||
	    rc_plan_remove(p, guard, path, false, is_start_if, e) < 0)
		return -1;
	return 0;
}

/* The host's rc.conf (F) with the jail in jail_list; the host's jail.conf
 * (rc.conf's jail_conf, else /etc/jail.conf) is read only for the note of
 * an empty jail_list. */
static int host_rc_conf(const struct opts *o, const struct rc_jail *j, struct rc_file *f, char *note,
			size_t note_sz, struct wj_err *e)
{
	char hconf[PATH_MAX] = "", conf[PATH_MAX], file[PATH_MAX];
	struct jail_conf_walk w;
	struct rc_host_jail_conf jc = {.path = hconf, .conf = conf, .follow = &w.follow};
	char *t, *text = NULL;
	size_t len;
	int r;

	if ((r = rc_host_jail_conf_path(f->old, f->old_len, f->path, conf, sizeof(conf), e)) < 0 ||
	    jail_conf_d_path("", j->name, file, sizeof(file), e) < 0)
		return -1;
	jail_conf_walk_init(&w, o->root, file);
	if (r && snprintf(hconf, sizeof(hconf), "%s%s", o->root, conf) >= (int)sizeof(hconf))
		return wj_errf(e, "%s%s: path too long", o->root, conf);
	if (r && wj_read_file(hconf, (size_t)1 << 20, false, &text, &jc.len, e) < 0) {
		if (e->code != ENOENT)
			return -1;
		wj_err_clear(e);
	}
	jc.text = text;
	t = rc_host_rc_conf(j->name, f->old, f->old_len, &jc, f->path, note, note_sz, &len, e);
	if (text)
		wj_free_file(text, jc.len, false);
	if (!t)
		return -1;
	rc_plan_set(f, t, len, NULL);
	return 0;
}

/* Every file, read, in the order they are written: the jail's files
 * first, so that when jail.conf appears what it starts is in place. */
static int build(const struct opts *o, const struct jail_spec *s, const struct rc_jail *j,
		 const struct wg_device *dev, struct rc_plan *p, char **pfnote, char *note, size_t note_sz,
		 struct wj_err *e)
{
	char guard[PATH_MAX], ifn[24], prev[WJ_IFNAME_MAX + 1];
	const char *hguard = o->root[0] ? o->root : "/";
	const struct wg_ipmask *addrs;
	struct rc_file *f;
	size_t n_addrs, len;
	unsigned mtu;
	char *t;

	rc_wg_ifname(j, ifn, sizeof(ifn));
	if (snprintf(guard, sizeof(guard), "%s%s", o->root, j->root) >= (int)sizeof(guard))
		return wj_errf(e, "%s%s: path too long", o->root, j->root);
	if (check_not_host("jail root", guard, e) < 0)
		return -1;

	if (!(f = add(p, guard, 0600, false, true, e, "%s/etc/%s.conf", guard, ifn)))
		return -1;
	if (f->exists && !wg_config_is_valid(f->old, f->old_len))
		return wj_errf(e, "%s exists and is not a WireGuard configuration: provision does not replace it "
				  "(give the interface another name: wgjail create %s --interface NAME)",
			       f->path, j->name);
	if (!(t = rc_ifconf_text(dev, &len, e)))
		return -1;
	rc_plan_set(f, t, len, wg_config_free_text);

	if (!(f = add(p, guard, 0644, false, false, e, "%s/etc/start_if.%s", guard, ifn)))
		return -1;
	if (!(t = rc_start_if(j, &len, e)))
		return -1;
	rc_plan_set(f, t, len, NULL);

	if (!(f = add(p, guard, 0644, true, false, e, "%s/etc/rc.conf", guard)))
		return -1;
	rc_tunnel_params(j, dev, &addrs, &n_addrs, &mtu);
	if (!(t = rc_rc_conf(j, addrs, n_addrs, mtu, f->old, f->old_len, f->path, &len, e)))
		return -1;
	rc_plan_set(f, t, len, NULL);
	/* The files an earlier provision wrote for an interface the jail
	 * has no more (renamed since: its name is in rc.conf). */
	if (rc_rc_conf_previous_if(f->old, f->old_len, prev, sizeof(prev)) && strcmp(prev, ifn) &&
	    !jail_ifname_reserved(prev) &&
	    remove_old(p, guard, prev, e) < 0)
		return -1;

	if (!(f = add(p, hguard, 0644, false, false, e, "%s/etc/jail.conf.d/%s.conf", o->root, j->name)))
		return -1;
	if (!(t = rc_jail_conf(j, &len, e)))
		return -1;
	if (!(t = rcreach_jail_conf(t, &len, s)))
		return wj_errnof(e, ENOMEM, "jail.conf for %s", s->name);
	rc_plan_set(f, t, len, NULL);
	/* pf: the anchor file, beside jail.conf (it loads it) */
	if (rcreach_provision(p, o->root, hguard, s, pfnote, e) < 0)
		return -1;

	if (!(f = add(p, hguard, 0644, true, false, e, "%s/boot/loader.conf", o->root)))
		return -1;
	if (!(t = rc_loader_conf(j, f->old, f->old_len, f->path, &len, e)))
		return -1;
	rc_plan_set(f, t, len, NULL);

	/* The jail starts at boot (rc/hostrc.c). */
	if (!(f = add(p, hguard, 0644, true, false, e, "%s/etc/rc.conf", o->root)))
		return -1;
	return host_rc_conf(o, j, f, note, note_sz, e);
}

static int run(const struct opts *o, struct wj_err *e)
{
	char path[PATH_MAX], q[80], note[768] = "";
	const char *why = wj_jail_name_invalid(o->jail);
	struct jail_spec s;
	struct rc_jail j;
	struct wg_device *dev = NULL;
	struct rc_plan p = {0};
	char *pfnote = NULL;
	int glock = -1, jlock = -1, r = -1;

	if (why)
		return wj_errf(e, "jail name '%s': %s", wj_quote(o->jail, q, sizeof(q)), why);
	if (jail_path(path, sizeof(path), o->jail, "jail.conf") < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	if (!wj_exists(path))
		return wj_errf(e, "jail %s: no spec at %s (create it with: wgjail create %s)", o->jail, path,
			       o->jail);
	/* Bad input is refused before anything is written, lock files
	 * included: read and check everything once without the locks. */
	if (jailspec_load(o->jail, &s, e) < 0)
		return -1;
	rcjail_from_spec(&s, &j);
	if (rc_check_ifname(&j, e) < 0 || rcjail_load_conf(&s, &dev, e) < 0)
		return -1;
	wg_device_free(dev);
	dev = NULL;
	/* A dry run writes nothing, lock files included.  Otherwise: one lock
	 * for every provision (they share the host's loader.conf), then the
	 * jail's own (its spec and config are not being edited meanwhile). */
	if (!o->dry_run) {
		char lpath[PATH_MAX];
		if (snprintf(lpath, sizeof(lpath), "%s/.provision.lock", wj_confdir()) >= (int)sizeof(lpath) ||
		    jail_path(path, sizeof(path), o->jail, ".lock") < 0)
			return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
		if (wj_lock(lpath, &glock, e) < 0)
			return -1;
		if (jail_lock(o->jail, &jlock, e) < 0)
			goto out;
	}
	if (jailspec_load(o->jail, &s, e) < 0)
		goto out;
	rcjail_from_spec(&s, &j);
	if (rc_check_ifname(&j, e) < 0 || rcjail_load_conf(&s, &dev, e) < 0 ||
	    build(o, &s, &j, dev, &p, &pfnote, note, sizeof(note), e) < 0)
		goto out;
	if (pfnote && *pfnote)
		printf("note: pf is not ready for jail %s's NAT (provision never edits these files):\n%s", o->jail,
		       pfnote);
	if (o->dry_run) {
		size_t n = rc_plan_changes(&p);
		if (rc_plan_show(&p, o->out) < 0) {
			wj_errnof(e, ENOMEM, "showing the changes");
			goto out;
		}
		if (n)
			fprintf(o->out, "dry run: %zu of %zu files would change; nothing written\n", n, p.n);
		else
			fprintf(o->out, "dry run: nothing would change (%zu files up to date)\n", p.n);
	} else {
		size_t n = rc_plan_changes(&p);
		if (rc_plan_apply(&p, o->out, e) < 0)
			goto out;
		if (n)
			fprintf(o->out, "jail %s: %zu of %zu files written\n", o->jail, n, p.n);
		else
			fprintf(o->out, "jail %s: nothing changed (%zu files up to date)\n", o->jail, p.n);
	}
	if (note[0])
		printf("note: %s\n", note);
	r = 0;
out:
	free(pfnote);
	rc_plan_free(&p);
	wg_device_free(dev);
	jail_unlock(jlock);
	wj_unlock(glock);
	return r;
}

int provision_jail(const char *jail, bool dry_run, FILE *out, struct wj_err *e)
{
	struct opts o = {.dry_run = dry_run, .jail = jail, .out = out};

	return run(&o, e);
}

int cmd_provision(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"root", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.out = stdout};
	struct wj_err e = {0};
	const char *root = NULL;
	int ch, st;

	while ((ch = cmd_getopt(argv[0], argc, argv, "nh", longopts, &st)) != -1) {
		if (ch == CMD_OPT_EXIT)
			return st;
		if (ch == 'n')
			o.dry_run = true;
		else
			root = optarg; /* --root */
	}
	if ((st = cmd_operands(argv[0], argc, argv, 1, 1, "JAIL")) != WJ_EXIT_OK)
		return st;
	o.jail = argv[optind];
	/* Writing /boot/loader.conf and /etc/jail.conf.d on a system that is
	 * not FreeBSD would be a mistake: there the files only go into an
	 * image. */
	if (!root && !wj_platform()->provisions_host) {
		wj_errf(&e, "provision writes FreeBSD files: on this system give --root DIR (a FreeBSD tree)");
		return cmd_fail(&e);
	}
	if (root && parse_root(root, o.root, sizeof(o.root), &e) < 0)
		return cmd_fail(&e);
	if (run(&o, &e) < 0)
		return cmd_fail(&e);
	return WJ_EXIT_OK;
}
