/* The agent's side of the resolver process (see agent/resolver.h). */
#include "agent/resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/selfexe.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "wg/resolve.h"

/* The host's files the resolver reads, copied into its root. */
static const char *const mirrored[] = {"/etc/resolv.conf", "/etc/hosts", "/etc/gai.conf", "/etc/host.conf"};
#define N_MIRRORED (sizeof(mirrored) / sizeof(mirrored[0]))
#define MIRROR_MAX (16u << 20)
static const char nsswitch[] = "# written by the wgjail agent: the resolver's name sources\nhosts: files dns\n";

struct fileid {
	bool present;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim, ctim;
};

struct resolver {
	char root[PATH_MAX];
	int exefd;
	int fd;             /* the agent's end, -1 when there is no process */
	pid_t pid;          /* the process, 0 none */
	bool ready;         /* its HELLO came */
	int64_t started_ms; /* when it was started */
	int64_t restart_ms; /* start it at this time (fd < 0) */
	unsigned restarts, young_deaths;
	uint64_t seq;
	uint32_t next_id;
	/* names: open addressing, linear probing, NULL = empty */
	struct rsv_entry **tab;
	size_t tcap, n;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	/* waiting to be sent, oldest first */
	struct rsv_entry **queue;
	size_t qhead, qn, qcap;
	struct rsv_entry *inflight[RSV_INFLIGHT];
	size_t nin;
	struct fileid files[N_MIRRORED];
	int64_t files_ms;   /* files last checked */
};

/* ---- the names -------------------------------------------------------- */

static size_t slot_of(const struct resolver *r, const char *name)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, (const unsigned char *)name, strlen(name), r->hkey);
	memcpy(&v, h, sizeof(v));
	return (size_t)v & (r->tcap - 1);
}

static struct rsv_entry *lookup(const struct resolver *r, const char *name)
{
	if (!r->tcap)
		return NULL;
	for (size_t i = slot_of(r, name);; i = (i + 1) & (r->tcap - 1)) {
		if (!r->tab[i])
			return NULL;
		if (!strcmp(r->tab[i]->name, name))
			return r->tab[i];
	}
}

static void place(struct resolver *r, struct rsv_entry *en)
{
	size_t i = slot_of(r, en->name);

	while (r->tab[i])
		i = (i + 1) & (r->tcap - 1);
	r->tab[i] = en;
}

/* Rebuild the table with room for at least N entries, keeping those KEEP
 * accepts and freeing the others. */
static int rebuild(struct resolver *r, size_t n, bool (*keep)(struct rsv_entry *))
{
	struct rsv_entry **old = r->tab;
	size_t ocap = r->tcap, cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	if (!(r->tab = calloc(cap, sizeof(*r->tab)))) {
		r->tab = old;
		return -1;
	}
	r->tcap = cap;
	r->n = 0;
	for (size_t i = 0; i < ocap; i++) {
		struct rsv_entry *en = old[i];
		if (!en)
			continue;
		if (keep && !keep(en)) {
			free(en->name);
			free(en);
			continue;
		}
		place(r, en);
		r->n++;
	}
	free(old);
	return 0;
}

static struct rsv_entry *intern(struct resolver *r, const char *name)
{
	struct rsv_entry *en = lookup(r, name);

	if (en)
		return en;
	if ((r->n + 1) * 2 > r->tcap && rebuild(r, r->n + 1, NULL) < 0)
		return NULL;
	if (!(en = calloc(1, sizeof(*en))) || !(en->name = strdup(name))) {
		free(en);
		return NULL;
	}
	place(r, en);
	r->n++;
	return en;
}

static void answer_failed(struct resolver *r, struct rsv_entry *en, int code, const char *why)
{
	char q[96];

	en->answered = true;
	en->ok = false;
	en->code = code;
	snprintf(en->error, sizeof(en->error), "endpoint '%s' does not resolve: %s", wj_quote(en->name, q, sizeof(q)),
		 why);
	en->seq = ++r->seq;
	en->when = time(NULL);
}

/* ---- the process ------------------------------------------------------ */

static int copy_file(const char *src, const char *dst, struct wj_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (wj_read_file(src, MIRROR_MAX, false, &buf, &len, e) < 0)
		return -1;
	rc = wj_write_atomic(dst, buf, len, 0644, e);
	wj_free_file(buf, len, false);
	return rc;
}

/* Bring the copies of the host's files up to date (at most once a
 * second). */
static void sync_files(struct resolver *r, int64_t now, bool force)
{
	if (!force && now - r->files_ms < 1000)
		return;
	r->files_ms = now;
	for (size_t i = 0; i < N_MIRRORED; i++) {
		char dst[PATH_MAX + 16];
		struct fileid id = {0};
		struct stat st;
		struct wj_err e;

		if (stat(mirrored[i], &st) == 0)
			id = (struct fileid){true, st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
		if (!memcmp(&id, &r->files[i], sizeof(id)) && !force)
			continue;
		snprintf(dst, sizeof(dst), "%s%s", r->root, mirrored[i]);
		wj_err_clear(&e);
		if (!id.present) {
			if (unlink(dst) < 0 && errno != ENOENT)
				log_warn("resolver: removing %s", dst);
		} else if (copy_file(mirrored[i], dst, &e) < 0) {
			log_warnx("resolver: copying %s: %s", mirrored[i], e.msg);
			continue; /* tried again at the next check */
		}
		r->files[i] = id;
	}
}

static int prepare_root(struct resolver *r, const char *rundir, struct wj_err *e)
{
	char etc[PATH_MAX + 8], path[PATH_MAX + 32];

	if (snprintf(r->root, sizeof(r->root), "%s/resolver", rundir) >= (int)sizeof(r->root))
		return wj_errf(e, "%s: path too long", rundir);
	snprintf(etc, sizeof(etc), "%s/etc", r->root);
	if (wj_mkdirs(etc, 0755, e) < 0)
		return -1;
	/* The root and its etc: root's, writable by no one else. */
	if (chmod(r->root, 0755) < 0 || chmod(etc, 0755) < 0)
		return wj_errnof(e, errno, "%s", r->root);
	snprintf(path, sizeof(path), "%s/nsswitch.conf", etc);
	if (wj_write_atomic(path, nsswitch, sizeof(nsswitch) - 1, 0644, e) < 0)
		return -1;
	memset(r->files, 0, sizeof(r->files));
	sync_files(r, wj_mono_ms(), true);
	return 0;
}

/* The resolver's environment: only what libc's resolver and the
 * sanitizers read, nothing else of the agent's (no $NOTIFY_SOCKET, no
 * tunables). */
static const char *const rsv_env[] = {"RES_OPTIONS", "LOCALDOMAIN", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};
#define N_RSV_ENV (sizeof(rsv_env) / sizeof(rsv_env[0]))

static int spawn(struct resolver *r, int64_t now, struct wj_err *e)
{
	char *argv[] = {"wgjail", "_resolver", r->root, NULL};
	char *envp[N_RSV_ENV + 1];
	int sv[2], fl, map[4];
	pid_t pid;

	selfexe_env(envp, N_RSV_ENV + 1, rsv_env, N_RSV_ENV);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return wj_errnof(e, errno, "resolver: socketpair");
	/* Descriptor 3 for the child's end; 0-2 as they are. */
	map[0] = map[1] = map[2] = -1;
	map[3] = sv[1];
	if ((pid = selfexe_spawn(r->exefd, argv, envp, map, 4, e)) < 0) {
		close(sv[0]);
		close(sv[1]);
		return wj_err_prefix(e, "resolver");
	}
	close(sv[1]);
	fl = fcntl(sv[0], F_GETFL);
	if (fl >= 0)
		fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
	r->fd = sv[0];
	r->pid = pid;
	r->ready = false;
	r->started_ms = now;
	r->restart_ms = 0;
	return 0;
}

static void status_text(char *out, size_t outsz, int status)
{
	if (WIFSIGNALED(status))
		snprintf(out, outsz, " (killed by signal %d)", WTERMSIG(status));
	else if (WIFEXITED(status))
		snprintf(out, outsz, " (exit status %d)", WEXITSTATUS(status));
}

/* The process is gone or must go: say why, fail what it held, plan a new
 * one.  STATUS: its exit status when the caller reaped it, else NULL. */
static void lost(struct resolver *r, bool kill_it, const int *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void lost(struct resolver *r, bool kill_it, const int *status, const char *fmt, ...)
{
	char why[WJ_ERR_MAX], st[64] = "", later[32] = "";
	int64_t now = wj_mono_ms();
	unsigned delay;
	va_list ap;
	int ws;

	if (r->fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	close(r->fd);
	r->fd = -1;
	if (status) {
		status_text(st, sizeof(st), *status);
	} else if (r->pid > 0) {
		/* Reaped here, for its status: one that closed its end is
		 * exiting (given 200 ms); any other is killed. */
		struct timespec ms = {0, 1000000};
		pid_t w = 0;
		for (int i = 0; !kill_it && i < 200 && (w = waitpid(r->pid, &ws, WNOHANG)) == 0; i++)
			nanosleep(&ms, NULL);
		if (w == 0) {
			kill(r->pid, SIGKILL);
			w = waitpid(r->pid, &ws, 0);
		}
		if (w == r->pid && !kill_it)
			status_text(st, sizeof(st), ws);
	}
	for (size_t i = 0; i < r->nin; i++) {
		r->inflight[i]->inflight = false;
		answer_failed(r, r->inflight[i], EAGAIN, "the resolver process went away meanwhile");
	}
	r->nin = 0;
	/* One that dies young (or never started) is started again later and
	 * later: it may be the system's fault, and retrying in a loop helps
	 * no one. */
	if (now - r->started_ms < 10000)
		r->young_deaths++;
	else
		r->young_deaths = 0;
	delay = r->young_deaths <= 1 ? 0 : 1000u << (r->young_deaths < 8 ? r->young_deaths - 2 : 6);
	if (delay > 60000)
		delay = 60000;
	if (delay)
		snprintf(later, sizeof(later), " in %u s", delay / 1000);
	r->restarts++;
	r->restart_ms = now + delay;
	log_warnx("resolver (pid %ld) %s%s; starting a new one%s (restart %u)", (long)r->pid, why, st, later,
		  r->restarts);
	r->pid = 0;
	r->ready = false;
}

/* ---- requests ---------------------------------------------------------- */

static void push(struct resolver *r, struct rsv_entry *en)
{
	if (r->qn == r->qcap) {
		size_t cap = r->qcap ? r->qcap * 2 : 16;
		struct rsv_entry **nq = malloc(cap * sizeof(*nq));
		if (!nq) {
			answer_failed(r, en, EAGAIN, "out of memory");
			return;
		}
		for (size_t i = 0; i < r->qn; i++)
			nq[i] = r->queue[(r->qhead + i) % r->qcap];
		free(r->queue);
		r->queue = nq;
		r->qcap = cap;
		r->qhead = 0;
	}
	r->queue[(r->qhead + r->qn++) % r->qcap] = en;
	en->queued = true;
}

static void flush(struct resolver *r, int64_t now)
{
	if (r->fd < 0 || !r->ready)
		return;
	if (r->qn)
		sync_files(r, now, false);
	while (r->qn && r->nin < RSV_INFLIGHT) {
		struct rsv_entry *en = r->queue[r->qhead];
		struct rsv_request rq;
		struct wj_err e;

		wj_err_clear(&e);
		if (++r->next_id == 0)
			r->next_id = 1;
		if (rsv_request_make(&rq, r->next_id, en->name, &e) < 0) {
			en->queued = false;
			r->qhead = (r->qhead + 1) % r->qcap;
			r->qn--;
			en->answered = true;
			en->ok = false;
			en->code = ENOENT;
			snprintf(en->error, sizeof(en->error), "%s", e.msg);
			en->seq = ++r->seq;
			en->when = time(NULL);
			continue;
		}
		if (send(r->fd, &rq, sizeof(rq), MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(rq)) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return; /* sent at the next tick */
			/* A closed peer is a process that is gone: reaped for its
			 * status, as when its end reads as closed. */
			if (errno == EPIPE || errno == ECONNRESET)
				lost(r, false, NULL, "is gone");
			else
				lost(r, true, NULL, "cannot be written to (%s)", strerror(errno));
			return;
		}
		en->queued = false;
		r->qhead = (r->qhead + 1) % r->qcap;
		r->qn--;
		en->inflight = true;
		en->id = rq.id;
		en->sent_ms = now;
		r->inflight[r->nin++] = en;
	}
}

void resolver_ask(struct resolver *r, const char *name)
{
	struct rsv_entry *en = intern(r, name);

	if (!en) {
		log_warnx("resolver: out of memory asking for %s", name);
		return;
	}
	if (en->inflight || en->queued)
		return;
	push(r, en);
	flush(r, wj_mono_ms());
}

/* ---- answers ----------------------------------------------------------- */

static void take_answer(struct resolver *r, const struct rsv_reply *rp)
{
	struct rsv_entry *en = NULL;
	size_t i;

	for (i = 0; i < r->nin; i++)
		if (r->inflight[i]->id == rp->id) {
			en = r->inflight[i];
			break;
		}
	if (!en) {
		/* An id never given is a violation; one given before is an
		 * answer that came after its request was given up. */
		if (rp->id > r->next_id)
			lost(r, true, NULL, "answered request %u, which was never asked; killed", (unsigned)rp->id);
		return;
	}
	if (rp->status == RSV_OK) {
		union wg_sockaddr sa;
		char host[RSV_HOST_MAX + 1], port[RSV_PORT_MAX + 1];
		struct wj_err e;

		rsv_reply_addr(rp, &sa);
		if (wg_endpoint_split(en->name, host, sizeof(host), port, sizeof(port), &e) < 0 ||
		    strtoul(port, NULL, 10) != rp->port) {
			lost(r, true, NULL, "answered %s with port %u; killed", en->name, (unsigned)rp->port);
			return;
		}
		en->answered = en->ok = en->have_addr = true;
		en->addr = sa;
		en->error[0] = '\0';
		en->code = 0;
		en->seq = ++r->seq;
		en->when = time(NULL);
	} else {
		answer_failed(r, en, rp->status == RSV_TEMPORARY ? EAGAIN : ENOENT, rp->text);
	}
	en->inflight = false;
	r->inflight[i] = r->inflight[--r->nin];
}

void resolver_read(struct resolver *r)
{
	while (r->fd >= 0) {
		unsigned char buf[sizeof(struct rsv_reply) + 1];
		struct iovec iov = {buf, sizeof(buf)};
		struct rsv_reply rp;
		struct msghdr mh;
		struct wj_err e;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(r->fd, &mh, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			if (n == 0 || errno == ECONNRESET)
				lost(r, false, NULL, "is gone");
			else
				lost(r, true, NULL, "cannot be read (%s)", strerror(errno));
			return;
		}
		wj_err_clear(&e);
		if ((mh.msg_flags & MSG_TRUNC) || rsv_reply_check(buf, (size_t)n, &rp, &e) < 0) {
			lost(r, true, NULL, "broke the protocol (%s); killed", e.msg[0] ? e.msg : "oversized message");
			return;
		}
		if (rp.magic == RSV_MAGIC_HELLO) {
			if (r->ready) {
				lost(r, true, NULL, "said hello twice; killed");
				return;
			}
			if (rp.status == RSV_FATAL) {
				lost(r, true, NULL, "could not start: %s", rp.text);
				return;
			}
			r->ready = true;
			log_debug("resolver (pid %ld) ready", (long)r->pid);
			flush(r, wj_mono_ms());
			continue;
		}
		if (!r->ready) {
			lost(r, true, NULL, "answered before its hello; killed");
			return;
		}
		take_answer(r, &rp);
	}
	flush(r, wj_mono_ms());
}

int resolver_tick(struct resolver *r, int64_t now)
{
	int64_t next = -1;

	if (r->fd < 0 && now >= r->restart_ms) {
		struct wj_err e;
		wj_err_clear(&e);
		if (spawn(r, now, &e) < 0) {
			log_warnx("%s; trying again in 5 s", e.msg);
			r->restart_ms = now + 5000;
		}
	}
	if (r->fd < 0)
		return (int)(r->restart_ms - now > 0 ? r->restart_ms - now : 0);
	for (size_t i = 0; i < r->nin; i++) {
		int64_t due = r->inflight[i]->sent_ms + RSV_TIMEOUT_MS;
		if (now >= due) {
			lost(r, true, NULL, "did not answer for %s in %d s; killed", r->inflight[i]->name, RSV_TIMEOUT_MS / 1000);
			return 0;
		}
		if (next < 0 || due - now < next)
			next = due - now;
	}
	flush(r, now);
	if (r->qn && r->ready && r->nin < RSV_INFLIGHT) /* the socket was full: try again soon */
		next = next < 0 || next > 50 ? 50 : next;
	return next < 0 ? -1 : next > INT32_MAX ? INT32_MAX : (int)next;
}

bool resolver_reaped(struct resolver *r, pid_t pid, int status)
{
	if (pid == r->pid && r->fd >= 0) {
		/* Gone before its socket said so. */
		lost(r, false, &status, "is gone");
		return true;
	}
	return false; /* (a resolver already counted as lost is reaped here too) */
}

/* ---- lifecycle and queries ---------------------------------------------- */

struct resolver *resolver_new(const char *rundir, struct wj_err *e)
{
	struct resolver *r = calloc(1, sizeof(*r));

	if (!r) {
		wj_errnof(e, ENOMEM, "resolver");
		return NULL;
	}
	r->fd = -1;
	r->exefd = -1;
	randombytes_buf(r->hkey, sizeof(r->hkey));
	if (prepare_root(r, rundir, e) < 0 || (r->exefd = selfexe_open(e)) < 0 || rebuild(r, 8, NULL) < 0) {
		if (!e->msg[0])
			wj_errnof(e, ENOMEM, "resolver");
		resolver_free(r);
		return NULL;
	}
	r->started_ms = wj_mono_ms();
	r->restart_ms = 0; /* the first tick starts it */
	resolver_tick(r, wj_mono_ms());
	return r;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd); /* it exits on EOF */
	if (r->pid > 0)
		waitpid(r->pid, NULL, WNOHANG);
	if (r->exefd >= 0)
		close(r->exefd);
	for (size_t i = 0; i < r->tcap; i++)
		if (r->tab[i]) {
			free(r->tab[i]->name);
			free(r->tab[i]);
		}
	free(r->tab);
	free(r->queue);
	free(r);
}

int resolver_fd(const struct resolver *r)
{
	return r->fd;
}

const struct rsv_entry *resolver_get(struct resolver *r, const char *name)
{
	return lookup(r, name);
}

uint64_t resolver_seq(const struct resolver *r)
{
	return r->seq;
}

void resolver_mark(struct resolver *r, const char *name)
{
	struct rsv_entry *en = lookup(r, name);

	if (en)
		en->used = true;
}

static bool keep_entry(struct rsv_entry *en)
{
	bool keep = en->used || en->inflight || en->queued;

	en->used = false;
	return keep;
}

void resolver_sweep(struct resolver *r)
{
	size_t used = 0;

	for (size_t i = 0; i < r->tcap; i++)
		if (r->tab[i] && (r->tab[i]->used || r->tab[i]->inflight || r->tab[i]->queued))
			used++;
	if (used == r->n) {
		for (size_t i = 0; i < r->tcap; i++)
			if (r->tab[i])
				r->tab[i]->used = false;
		return;
	}
	if (rebuild(r, used, keep_entry) < 0)
		log_warnx("resolver: out of memory forgetting names");
}

long resolver_pid(const struct resolver *r)
{
	return r->fd >= 0 ? (long)r->pid : 0;
}

unsigned resolver_restarts(const struct resolver *r)
{
	return r->restarts;
}

int resolver_hook(const char *text, union wg_sockaddr *out, struct wj_err *e, void *arg)
{
	struct resolver *r = arg;
	const struct rsv_entry *en = lookup(r, text);
	char q[96];

	if (en && en->have_addr) {
		*out = en->addr;
		return 0;
	}
	if (en && en->answered) {
		wj_errf(e, "%s", en->error);
		e->code = en->code;
		return -1;
	}
	resolver_ask(r, text);
	wj_errf(e, "endpoint '%s' is being resolved (the peer is added when it is)", wj_quote(text, q, sizeof(q)));
	e->code = EINPROGRESS;
	return -1;
}
