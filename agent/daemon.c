/* The agent's event loop (see agent/daemon.h). */
#include "agent/daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/boot.h"
#include "agent/daemon_int.h"
#include "agent/jailcall.h"
#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/notify.h"
#include "agent/platform.h"
#include "agent/reresolve.h"
#include "agent/resolver.h"
#include "agent/status.h"
#include "agent/uplinkwatch.h"
#include "util/array.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/tunables.h"
#include "agent/watch.h"
#include "wg/applied.h"
#include "wg/backend.h"
#include "wg/model.h"
#include "wg/peer_meta.h"
#include "wg/resolve.h"

static struct ajail *find_jail(struct agent *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].name, name))
			return &a->v[i];
	return NULL;
}

static struct ajail *add_jail(struct agent *a, const char *name)
{
	struct ajail *j;

	struct ajail *nv = wj_grow(a->v, &a->cap, a->n, sizeof(*nv), 8);
	if (!nv)
		return NULL;
	a->v = nv;
	j = &a->v[a->n++];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", name);
	j->state = JAIL_DOWN;
	j->rsv_seen = resolver_seq(a->rsv); /* (older answers were for others) */
	return j;
}

static void free_jail(struct ajail *j)
{
	wg_device_free(j->conf);
	wg_device_free(j->dev);
	j->conf = j->dev = NULL;
}

/* Log each line the platform part printed. */
static void log_lines(const char *jail, char *text)
{
	for (char *line = text, *next; line && *line; line = next) {
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		if (!*line)
			continue;
		/* lines of `up` that name the jail already are logged as is */
		if (!strncmp(line, "jail ", 5) && !strncmp(line + 5, jail, strlen(jail)) &&
		    line[5 + strlen(jail)] == ':')
			log_info("%s", line);
		else
			log_info("jail %s: %s", jail, line);
	}
}

static void reconcile(struct agent *a, struct ajail *j)
{
	struct boot_row row;
	struct jail_spec spec;
	struct wg_device *conf = NULL;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int r, lockfd = -1;

	j->due_ms = 0;
	/* A restart after the daemon died: only if the jail is still up as
	 * it was (checked under its lock: a `wgjail down` meanwhile removed
	 * its state, and a jail taken down is not brought back). */
	if (j->restart) {
		struct wj_err e;
		long pid;
		j->restart = false;
		if (jail_lock(j->name, &lockfd, &e) < 0) {
			log_warnx("%s", e.msg);
			return;
		}
		if (!wj_platform()->daemon_died(j->name, &pid)) {
			log_info("jail %s: taken down meanwhile; not brought back up", j->name);
			jail_unlock(lockfd);
			return;
		}
		j->restarts++;
		log_warnx("jail %s: its userspace WireGuard daemon (pid %ld) is gone; bringing the jail back up "
			  "(restart %u)",
			  j->name, pid, j->restarts);
	}
	f = open_memstream(&out, &outlen);
	j->rsv_reconciled = resolver_seq(a->rsv); /* answers known to this reconcile */
	j->reconciles++;
	r = boot_jail_ex(j->name, f, &row, &spec, &conf); /* (the lock is reentrant) */
	jail_unlock(lockfd);
	if (f)
		fclose(f);
	if (out) {
		log_lines(j->name, out);
		free(out);
	}
	if (conf) { /* spec and config were good: they are the new truth */
		wg_device_free(j->conf);
		j->conf = conf;
		j->spec = spec;
		j->have_spec = true;
	}
	agent_expiry_schedule(j, 0);
	if (r == 0 || (conf && !strcmp(row.state, "partial")))
		j->last_ok = time(NULL);
	else
		j->reconcile_failures++;
	if (r == 0) {
		j->state = JAIL_UP;
		j->message[0] = '\0';
		log_info("jail %s: %s%s%s", j->name, row.state, row.message[0] ? ": " : "", row.message);
	} else if (conf && !strcmp(row.state, "partial")) {
		j->state = JAIL_UP;
		snprintf(j->message, sizeof(j->message), "%s", row.message);
		log_warnx("jail %s: %s", j->name, row.message);
	} else if (!conf && j->have_spec) {
		/* A broken edit: reported, ignored; what runs stays. */
		snprintf(j->message, sizeof(j->message), "%s", row.message);
		log_warnx("%s; ignored, jail %s keeps running as it was", row.message, j->name);
	} else {
		j->state = JAIL_ERROR;
		snprintf(j->message, sizeof(j->message), "%s", row.message);
		log_warnx("jail %s: %s", j->name, row.message);
	}
	/* Status after each change: this jail is read again, the others'
	 * last reading is reported (reading every jail after every edit
	 * does not scale: 50 jails, 10,000 peers, an edit every 100 ms). */
	j->dirty = true;
	a->report_due = true;
}

/* Watch every directory that may become a jail (one whose jail.conf is
 * still to come), so that its first file is seen. */
static void watch_subdirs(struct agent *a)
{
	DIR *d = opendir(wj_confdir());
	struct dirent *de;
	struct wj_err e;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (wj_jail_name_invalid(de->d_name) || de->d_type != DT_DIR)
			continue;
		if (watch_add_jail(a->w, de->d_name, &e) < 0)
			log_debug("%s", e.msg);
	}
	closedir(d);
}

static void rescan(struct agent *a)
{
	char **names = NULL;
	size_t n = 0;
	struct wj_err e;

	a->rescan = false;
	wj_err_clear(&e);
	if (jailspec_list(&names, &n, &e) < 0) {
		log_warnx("%s", e.msg);
		return;
	}
	for (size_t i = 0; i < a->n; i++)
		a->v[i].present = false;
	for (size_t i = 0; i < n; i++) {
		struct ajail *j = find_jail(a, names[i]);
		if (!j) {
			if (!(j = add_jail(a, names[i]))) {
				log_warnx("out of memory adding jail %s", names[i]);
				continue;
			}
			/* New: boot it (after the debounce, unless this is the
			 * agent's own start: its other files may be on their way). */
			j->due_ms = wj_mono_ms() + (a->started ? a->debounce_ms : 0);
			log_info("jail %s: found", names[i]);
		}
		j->present = true;
		if (watch_add_jail(a->w, names[i], &e) < 0)
			log_warnx("%s", e.msg);
		free(names[i]);
	}
	free(names);
	a->started = true;
	/* Jails whose spec went away: forgotten, their tunnels left alone
	 * (removing a spec is not an order to tear a jail down). */
	for (size_t i = 0; i < a->n;) {
		struct ajail *j = &a->v[i];
		if (j->present) {
			i++;
			continue;
		}
		log_info("jail %s: spec removed; no longer managed (left as it is)", j->name);
		watch_remove_jail(a->w, j->name);
		rr_sweep(&a->rr, j->name);
		free_jail(j);
		*j = a->v[--a->n];
	}
	/* Every directory that is left stays watched, a forgotten jail's
	 * too: when its spec comes back, the agent sees it. */
	watch_subdirs(a);
	a->next_status_ms = 0;
}

static void on_change(const char *jail, void *arg)
{
	struct agent *a = arg;
	struct ajail *j;

	if (!jail || !(j = find_jail(a, jail))) {
		a->rescan = true; /* a new directory, or a spec that appeared */
		return;
	}
	{
		char spec[PATH_MAX];
		if (jail_path(spec, sizeof(spec), jail, "jail.conf") == 0 && !wj_exists(spec))
			a->rescan = true; /* the spec went: forget the jail (it may come back) */
	}
	/* The first change opens a window of DEBOUNCE ms; changes inside it
	 * join the same reconcile.  (Not pushed back by each write, so a
	 * steady stream of edits cannot postpone reconciles forever.) */
	if (!j->due_ms)
		j->due_ms = wj_mono_ms() + a->debounce_ms;
}

static void check_jail(struct agent *a, struct ajail *j, time_t now)
{
	struct wg_device *d = NULL;
	char ifn[WJ_IFNAME_MAX + 1];
	struct wj_err e;

	wj_err_clear(&e);
	if (!j->have_spec)
		return;
	if (!wj_platform()->is_up(j->spec.name)) {
		wj_jail_not_running(j->spec.name, &e);
		wg_device_free(j->dev);
		j->dev = NULL;
		if (j->state == JAIL_UP)
			j->state = JAIL_DOWN;
		if (j->state == JAIL_DOWN)
			snprintf(j->message, sizeof(j->message), "%s", e.msg);
		return;
	}
	wj_platform()->jail_ifname(&j->spec, ifn, sizeof(ifn));
	if (jail_dev_get(j->spec.name, ifn, &d, &e) < 0) {
		wg_device_free(j->dev);
		j->dev = NULL;
		if (j->state == JAIL_UP) {
			j->state = JAIL_DOWN;
			snprintf(j->message, sizeof(j->message), "%s", e.msg);
			log_warnx("jail %s: %s", j->name, e.msg);
		}
		return;
	}
	snprintf(d->name, sizeof(d->name), "%s", ifn);
	wg_device_copy_meta(d, j->conf); /* names for status.json */
	wg_device_free(j->dev);
	j->dev = d;
	if (j->state == JAIL_DOWN) { /* came back (e.g. brought up by hand) */
		j->state = JAIL_UP;
		j->message[0] = '\0';
	}
	agent_reresolve(a, j, now);
}

/* A jail whose userspace daemon died (killed, crashed) has no interface
 * any more: brought back up by a reconcile, logged and counted. */
static void check_daemons(struct agent *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct ajail *j = &a->v[i];
		long pid = 0;

		if (!j->have_spec || j->restart || !wj_platform()->daemon_died(j->name, &pid))
			continue;
		j->restart = true;
		if (!j->due_ms)
			j->due_ms = wj_mono_ms();
	}
}

/* Reap the children that exited: the daemons `up` started for jails are
 * the agent's children. */
static void reap(struct agent *a)
{
	int status;
	pid_t pid;
	bool any = false;

	a->reap = false;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (resolver_reaped(a->rsv, pid, status))
			continue;
		any = true;
		log_debug("child %ld exited (status %d)", (long)pid,
			  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	if (any)
		check_daemons(a);
}

/* The check: ALL, every jail (the periodic one); else only the jails
 * changed since the last report.  Then the report. */
static void health(struct agent *a, bool all)
{
	time_t now = time(NULL);

	check_daemons(a);
	for (size_t i = 0; i < a->n; i++) {
		if (all || a->v[i].dirty)
			check_jail(a, &a->v[i], now);
		a->v[i].dirty = false;
	}
	if (all)
		resolver_sweep(a->rsv); /* names no peer uses any more (marked by the checks) */
	a->report_due = false;
	agent_report(a, now);
}

/* Signals reach the loop through a self-pipe (portable: signalfd is
 * Linux-only): the handler writes the signal number, poll() sees it. */
static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* pipe full: a signal of each kind is already pending */
	}
	errno = saved;
}

static int setup_signals(struct agent *a, struct wj_err *e)
{
	static const int sigs[] = {SIGHUP, SIGTERM, SIGINT, SIGCHLD};
	struct sigaction sa;

	if (pipe(sig_pipe) < 0)
		return wj_errnof(e, errno, "pipe");
	for (int i = 0; i < 2; i++) {
		int fl = fcntl(sig_pipe[i], F_GETFL);
		if (fl < 0 || fcntl(sig_pipe[i], F_SETFL, fl | O_NONBLOCK) < 0 ||
		    fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC) < 0)
			return wj_errnof(e, errno, "pipe flags");
	}
	a->sigfd = sig_pipe[0];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return wj_errnof(e, errno, "sigaction");
	return 0;
}

static void restore_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	for (int i = 0; i < 2; i++) {
		if (sig_pipe[i] >= 0)
			close(sig_pipe[i]);
		sig_pipe[i] = -1;
	}
}

static void read_signals(struct agent *a)
{
	unsigned char c;

	while (read(a->sigfd, &c, 1) == 1) {
		if (c == SIGHUP) {
			log_info("SIGHUP: reconciling every jail");
			a->rescan = true;
			for (size_t i = 0; i < a->n; i++)
				a->v[i].due_ms = wj_mono_ms();
		} else if (c == SIGCHLD) {
			a->reap = true;
		} else {
			log_info("signal %u: stopping (tunnels stay up)", (unsigned)c);
			a->stop = true;
		}
	}
}

/* The poll timeout: until the next thing due (a reconcile, the check,
 * an uplink change settled, the resolver's timer, a watchdog ping), at
 * most a minute. */
static int timeout_ms(const struct agent *a, int64_t now, int rsv_ms)
{
	int64_t next = a->next_status_ms;
	int nt = notify_timeout(&a->nt, now);

	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].due_ms && a->v[i].due_ms < next)
			next = a->v[i].due_ms;
		if (a->v[i].expiry_ms && a->v[i].expiry_ms < next)
			next = a->v[i].expiry_ms;
	}
	if (a->uplink_ms && a->uplink_ms < next)
		next = a->uplink_ms;
	if (rsv_ms >= 0 && now + rsv_ms < next)
		next = now + rsv_ms;
	if (nt >= 0 && now + nt < next)
		next = now + nt;
	if (a->rescan || a->report_due || next <= now)
		return 0;
	return next - now > 60000 ? 60000 : (int)(next - now);
}

/* The metrics file's directory must exist and be writable; if not, the
 * agent says so and goes on (metrics are not worth stopping for). */
static void check_metrics_path(const char *path)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (!slash || !dir[0])
		snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
	if (access(dir, W_OK) < 0)
		log_warn("metrics file %s: its directory %s cannot be written (metrics are written when it can)", path,
			 dir);
}

/* Set up what the loop needs besides the watch: the service manager's
 * socket, the resolver process (a fresh exec: it never sees a key,
 * agent/resolver.h), the uplink watch. */
static int start_parts(struct agent *a, const struct agent_opts *o, struct wj_err *e)
{
	struct wj_err we;

	a->start = time(NULL);
	/* First: it takes $NOTIFY_SOCKET out of the environment the
	 * resolver is started with. */
	wj_err_clear(&we);
	if (notify_init(&a->nt, wj_mono_ms(), &we) < 0)
		log_warnx("%s; the service manager is not notified", we.msg);
	if (!(a->rsv = resolver_new(status_rundir(), e)))
		return -1;
	/* The executable the processes that enter jails are started from
	 * (agent/jailcall.h), opened now: an upgrade may replace the file. */
	if (jail_call_init(e) < 0)
		return -1;
	wg_resolve_set_hook(resolver_hook, a->rsv);
	wj_err_clear(&we);
	if (!(a->uw = uplinkwatch_new(&we)))
		log_warnx("%s; host names are re-resolved by handshake age only", we.msg);
	if (o && o->metrics_path) {
		a->metrics_path = o->metrics_path;
		check_metrics_path(a->metrics_path);
	}
	return 0;
}

static void stop_parts(struct agent *a)
{
	notify_send(&a->nt, "STOPPING=1");
	notify_close(&a->nt);
	agent_report_end();
	wg_resolve_set_hook(NULL, NULL);
	resolver_free(a->rsv);
	uplinkwatch_free(a->uw);
}

/* READY=1 once every jail found at start had its first reconcile. */
static void say_ready(struct agent *a)
{
	char msg[128];
	size_t up = 0;

	if (a->ready || !a->started)
		return;
	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].due_ms && !a->v[i].reconciles)
			return;
		up += a->v[i].state == JAIL_UP;
	}
	a->ready = true;
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%zu jail%s, %zu up", a->n, a->n == 1 ? "" : "s", up);
	notify_send(&a->nt, msg);
}

int agent_run(const struct agent_opts *o, struct wj_err *e)
{
	struct agent a;
	int ret = -1, rsv_ms = -1;

	memset(&a, 0, sizeof(a));
	a.sigfd = -1;
	a.nt.fd = -1;
	rr_init(&a.rr);
	rr_params_default(&a.rrp);
	health_limits_default(&a.hl);
	a.debounce_ms = wj_tunable(WJ_DEBOUNCE_MS);
	a.status_ms = wj_tunable(WJ_STATUS_INTERVAL_MS);
	if (a.status_ms < 100)
		a.status_ms = 100;
	if (o && o->status_path)
		snprintf(a.status_path, sizeof(a.status_path), "%s", o->status_path);
	else if (snprintf(a.status_path, sizeof(a.status_path), "%s/status.json", status_rundir()) >=
		 (int)sizeof(a.status_path))
		return wj_errf(e, "status path too long");
	if (wj_mkdirs(wj_confdir(), 0755, e) < 0)
		return -1;
	if (start_parts(&a, o, e) < 0)
		goto out;
	if (!(a.w = watch_new(wj_confdir(), e)))
		goto out;
	if (setup_signals(&a, e) < 0)
		goto out;
	log_info("agent started: %s, status in %s%s%s", wj_confdir(), a.status_path, a.metrics_path ? ", metrics in " : "",
		 a.metrics_path ? a.metrics_path : "");
	a.rescan = true;
	while (!a.stop) {
		enum { P_SIG, P_WATCH, P_RSV, P_UPLINK, P_N };
		struct pollfd pfd[P_N] = {{a.sigfd, POLLIN, 0},
					  {watch_fd(a.w), POLLIN, 0},
					  {resolver_fd(a.rsv), POLLIN, 0},
					  {a.uw ? uplinkwatch_fd(a.uw) : -1, POLLIN, 0}};
		int64_t now = wj_mono_ms();
		int r = poll(pfd, P_N, timeout_ms(&a, now, rsv_ms));

		if (r < 0 && errno != EINTR) {
			wj_errnof(e, errno, "poll");
			goto out;
		}
		if (r > 0 && (pfd[P_SIG].revents & POLLIN))
			read_signals(&a);
		if (a.stop)
			break;
		if (r > 0 && (pfd[P_WATCH].revents & POLLIN) && watch_read(a.w, on_change, &a, e) < 0)
			log_warnx("%s", e->msg);
		if (r > 0 && pfd[P_RSV].fd >= 0 && (pfd[P_RSV].revents & (POLLIN | POLLHUP | POLLERR)))
			resolver_read(a.rsv);
		if (a.reap)
			reap(&a);
		if (r > 0 && pfd[P_UPLINK].fd >= 0 && (pfd[P_UPLINK].revents & POLLIN))
			agent_uplink_read(&a);
		if (a.rescan)
			rescan(&a);
		now = wj_mono_ms();
		for (size_t i = 0; i < a.n; i++)
			if (a.v[i].expiry_ms && a.v[i].expiry_ms <= now)
				agent_expiry_due(&a, &a.v[i]);
		for (size_t i = 0; i < a.n && !a.stop; i++) {
			if (a.v[i].due_ms && a.v[i].due_ms <= now)
				reconcile(&a, &a.v[i]);
			notify_watchdog(&a.nt, wj_mono_ms()); /* a long pass is not a stuck loop */
		}
		agent_answers(&a);
		agent_uplink_due(&a, wj_mono_ms());
		if (wj_mono_ms() >= a.next_status_ms) {
			health(&a, true);
			a.next_status_ms = wj_mono_ms() + a.status_ms;
		} else if (a.report_due) {
			health(&a, false);
		}
		say_ready(&a);
		rsv_ms = resolver_tick(a.rsv, wj_mono_ms());
		notify_watchdog(&a.nt, wj_mono_ms());
	}
	ret = 0;
out:
	for (size_t i = 0; i < a.n; i++)
		free_jail(&a.v[i]);
	free(a.v);
	rr_free(&a.rr);
	watch_free(a.w);
	stop_parts(&a);
	restore_signals();
	return ret;
}
