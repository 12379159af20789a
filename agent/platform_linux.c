/* The jail operations on Linux (see agent/platform.h): a jail is a named
 * network namespace (agent/jail_linux.h). */
#include "agent/platform.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/jail_linux.h"
#include "agent/jailspec.h"
#include "agent/jailstate.h"
#include "agent/watch.h"
#include "agent/wggo_linux.h"
#include "netconf/netns.h"
#include "util/err.h"

/* Where wg(8) and wireguard-go look for UAPI sockets. */
#define UAPI_SYSTEM_DIR "/var/run/wireguard"

static bool lx_is_up(const char *name)
{
	return netns_exists(name);
}

static void lx_start_hint(const char *name, char *buf, size_t sz)
{
	snprintf(buf, sz, "wgjail up %s", name);
}

/* The jail's private UAPI directory in *DIR when wireguard-go drives its
 * interface (`up` recorded it): 1; 0 when it has none (a kernel link, or
 * a namespace made by hand: the default directory then, as wg(8) would). */
static int uapi_of(const char *name, char *dir, size_t sz, struct wj_err *e)
{
	struct jail_state st;
	int have = jailstate_load(name, &st, e);

	if (have <= 0 || strcmp(st.impl, "userspace"))
		return have < 0 ? -1 : 0;
	if (jail_uapi_dir(name, dir, sz) < 0)
		return wj_errf(e, "jail %s: the path of its UAPI socket directory is too long", name);
	return 1;
}

static int enter_netns(const char *name, struct wj_err *e)
{
	int saved;

	if (!netns_exists(name))
		return wj_jail_not_running(name, e);
	if (netns_enter(name, &saved, e) < 0)
		return wj_err_prefix(e, "jail %s", name);
	close(saved); /* never left again: this process is the jail's now */
	return 0;
}

/* In the process jail_call exec'd for one call: the jail's namespace; its wireguard-go is
 * reached through its directory, given to the UAPI backend by the
 * environment (wg/uapi.h), which this process alone sees. */
static int lx_enter(const char *name, const char *ifname, struct wj_err *e)
{
	char dir[PATH_MAX];
	int u = uapi_of(name, dir, sizeof(dir), e);

	(void)ifname;
	if (u < 0)
		return -1;
	if (u == 1 && setenv("WGJAIL_UAPI_DIR", dir, 1) < 0)
		return wj_errnof(e, errno, "jail %s", name);
	return enter_netns(name, e);
}

/* /var/run/wireguard as the jail sees it: an empty directory of this
 * process's own (the host's sockets are not the jail's), holding a link to
 * each socket of the jail's private directory (links: wireguard-go stops
 * when its socket file is touched). */
static int private_uapi_dir(const char *name, const char *dir, struct wj_err *e)
{
	struct dirent *d;
	DIR *dp;

	if (mkdir(UAPI_SYSTEM_DIR, 0755) < 0 && errno != EEXIST)
		return wj_errnof(e, errno, "%s", UAPI_SYSTEM_DIR);
	if (mount("tmpfs", UAPI_SYSTEM_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
		return wj_errnof(e, errno, "jail %s: a private %s", name, UAPI_SYSTEM_DIR);
	if (!dir)
		return 0;
	if (!(dp = opendir(dir)))
		return wj_errnof(e, errno, "jail %s: %s", name, dir);
	while ((d = readdir(dp))) {
		char from[PATH_MAX], to[PATH_MAX];
		size_t n = strlen(d->d_name);
		if (n <= 5 || strcmp(d->d_name + n - 5, ".sock"))
			continue;
		if (snprintf(from, sizeof(from), "%s/%s", dir, d->d_name) >= (int)sizeof(from) ||
		    snprintf(to, sizeof(to), "%s/%s", UAPI_SYSTEM_DIR, d->d_name) >= (int)sizeof(to))
			continue;
		if (symlink(from, to) < 0) {
			closedir(dp);
			return wj_errnof(e, errno, "jail %s: %s", name, to);
		}
	}
	closedir(dp);
	return 0;
}

/* As `ip netns exec` does, plus the jail's UAPI sockets where wg(8) looks
 * for them: the namespace, a mount namespace of this process's own (slave:
 * nothing mounted here reaches the host), the jail's /sys (so that
 * /sys/class/net lists its interfaces), then the program. */
static int lx_exec(const char *name, char *const argv[], struct wj_err *e)
{
	char dir[PATH_MAX];
	int u = uapi_of(name, dir, sizeof(dir), e);

	if (u < 0 || enter_netns(name, e) < 0)
		return -1;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return wj_errnof(e, errno, "jail %s: a private mount namespace", name);
	if (umount2("/sys", MNT_DETACH) == 0 && mount(name, "/sys", "sysfs", 0, NULL) < 0)
		return wj_errnof(e, errno, "jail %s: mounting its /sys", name);
	if (private_uapi_dir(name, u == 1 ? dir : NULL, e) < 0)
		return -1;
	execvp(argv[0], argv);
	wj_errnof(e, errno, "jail %s: cannot run %s", name, argv[0]);
	return -2;
}

static int lx_boot_up(const struct jail_spec *s, FILE *out, struct wj_err *e)
{
	struct jail_up_opts o = {.dry = false, .out = out};
	FILE *null = NULL;
	int r;

	if (!out && !(o.out = null = fopen("/dev/null", "we")))
		return wj_errnof(e, errno, "/dev/null");
	r = jail_up(s, &o, e);
	if (null)
		fclose(null);
	return r;
}

static void lx_jail_ifname(const struct jail_spec *s, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s", s->ifname);
}

static bool lx_daemon_died(const char *name, long *pid)
{
	struct jail_state st;
	struct wj_err ignored;

	if (jailstate_load(name, &st, &ignored) != 1 || strcmp(st.impl, "userspace") || !st.wggo_pid)
		return false;
	*pid = (long)st.wggo_pid;
	return !wggo_alive(st.wggo_pid, st.wggo_start);
}

/* Linux's row of agent/platform.h; agent/platform_freebsd.c fills the same
 * fields, so the two records look alike by design. */
const struct wj_platform wj_platform_linux = {
	.name = "Linux",
	.is_up = lx_is_up,
	.start_hint = lx_start_hint,
	.enter = lx_enter,
	.exec = lx_exec,
	.up = jail_up,
	.down = jail_down,
	.boot_up = lx_boot_up,
	.boot_done = "up",
	.jail_ifname = lx_jail_ifname,
	.daemon_died = lx_daemon_died,
	.keep_files = NULL,
	.provisions_host = false,
	.watch = &watch_ops_inotify,
};
