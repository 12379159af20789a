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
#include "agent/jailcall.h"
#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/platform.h"
#include "agent/reresolve.h"
#include "agent/status.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/tunables.h"
#include "agent/watch.h"
#include "wg/applied.h"
#include "wg/backend.h"
#include "wg/model.h"
#include "wg/resolve.h"

struct ajail {
	char name[WJ_JAIL_NAME_MAX + 1];
	bool present;               /* still has a spec in the directory */
	bool have_spec;             /* SPEC and CONF are the last good ones */
	struct jail_spec spec;
	struct wg_device *conf;     /* last good config (endpoint texts kept) */
	struct wg_device *dev;      /* device as read at the last check */
	enum jail_state_kind state;
	char message[WJ_ERR_MAX];
	int64_t due_ms;             /* reconcile at this time, 0 = not due */
	unsigned restarts;          /* brought back up after its daemon died */
	bool restart;               /* the next reconcile is such a restart */
};

struct agent {
	struct ajail *v;
	size_t n, cap;
	struct watch *w;
	int sigfd;
	bool rescan, stop, started, reap;
	unsigned debounce_ms, status_ms;
	int64_t next_status_ms;
	struct rr_sched rr;
	struct rr_params rrp;
	struct health_limits hl;
	char status_path[PATH_MAX];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct ajail *nv = realloc(a->v, cap * sizeof(*nv));
		if (!nv)
			return NULL;
		a->v = nv;
		a->cap = cap;
	}
	j = &a->v[a->n++];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", name);
	j->state = JAIL_DOWN;
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
	a->next_status_ms = 0; /* status after each change */
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
			j->due_ms = now_ms() + (a->started ? a->debounce_ms : 0);
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
		j->due_ms = now_ms() + a->debounce_ms;
}

/* Re-resolve the stale host-name peers of J (here, with the host's
 * resolver), sending a single-peer change into the jail when an address
 * moved. */
static void reresolve(struct agent *a, struct ajail *j, const char *ifn, time_t now)
{
	struct wg_resolve_opts ro = {0, 0, 0}; /* one attempt: the loop must not stall */
	char kb[WG_KEY_B64_LEN + 1], was[80], is[80];
	bool changed = false;

	for (size_t i = 0; j->conf && i < j->conf->n_peers; i++) {
		const struct wg_peer *want = &j->conf->peers[i];
		const struct wg_peer *cur;
		union wg_sockaddr sa;
		struct wg_device *cs;
		struct wg_peer *p;
		struct wj_err e;

		if (!rr_endpoint_is_name(want->endpoint))
			continue;
		rr_mark(&a->rr, j->name, want->public_key);
		if (!(cur = wg_device_find_peer(j->dev, want->public_key))) {
			/* Left out when its name did not resolve: once it does,
			 * reconcile the jail (the sync engine adds it). */
			if (!rr_due(&a->rr, j->name, want->public_key, 0, now, &a->rrp) ||
			    rr_attempted(&a->rr, j->name, want->public_key, now, &a->rrp) < 0)
				continue;
			rr_mark(&a->rr, j->name, want->public_key);
			wj_err_clear(&e);
			if (wg_resolve_endpoint(want->endpoint, &sa, &ro, &e) == 0) {
				log_info("jail %s: %s resolves now; adding its peer", j->name, want->endpoint);
				if (!j->due_ms)
					j->due_ms = now_ms();
			}
			continue;
		}
		if (!rr_due(&a->rr, j->name, want->public_key, cur->last_handshake_sec, now, &a->rrp))
			continue;
		if (rr_attempted(&a->rr, j->name, want->public_key, now, &a->rrp) < 0)
			continue;
		rr_mark(&a->rr, j->name, want->public_key);
		key_to_base64(kb, want->public_key);
		wj_err_clear(&e);
		if (wg_resolve_endpoint(want->endpoint, &sa, &ro, &e) < 0) {
			log_warnx("jail %s: peer %s: %s; will retry", j->name, kb, e.msg);
			continue;
		}
		if (wg_sockaddr_equal(&sa, &cur->endpoint_addr)) {
			log_debug("jail %s: peer %s: %s still resolves to the same address", j->name, kb,
				  want->endpoint);
			continue;
		}
		wg_sockaddr_fmt(&cur->endpoint_addr, was, sizeof(was));
		wg_sockaddr_fmt(&sa, is, sizeof(is));
		/* A change set of one peer and one field: nobody else is touched. */
		if (!(cs = wg_device_new()) || !(p = wg_device_add_peer(cs, want->public_key))) {
			wg_device_free(cs);
			log_warnx("jail %s: out of memory re-resolving", j->name);
			continue;
		}
		p->flags = WGPEER_UPDATE_ONLY | WGPEER_HAS_ENDPOINT;
		p->endpoint_addr = sa;
		if (jail_dev_set(j->spec.name, ifn, cs, &e) < 0)
			log_warnx("jail %s: peer %s: setting endpoint %s: %s", j->name, kb, is, e.msg);
		else {
			log_info("jail %s: peer %s: %s now resolves to %s (was %s); endpoint updated", j->name, kb,
				 want->endpoint, is, was[0] ? was : "none");
			changed = true;
		}
		wg_device_free(cs);
	}
	rr_sweep(&a->rr, j->name);
	if (changed) { /* show the new endpoint at once */
		struct wg_device *d = NULL;
		struct wj_err e;
		if (jail_dev_get(j->spec.name, ifn, &d, &e) == 0) {
			wg_device_free(j->dev);
			j->dev = d;
		}
	}
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
	wg_device_free(j->dev);
	j->dev = d;
	if (j->state == JAIL_DOWN) { /* came back (e.g. brought up by hand) */
		j->state = JAIL_UP;
		j->message[0] = '\0';
	}
	reresolve(a, j, ifn, now);
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
			j->due_ms = now_ms();
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
		any = true;
		log_debug("child %ld exited (status %d)", (long)pid,
			  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	if (any)
		check_daemons(a);
}

static void health(struct agent *a)
{
	struct status_jail *sj = a->n ? calloc(a->n, sizeof(*sj)) : NULL;
	time_t now = time(NULL);
	struct wj_err e;

	check_daemons(a);
	for (size_t i = 0; i < a->n; i++)
		check_jail(a, &a->v[i], now);
	if (a->n && !sj) {
		log_warnx("out of memory writing the status");
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct ajail *j = &a->v[i];
		snprintf(sj[i].name, sizeof(sj[i].name), "%s", j->name);
		snprintf(sj[i].ifname, sizeof(sj[i].ifname), "%s", j->have_spec ? j->spec.ifname : "");
		sj[i].state = j->state;
		snprintf(sj[i].message, sizeof(sj[i].message), "%s", j->message);
		sj[i].dev = j->dev;
		sj[i].restarts = j->restarts;
	}
	wj_err_clear(&e);
	if (status_write(a->status_path, sj, a->n, now, &a->hl, &e) < 0)
		log_warnx("%s", e.msg);
	free(sj);
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
				a->v[i].due_ms = now_ms();
		} else if (c == SIGCHLD) {
			a->reap = true;
		} else {
			log_info("signal %u: stopping (tunnels stay up)", (unsigned)c);
			a->stop = true;
		}
	}
}

static int timeout_ms(const struct agent *a, int64_t now)
{
	int64_t next = a->next_status_ms;

	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].due_ms && a->v[i].due_ms < next)
			next = a->v[i].due_ms;
	if (a->rescan || next <= now)
		return 0;
	return next - now > 60000 ? 60000 : (int)(next - now);
}

int agent_run(const struct agent_opts *o, struct wj_err *e)
{
	struct agent a;
	int ret = -1;

	memset(&a, 0, sizeof(a));
	a.sigfd = -1;
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
	if (!(a.w = watch_new(wj_confdir(), e)))
		return -1;
	if (setup_signals(&a, e) < 0)
		goto out;
	log_info("agent started: %s, status in %s", wj_confdir(), a.status_path);
	a.rescan = true;
	while (!a.stop) {
		struct pollfd pfd[2] = {{a.sigfd, POLLIN, 0}, {watch_fd(a.w), POLLIN, 0}};
		int64_t now = now_ms();
		int r = poll(pfd, 2, timeout_ms(&a, now));

		if (r < 0 && errno != EINTR) {
			wj_errnof(e, errno, "poll");
			goto out;
		}
		if (r > 0 && (pfd[0].revents & POLLIN))
			read_signals(&a);
		if (a.stop)
			break;
		if (r > 0 && (pfd[1].revents & POLLIN) && watch_read(a.w, on_change, &a, e) < 0)
			log_warnx("%s", e->msg);
		if (a.reap)
			reap(&a);
		if (a.rescan)
			rescan(&a);
		now = now_ms();
		for (size_t i = 0; i < a.n && !a.stop; i++)
			if (a.v[i].due_ms && a.v[i].due_ms <= now)
				reconcile(&a, &a.v[i]);
		if (now_ms() >= a.next_status_ms) {
			health(&a);
			a.next_status_ms = now_ms() + a.status_ms;
		}
	}
	ret = 0;
out:
	for (size_t i = 0; i < a.n; i++)
		free_jail(&a.v[i]);
	free(a.v);
	rr_free(&a.rr);
	watch_free(a.w);
	restore_signals();
	return ret;
}
