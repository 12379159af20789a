/* Doing something inside a running jail (see agent/jailcall.h). */
#include "agent/jailcall.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/platform.h"
#include "util/err.h"
#include "wg/applied.h"
#include "wg/backend.h"
#include "wg/resolve.h"
#include "wg/sync.h"
#include "wg/uapi_decode.h"
#include "wg/uapi_write.h"

/* What the child says about FN: fixed size, below PIPE_BUF (one write). */
struct call_status {
	int32_t r;
	int32_t code;
	char msg[WJ_ERR_MAX];
	unsigned char ret[JAIL_CALL_RET_MAX];
};

/* In the child: never returns. */
static void child(const char *name, const char *ifname, jail_fn fn, void *arg, int data, int stfd)
{
	struct call_status st;
	struct wj_err e;

	memset(&st, 0, sizeof(st));
	wj_err_clear(&e);
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGPIPE, &sa, NULL);
	}
	if (wj_platform()->enter(name, ifname, &e) < 0)
		st.r = -1;
	else if ((st.r = fn(ifname, data, st.ret, arg, &e)) < 0)
		wj_err_prefix(&e, "jail %s", name);
	close(data);
	st.code = e.code;
	memcpy(st.msg, e.msg, sizeof(st.msg));
	if (write(stfd, &st, sizeof(st)) != (ssize_t)sizeof(st))
		_exit(125);
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

static int drain(int fd, void *arg, struct wj_err *e)
{
	char buf[4096];
	ssize_t n;

	(void)arg;
	(void)e;
	while ((n = read(fd, buf, sizeof(buf))) != 0)
		if (n < 0 && errno != EINTR)
			break;
	return 0;
}

static int read_status(int fd, struct call_status *st)
{
	size_t got = 0;

	while (got < sizeof(*st)) {
		ssize_t n = read(fd, (char *)st + got, sizeof(*st) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	st->msg[sizeof(st->msg) - 1] = '\0';
	return 0;
}

static int child_died(const char *name, int ws, struct wj_err *e)
{
	if (WIFSIGNALED(ws))
		return wj_errf(e, "jail %s: the process that entered the jail was killed by signal %d", name,
			       WTERMSIG(ws));
	return wj_errf(e, "jail %s: the process that entered the jail ended with status %d", name,
		       WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
}

int jail_call(const char *name, const char *ifname, jail_fn fn, jail_reply_fn reply, void *arg, void *ret,
	      size_t retsz, struct wj_err *e)
{
	int data[2], stp[2], ws = 0, rr;
	struct call_status st;
	pid_t pid;

	if (!wj_platform()->is_up(name))
		return wj_jail_not_running(name, e);
	if (pipe(data) < 0)
		return wj_errnof(e, errno, "jail %s: pipe", name);
	if (pipe(stp) < 0) {
		close(data[0]);
		close(data[1]);
		return wj_errnof(e, errno, "jail %s: pipe", name);
	}
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid == 0) {
		close(data[0]);
		close(stp[0]);
		child(name, ifname, fn, arg, data[1], stp[1]);
	}
	close(data[1]);
	close(stp[1]);
	if (pid < 0) {
		close(data[0]);
		close(stp[0]);
		return wj_errnof(e, errno, "jail %s: fork", name);
	}
	rr = (reply ? reply : drain)(data[0], arg, e);
	close(data[0]);
	if (read_status(stp[0], &st) < 0)
		st.r = INT32_MIN;
	close(stp[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	/* The child's own error says most; then the reply's (E has it);
	 * then how the child ended. */
	if (st.r < 0 && st.r != INT32_MIN) {
		e->code = st.code;
		snprintf(e->msg, sizeof(e->msg), "%s", st.msg);
		return -1;
	}
	if (rr < 0)
		return -1;
	if (st.r == INT32_MIN)
		return child_died(name, ws, e);
	if (ret)
		memcpy(ret, st.ret, retsz < sizeof(st.ret) ? retsz : sizeof(st.ret));
	return st.r;
}

/* ---- the device: read, changed ---- */

static int get_in(const char *ifname, int fd, void *ret, void *arg, struct wj_err *e)
{
	const struct wg_backend *b = wg_backend_for(ifname, e);
	struct wg_device *d = NULL;
	int r;

	(void)ret;
	(void)arg;
	if (!b || b->get(ifname, &d, e) < 0)
		return -1;
	snprintf(d->name, sizeof(d->name), "%s", ifname);
	r = wg_uapi_write_get(fd, d, e);
	wg_device_free(d);
	return r;
}

static int get_reply(int fd, void *arg, struct wj_err *e)
{
	struct wg_device **out = arg;
	struct wg_uapi_dec *d = wg_uapi_dec_new(false);
	char buf[16384];
	int done = 0;

	if (!d)
		return wj_errnof(e, ENOMEM, "reading the jail's interface");
	while (done == 0) {
		size_t used = 0;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the child's error says why */
		done = wg_uapi_dec_feed(d, buf, (size_t)n, &used, e);
		if (done == 1 && used != (size_t)n)
			done = wj_errf(e, "reading the jail's interface: bytes after the reply");
	}
	if (done == 1)
		*out = wg_uapi_dec_take(d);
	wg_uapi_dec_free(d);
	if (done == 0) /* end of file before the reply ended */
		return drain(fd, NULL, e);
	if (done < 0)
		drain(fd, NULL, e);
	return done < 0 ? -1 : 0;
}

int jail_dev_get(const char *name, const char *ifname, struct wg_device **out, struct wj_err *e)
{
	*out = NULL;
	if (jail_call(name, ifname, get_in, get_reply, out, NULL, 0, e) < 0) {
		wg_device_free(*out);
		*out = NULL;
		return -1;
	}
	if (!*out)
		return wj_errf(e, "jail %s: no reply from inside the jail", name);
	snprintf((*out)->name, sizeof((*out)->name), "%s", ifname);
	return 0;
}

static int set_in(const char *ifname, int fd, void *ret, void *arg, struct wj_err *e)
{
	const struct wg_backend *b = wg_backend_for(ifname, e);

	(void)fd;
	(void)ret;
	return b ? wg_device_set(b, ifname, arg, e) : -1;
}

int jail_dev_set(const char *name, const char *ifname, const struct wg_device *changes, struct wj_err *e)
{
	return jail_call(name, ifname, set_in, NULL, (void *)changes, NULL, 0, e) < 0 ? -1 : 0;
}

struct sync_args {
	struct wg_device *desired;
	bool dry_run;
	FILE *report;
};

/* The engine's report goes back through the pipe, line by line. */
static int sync_in(const char *ifname, int fd, void *ret, void *arg, struct wj_err *e)
{
	struct sync_args *a = arg;
	struct wg_sync_opts so = {.dry_run = a->dry_run};
	struct wg_sync_result res = {0};
	int rfd = a->report ? dup(fd) : -1;
	int r;

	if (rfd >= 0 && !(so.report = fdopen(rfd, "w")))
		close(rfd);
	r = wg_sync(ifname, a->desired, &so, &res, e);
	if (so.report)
		fclose(so.report);
	_Static_assert(sizeof(res) <= JAIL_CALL_RET_MAX, "the sync result fits");
	memcpy(ret, &res, sizeof(res));
	return r;
}

static int copy_report(int fd, void *arg, struct wj_err *e)
{
	struct sync_args *a = arg;
	char buf[4096];
	ssize_t n;

	(void)e;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (a->report)
			fwrite(buf, 1, (size_t)n, a->report);
	}
	return 0;
}

int jail_dev_sync(const char *name, const char *ifname, struct wg_device *desired, bool dry_run, FILE *report,
		  struct wg_sync_result *res, struct wj_err *e)
{
	struct sync_args a = {desired, dry_run, report};

	memset(res, 0, sizeof(*res));
	/* Resolved out here: the jail may have no resolver of its own. */
	for (size_t i = 0; i < desired->n_peers; i++) {
		struct wg_peer *p = &desired->peers[i];
		struct wj_err ignored;
		if (p->endpoint && p->endpoint_addr.sa.sa_family == AF_UNSPEC)
			wg_resolve_endpoint(p->endpoint, &p->endpoint_addr, NULL, &ignored);
	}
	return jail_call(name, ifname, sync_in, copy_report, &a, res, sizeof(*res), e);
}
