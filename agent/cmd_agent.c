/* wgjail agent [-f] [-v] [-p PIDFILE] [--metrics-file PATH]: boot every
 * jail, then keep them true (agent/daemon.h).  Without -f it daemonises, logs to syslog and
 * writes RUNDIR/agent.pid; with -f it stays in the foreground, logs to
 * stderr and writes a pid file only if -p names one.  One agent per RUNDIR
 * (RUNDIR/agent.lock). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/commands.h"
#include "agent/daemon.h"
#include "agent/status.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/log.h"

/* One agent at a time: an flock held for the process's life. */
static int take_lock(const char *rundir, struct wj_err *e)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/agent.lock", rundir) >= (int)sizeof(path))
		return wj_errf(e, "%s: path too long", rundir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return wj_errnof(e, errno, "%s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		close(fd);
		if (err == EWOULDBLOCK)
			return wj_errf(e, "another agent is running (%s is locked)", path);
		return wj_errnof(e, err, "%s", path);
	}
	return fd;
}

static int daemonise(struct wj_err *e)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0)
		return wj_errnof(e, errno, "fork");
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return wj_errnof(e, errno, "setsid");
	if ((pid = fork()) < 0)
		return wj_errnof(e, errno, "fork");
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return wj_errnof(e, errno, "chdir /");
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return wj_errnof(e, errno, "/dev/null");
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

static int write_pidfile(const char *path, struct wj_err *e)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	return wj_write_atomic(path, buf, (size_t)n, 0644, e);
}

int cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {{"foreground", no_argument, NULL, 'f'},
						 {"verbose", no_argument, NULL, 'v'},
						 {"pidfile", required_argument, NULL, 'p'},
						 {"metrics-file", required_argument, NULL, 'm'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	char pidpath[PATH_MAX] = "", metrics[PATH_MAX] = "";
	const char *rundir = status_rundir();
	bool fg = false, verbose = false;
	struct agent_opts ao = {NULL, NULL};
	struct wj_err e;
	int ch, lockfd, r;

	while ((ch = cmd_getopt("agent", argc, argv, "fvp:m:h", longopts, &r)) != -1) {
		switch (ch) {
		case CMD_OPT_EXIT:
			return r;
		case 'f':
			fg = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'p':
			if (wj_path_invalid(optarg) || snprintf(pidpath, sizeof(pidpath), "%s", optarg) >= (int)sizeof(pidpath))
				return cmd_usage_error("agent", "bad pid file path '%s'", optarg);
			break;
		case 'm':
			if (optarg[0] != '/' || wj_path_invalid(optarg) ||
			    snprintf(metrics, sizeof(metrics), "%s", optarg) >= (int)sizeof(metrics))
				return cmd_usage_error("agent", "bad metrics file path '%s' (an absolute path)", optarg);
			ao.metrics_path = metrics;
			break;
		}
	}
	if ((r = cmd_operands("agent", argc, argv, 0, 0, "")) != WJ_EXIT_OK)
		return r;
	wj_err_clear(&e);
	if (!fg && !pidpath[0] && snprintf(pidpath, sizeof(pidpath), "%s/agent.pid", rundir) >= (int)sizeof(pidpath))
		return cmd_usage_error("agent", "RUNDIR too long");
	if (wj_mkdirs(rundir, 0755, &e) < 0)
		return cmd_fail(&e);
	if ((lockfd = take_lock(rundir, &e)) < 0)
		return cmd_fail(&e);
	if (!fg && daemonise(&e) < 0)
		return cmd_fail(&e); /* stderr still open: the first steps cannot fail silently after it */
	log_init(!fg, verbose);
	if (pidpath[0] && write_pidfile(pidpath, &e) < 0) {
		log_warnx("%s", e.msg);
		return WJ_EXIT_FAIL;
	}
	r = agent_run(&ao, &e);
	if (r < 0)
		log_warnx("%s", e.msg);
	if (pidpath[0])
		unlink(pidpath);
	close(lockfd);
	log_info("agent stopped");
	return r < 0 ? WJ_EXIT_FAIL : WJ_EXIT_OK;
}
