/* Doing something inside a running jail (see agent/jailcall.h): the
 * caller's side. */
#include "agent/jailcall.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/jailcall_proto.h"
#include "agent/platform.h"
#include "agent/selfexe.h"
#include "util/err.h"
#include "util/tunables.h"
#include "wg/resolve.h"
#include "wg/sync.h"
#include "wg/uapi_decode.h"
#include "wg/uapi_write.h"

/* ---- the processes ---- */

/* The executable, opened once (jail_call_init: at start, before an upgrade
 * could replace the file). */
static int self_fd = -1;

int jail_call_init(struct wj_err *e)
{
	if (self_fd < 0 && (self_fd = selfexe_open(e)) < 0)
		return -1;
	return 0;
}

/* In the caller: read the process's bytes from FD until end of file. */
typedef int (*jail_reply_fn)(int fd, void *arg, struct wj_err *e);

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

static int read_status(int fd, struct jc_status *st)
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
	return wj_errf(e, "jail %s: the process that entered the jail ended with status %d%s", name,
		       WIFEXITED(ws) ? WEXITSTATUS(ws) : -1,
		       WIFEXITED(ws) && WEXITSTATUS(ws) == 127 ? " (wgjail could not be run again)" : "");
}

static int send_text(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The request: the header, then DEV in the set form. */
static int send_request(int fd, const struct jc_header *h, const struct wg_device *dev, struct wj_err *e)
{
	char hdr[JC_HEADER_MAX];
	int n = jc_header_format(h, hdr, sizeof(hdr));

	if (n < 0)
		return wj_errf(e, "jail %s: the request header is too long", h->jail);
	if (send_text(fd, hdr, (size_t)n) < 0)
		return wj_errnof(e, errno, "jail %s: sending the request", h->jail);
	return dev ? wg_uapi_write_set(fd, h->ifname, dev, WG_UAPI_SET_REQUEST, e) : 0;
}

/* The process's environment: wgjail's own variables (the places,
 * util/paths.h; the tunables, util/tunables.h) and the sanitizers';
 * nothing else. */
static const char *const jc_env[] = {"WGJAIL_STATEDIR", "WGJAIL_RUNDIR", "WGJAIL_CONFDIR", "WGJAIL_UAPI_DIR",
				     "ASAN_OPTIONS",    "UBSAN_OPTIONS", "LSAN_OPTIONS"};
#define N_JC_ENV (sizeof(jc_env) / sizeof(jc_env[0]))
#define JC_ENV_MAX (N_JC_ENV + WJ_TUNABLES + 1)

static void child_env(char **envp)
{
	const char *names[N_JC_ENV + WJ_TUNABLES];

	memcpy(names, jc_env, sizeof(jc_env));
	for (size_t i = 0; i < WJ_TUNABLES; i++)
		names[N_JC_ENV + i] = wj_tunables[i].env;
	selfexe_env(envp, JC_ENV_MAX, names, N_JC_ENV + WJ_TUNABLES);
}

static int cloexec_pipe(int p[2])
{
	if (pipe(p) < 0)
		return -1;
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/* A process for one call: its pid and the caller's ends of its
 * descriptors. */
struct jc_proc {
	pid_t pid;
	int rq, data, stp;
	char jail[WJ_JAIL_NAME_MAX + 1]; /* prefork: the jail it is for */
};

/* Its descriptors: the caller's ends in P, the process's in MAP (the
 * places of agent/jailcall_proto.h).  0, or -1 (errno set). */
static int jc_pipes(struct jc_proc *p, int map[4])
{
	int rq[2], data[2], stp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rq) < 0)
		return -1;
	if (cloexec_pipe(data) < 0) {
		close(rq[0]);
		close(rq[1]);
		return -1;
	}
	if (cloexec_pipe(stp) < 0) {
		close(rq[0]);
		close(rq[1]);
		close(data[0]);
		close(data[1]);
		return -1;
	}
	p->rq = rq[0];
	p->data = data[0];
	p->stp = stp[0];
	map[JC_FD_REQUEST] = rq[1];
	map[JC_FD_REPLY] = data[1];
	map[2] = -1;
	map[JC_FD_STATUS] = stp[1];
	return 0;
}

static void jc_close(struct jc_proc *p, const int map[4])
{
	for (int i = 0; map && i < 4; i++)
		if (map[i] >= 0)
			close(map[i]);
	if (!p)
		return;
	close(p->rq);
	close(p->data);
	close(p->stp);
}

/* ---- the process forked before the command read anything ---- */

static struct jc_proc pre = {.pid = -1};

/* The process's environment as it started (main's third argument: not
 * `environ`, which FreeBSD's headers do not declare). */
static char **start_env;

void jail_call_env(char **envp)
{
	start_env = envp;
}

/* In the child of jail_call_prefork: what it keeps of its parent's
 * environment is what an exec'd process gets (child_env); every other
 * variable is wiped from its copy of the memory (an empty string, which
 * getenv never matches).  Then the descriptors go into place, as
 * selfexe_spawn's child does, and it serves the call. */
static _Noreturn void prefork_child(const int map[4])
{
	char *keep[JC_ENV_MAX];
	int tmp[4];

	child_env(keep);
	for (char **v = start_env; v && *v; v++) {
		bool kept = false;
		for (char **k = keep; *k && !kept; k++)
			kept = *k == *v;
		if (!kept)
			sodium_memzero(*v, strlen(*v));
	}
	for (int i = 0; i < 4; i++)
		if ((tmp[i] = map[i] >= 0 ? fcntl(map[i], F_DUPFD_CLOEXEC, 4) : -1) < 0 && map[i] >= 0)
			_exit(127);
	for (int i = 0; i < 4; i++)
		if (tmp[i] >= 0 && dup2(tmp[i], i) < 0)
			_exit(127);
	jail_call_serve(); /* closes everything above its descriptors first */
}

int jail_call_prefork(const char *name)
{
	int map[4];

	if (pre.pid >= 0 || !start_env || strlen(name) >= sizeof(pre.jail) || !wj_platform()->is_up(name))
		return 0;
	if (jc_pipes(&pre, map) < 0)
		return -1;
	fflush(NULL); /* nothing buffered is written twice */
	pre.pid = fork();
	if (pre.pid == 0)
		prefork_child(map);
	jc_close(pre.pid < 0 ? &pre : NULL, map);
	if (pre.pid < 0)
		return -1;
	snprintf(pre.jail, sizeof(pre.jail), "%s", name);
	return 1;
}

void jail_call_prefork_end(void)
{
	int ws;

	if (pre.pid < 0)
		return;
	jc_close(&pre, NULL); /* the process reads the end of its request, and ends */
	while (waitpid(pre.pid, &ws, 0) < 0 && errno == EINTR)
		;
	pre.pid = -1;
}

/* ---- the call ---- */

/* The process for a call into jail NAME: the one forked for it before the
 * command read anything (jail_call_prefork), else a fresh exec'd copy of
 * wgjail (the agent's calls, always).  The one place where the choice is
 * made. */
static int jc_start(const char *name, struct jc_proc *p, struct wj_err *e)
{
	char *argv[] = {"wgjail", "_jailcall", NULL};
	char *envp[JC_ENV_MAX];
	int map[4];

	if (pre.pid >= 0 && !strcmp(pre.jail, name)) {
		*p = pre;
		pre.pid = -1;
		return 0;
	}
	if (jail_call_init(e) < 0)
		return wj_err_prefix(e, "jail %s: wgjail's own executable", name);
	if (jc_pipes(p, map) < 0)
		return wj_errnof(e, errno, "jail %s: socketpair or pipe", name);
	child_env(envp);
	p->pid = selfexe_spawn(self_fd, argv, envp, map, 4, e);
	jc_close(p->pid < 0 ? p : NULL, map);
	return p->pid < 0 ? wj_err_prefix(e, "jail %s", name) : 0;
}

/* Start operation H in the running jail H->jail by a process of its own
 * (agent/jailcall_proto.h), DEV its device (SET, SYNC): the process
 * started, the request sent.  0 and *C filled, or -1 with E set (nothing
 * left). */
static int call_start(const struct jc_header *h, const struct wg_device *dev, struct jail_call *c, struct wj_err *e)
{
	struct jc_proc p;

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->data = c->stp = -1;
	snprintf(c->jail, sizeof(c->jail), "%s", h->jail);
	if (!wj_platform()->is_up(h->jail))
		return wj_jail_not_running(h->jail, e);
	if (jc_start(h->jail, &p, e) < 0)
		return -1;
	/* The request whole, then the replies: the process reads all of it
	 * before it writes. */
	wj_err_clear(&c->se);
	c->sent = send_request(p.rq, h, dev, &c->se);
	close(p.rq);
	c->pid = p.pid;
	c->data = p.data;
	c->stp = p.stp;
	return 0;
}

/* The rest of call C: REPLY reads what the process writes (NULL:
 * dropped); RET (RETSZ bytes) gets its small result.  The operation's
 * result (>= 0), or -1 with E set.  The process is reaped either way. */
static int call_finish(struct jail_call *c, jail_reply_fn reply, void *arg, void *ret, size_t retsz,
		       struct wj_err *e)
{
	struct jc_status st;
	int ws = 0, rr;

	/* A process that ended early says why in its status, which comes
	 * first. */
	rr = c->sent < 0 ? drain(c->data, NULL, e) : (reply ? reply : drain)(c->data, arg, e);
	close(c->data);
	if (read_status(c->stp, &st) < 0)
		st.r = INT32_MIN;
	close(c->stp);
	while (waitpid(c->pid, &ws, 0) < 0 && errno == EINTR)
		;
	c->pid = -1;
	/* The process's own error says most; then the request's; then the
	 * reply's (E has it); then how the process ended. */
	if (st.r < 0 && st.r != INT32_MIN) {
		e->code = st.code;
		snprintf(e->msg, sizeof(e->msg), "%s", st.msg);
		return -1;
	}
	if (c->sent < 0 && st.r != INT32_MIN) {
		*e = c->se;
		return -1;
	}
	if (st.r == INT32_MIN)
		return child_died(c->jail, ws, e);
	if (rr < 0)
		return -1;
	if (ret)
		memcpy(ret, st.ret, retsz < sizeof(st.ret) ? retsz : sizeof(st.ret));
	return st.r;
}

static int jail_call(const struct jc_header *h, const struct wg_device *dev, jail_reply_fn reply, void *arg,
		     void *ret, size_t retsz, struct wj_err *e)
{
	struct jail_call c;

	if (call_start(h, dev, &c, e) < 0)
		return -1;
	return call_finish(&c, reply, arg, ret, retsz, e);
}

static int header(struct jc_header *h, enum jc_op op, const char *name, const char *ifname, struct wj_err *e)
{
	memset(h, 0, sizeof(*h));
	h->op = op;
	if (snprintf(h->jail, sizeof(h->jail), "%s", name) >= (int)sizeof(h->jail) ||
	    snprintf(h->ifname, sizeof(h->ifname), "%s", ifname) >= (int)sizeof(h->ifname))
		return wj_errf(e, "jail %s: interface %s: name too long", name, ifname);
	return 0;
}

/* ---- the device: read, changed ---- */

/* The caller's read buffer for a GET reply: a pipe holds 64 KiB. */
#define JC_REPLY_BUF 65536

/* The reply decoded once, as it comes (the jail's bytes: never trusted).
 * One ended before its final empty line is an error saying so, unless the
 * process's own error says more (jail_call). */
static int get_reply(int fd, void *arg, struct wj_err *e)
{
	struct wg_device **out = arg;
	struct wg_uapi_dec *d = wg_uapi_dec_new(false);
	char *buf = sodium_malloc(JC_REPLY_BUF); /* holds the private key */
	size_t total = 0;
	int done = 0;

	if (!d || !buf) {
		wg_uapi_dec_free(d);
		sodium_free(buf);
		drain(fd, NULL, e);
		return wj_errnof(e, ENOMEM, "reading the jail's interface");
	}
	while (done == 0) {
		size_t used = 0;
		ssize_t n = read(fd, buf, JC_REPLY_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
		done = wg_uapi_dec_feed(d, buf, (size_t)n, &used, e);
		if (done == 1 && used != (size_t)n)
			done = wj_errf(e, "reading the jail's interface: bytes after the reply");
	}
	sodium_free(buf); /* wipes */
	if (done == 1)
		*out = wg_uapi_dec_take(d);
	wg_uapi_dec_free(d);
	if (done == 0) {
		drain(fd, NULL, e);
		return total ? wj_errf(e, "reading the jail's interface: the reply was cut short (%zu bytes, no final "
					  "empty line)", total)
			     : wj_errf(e, "reading the jail's interface: no reply");
	}
	if (done < 0)
		drain(fd, NULL, e);
	return done < 0 ? -1 : 0;
}

int jail_dev_get_start(const char *name, const char *ifname, struct jail_call *c, struct wj_err *e)
{
	struct jc_header h;

	if (header(&h, JC_GET, name, ifname, e) < 0)
		return -1;
	return call_start(&h, NULL, c, e);
}

int jail_dev_get_finish(struct jail_call *c, const char *ifname, struct wg_device **out, struct wj_err *e)
{
	*out = NULL;
	if (call_finish(c, get_reply, out, NULL, 0, e) < 0) {
		wg_device_free(*out);
		*out = NULL;
		return -1;
	}
	if (!*out)
		return wj_errf(e, "jail %s: no reply from inside the jail", c->jail);
	snprintf((*out)->name, sizeof((*out)->name), "%s", ifname);
	return 0;
}

int jail_dev_get(const char *name, const char *ifname, struct wg_device **out, struct wj_err *e)
{
	struct jail_call c;

	*out = NULL;
	if (jail_dev_get_start(name, ifname, &c, e) < 0)
		return -1;
	return jail_dev_get_finish(&c, ifname, out, e);
}

int jail_dev_set(const char *name, const char *ifname, const struct wg_device *changes, struct wj_err *e)
{
	struct jc_header h;

	if (header(&h, JC_SET, name, ifname, e) < 0)
		return -1;
	return jail_call(&h, changes, NULL, NULL, NULL, 0, e) < 0 ? -1 : 0;
}

/* The engine's report comes back through the pipe, line by line. */
static int copy_report(int fd, void *arg, struct wj_err *e)
{
	FILE *report = arg;
	char buf[4096];
	ssize_t n;

	(void)e;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (report)
			fwrite(buf, 1, (size_t)n, report);
	}
	return 0;
}

int jail_dev_sync(const char *name, const char *ifname, struct wg_device *desired, bool dry_run, FILE *report,
		  struct wg_sync_result *res, struct wj_err *e)
{
	struct jc_header h;

	_Static_assert(sizeof(*res) <= JAIL_CALL_RET_MAX, "the sync result fits");
	memset(res, 0, sizeof(*res));
	if (header(&h, JC_SYNC, name, ifname, e) < 0)
		return -1;
	h.dry_run = dry_run;
	h.report = report != NULL;
	/* Resolved out here: the jail may have no resolver of its own. */
	for (size_t i = 0; i < desired->n_peers; i++) {
		struct wg_peer *p = &desired->peers[i];
		struct wj_err ignored;
		if (p->endpoint && p->endpoint_addr.sa.sa_family == AF_UNSPEC)
			wg_resolve_endpoint(p->endpoint, &p->endpoint_addr, NULL, &ignored);
	}
	return jail_call(&h, desired, copy_report, report, res, sizeof(*res), e);
}
