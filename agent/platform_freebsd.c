/* The jail operations on FreeBSD (see agent/platform.h): a jail is a vnet
 * jail that jail(8) creates from /etc/jail.conf.d/NAME.conf, which
 * `provision` writes, and whose own rc applies its /etc/IF.conf.
 *
 * What only FreeBSD can run is kept to the few functions below that call
 * jail_get(2), jail_attach(2) and procctl(2); the rest is platform-neutral
 * and tested on Linux (agent/jailcmd.h, agent/jailroot.h,
 * agent/jailifconf.h, agent/jailcall.h).  Compiled by the freebsd suite,
 * not run (docs/design.md). */
#include "agent/platform.h"

#include <sys/param.h>
#include <sys/jail.h>
#include <sys/procctl.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/jailcall.h"
#include "agent/jailcmd.h"
#include "agent/jailifconf.h"
#include "agent/jailspec.h"
#include "agent/jailwg.h"
#include "agent/provision.h"
#include "agent/rcjail.h"
#include "agent/watch.h"
#include "rc/names.h"
#include "util/err.h"
#include "wg/model.h"
#include "wg/sync.h"

/* The id of the running jail NAME, -1 if none: looked up by name, never
 * read as a number (jail_getid(3) takes "5" for jail 5). */
static int jid_of(const char *name)
{
	char errmsg[256] = "";
	struct iovec iov[4] = {
		{(void *)(uintptr_t) "name", sizeof("name")},
		{(void *)(uintptr_t)name, strlen(name) + 1},
		{(void *)(uintptr_t) "errmsg", sizeof("errmsg")},
		{errmsg, sizeof(errmsg)},
	};

	return jail_get(iov, 4, 0);
}

static bool fb_is_up(const char *name)
{
	return jid_of(name) >= 0;
}

static void fb_start_hint(const char *name, char *buf, size_t sz)
{
	snprintf(buf, sz, "wgjail up %s", name);
}

/* In the process jail_call exec'd for one call (`wgjail _jailcall`,
 * holding that jail's request only).  Before it attaches, it is made
 * untraceable (no ptrace, no procfs, no core dump), so that the jail's
 * root cannot read even that; then it attaches, once, as jexec(8) does. */
static int fb_enter(const char *name, const char *ifname, struct wj_err *e)
{
	int jid = jid_of(name), ctl = PROC_TRACE_CTL_DISABLE;

	(void)ifname;
	if (jid < 0)
		return wj_jail_not_running(name, e);
	if (procctl(P_PID, getpid(), PROC_TRACE_CTL, &ctl) < 0)
		return wj_errnof(e, errno, "jail %s: procctl(PROC_TRACE_CTL)", name);
	if (jail_attach(jid) < 0)
		return wj_errnof(e, errno, "jail %s: jail_attach", name);
	return 0;
}

static int fb_exec(const char *name, char *const argv[], struct wj_err *e)
{
	int jid = jid_of(name);

	if (jid < 0)
		return wj_jail_not_running(name, e);
	if (jail_attach(jid) < 0)
		return wj_errnof(e, errno, "jail %s: jail_attach", name);
	execvp(argv[0], argv);
	wj_errnof(e, errno, "jail %s: cannot run %s", name, argv[0]);
	return -2;
}

static void fb_jail_ifname(const struct jail_spec *s, char *buf, size_t sz)
{
	struct rc_jail j;

	rcjail_from_spec(s, &j);
	rc_wg_ifname(&j, buf, sz);
}

/* A running jail: its interface synced to the config, minimal changes
 * (nothing changed: nothing touched). */
static int reconcile(const struct jail_spec *s, const struct jail_up_opts *o, struct wj_err *e)
{
	struct wg_sync_result res;
	struct wg_device *conf = NULL;
	char ifn[24];
	int r;

	fb_jail_ifname(s, ifn, sizeof(ifn));
	if (jailwg_load(s->name, s->ifname, &conf, e) < 0)
		return -1;
	r = jail_dev_sync(s->name, ifn, conf, o->dry, o->out, &res, e);
	wg_device_free(conf);
	return r;
}

/* Provision what changed, then start the jail with jail(8), or reconcile
 * it when it runs. */
static int fb_up(const struct jail_spec *s, const struct jail_up_opts *o, struct wj_err *e)
{
	if (provision_jail(s->name, o->dry, o->out, e) < 0)
		return -1;
	if (fb_is_up(s->name))
		return reconcile(s, o, e);
	if (o->dry) {
		fprintf(o->out, "would: %s -f /etc/jail.conf.d/%s.conf -c %s\n", jail_cmd_program(), s->name, s->name);
		return 0;
	}
	return jail_cmd_run(JAIL_CMD_CREATE, "", s->name, o->out, e);
}

/* jail -r with the jail's own file: its exec.stop, then exec.poststop,
 * which removes the uplink (rc/jailconf.c). */
static int fb_down(const char *name, FILE *out, struct wj_err *e)
{
	if (!fb_is_up(name)) {
		fprintf(out, "jail %s is not running\n", name);
		return 0;
	}
	return jail_cmd_run(JAIL_CMD_REMOVE, "", name, out, e);
}

static int fb_boot_up(const struct jail_spec *s, FILE *out, struct wj_err *e)
{
	struct jail_up_opts o = {.dry = false, .out = out};
	FILE *null = NULL;
	int r;

	if (!out && !(o.out = null = fopen("/dev/null", "we")))
		return wj_errnof(e, errno, "/dev/null");
	/* One owner per jail at boot (agent/jailcmd.h): provisioned here,
	 * first-boot keys included, then reconciled when it runs, else
	 * started by jail(8) unless rc.d/jail, which runs after this, will. */
	if (provision_jail(s->name, false, o.out, e) < 0)
		r = -1;
	else if (fb_is_up(s->name))
		r = reconcile(s, &o, e);
	else if ((r = jail_boot_start("", s->name, o.out, e)) == 1)
		r = 2; /* left to rc.d/jail */
	if (null)
		fclose(null);
	return r;
}

static bool fb_daemon_died(const char *name, long *pid)
{
	(void)name;
	(void)pid;
	return false; /* if_wg: no daemon */
}

static int fb_keep_files(const struct jail_spec *s, FILE *out, struct wj_err *e)
{
	return jail_ifconf_sync(s, "", out, e);
}

/* FreeBSD's row of agent/platform.h; agent/platform_linux.c fills the same
 * fields, so the two records look alike by design. */
const struct wj_platform wj_platform_freebsd = {
	.name = "FreeBSD",
	.is_up = fb_is_up,
	.start_hint = fb_start_hint,
	.enter = fb_enter,
	.exec = fb_exec,
	.up = fb_up,
	.down = fb_down,
	.boot_up = fb_boot_up,
	.boot_done = "up",
	.jail_ifname = fb_jail_ifname,
	.daemon_died = fb_daemon_died,
	.keep_files = fb_keep_files,
	.provisions_host = true,
	.watch = &watch_ops_kqueue,
};
