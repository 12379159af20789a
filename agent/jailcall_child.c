/* The process that enters a jail: `wgjail _jailcall`, started by
 * jail_call (agent/jailcall.h) with the descriptors and the request of
 * agent/jailcall_proto.h.
 *
 * It holds what the request gives it (one jail's device) and nothing
 * else of its parent: it is exec'd, or (a command about one jail,
 * jail_call_prefork) forked before that command read anything.  It closes every
 * descriptor but its own, reads the request whole (before entering: the
 * caller's end is outside the jail), enters the jail through the
 * platform's `enter`, runs the operation, writes the reply, closes it,
 * and writes its status last.  Run by hand (descriptors that are not its
 * pipes) it refuses, with exit status 2.
 *
 * Test hook: with WGJAIL_JAILCALL_STOP=1 (util/tunables.h) it stops
 * itself (SIGSTOP) once inside the jail, before the operation, so that a
 * test can read its memory; nothing else honours it. */
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/commands.h"
#include "agent/jailcall_proto.h"
#include "agent/platform.h"
#include "util/err.h"
#include "util/secmem.h"
#include "util/tunables.h"
#include "wg/applied.h"
#include "wg/backend.h"
#include "wg/resolve.h"
#include "wg/sync.h"
#include "wg/uapi_decode.h"
#include "wg/uapi_write.h"

#define RDBUF 16384

static bool is_kind(int fd, mode_t kind)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

/* The header: up to its empty line, and nothing after it.  What has
 * arrived is peeked at (MSG_PEEK), and only the header's bytes are taken:
 * two calls for the usual header sent at once, not one per byte. */
static int read_header(struct jc_header *h, struct wj_err *e)
{
	char text[JC_HEADER_MAX];
	size_t n = 0;

	for (;;) {
		ssize_t r = recv(JC_FD_REQUEST, text + n, sizeof(text) - n, MSG_PEEK), take;
		size_t end = 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return wj_errf(e, "jail call: the request ended in its header");
		for (size_t i = n; i < n + (size_t)r && !end; i++)
			if (text[i] == '\n' && (i == 0 || text[i - 1] == '\n'))
				end = i + 1;
		take = end ? (ssize_t)(end - n) : r;
		while ((r = read(JC_FD_REQUEST, text + n, (size_t)take)) < 0 && errno == EINTR)
			;
		if (r != take)
			return wj_errf(e, "jail call: the request ended in its header");
		n += (size_t)take;
		if (end) {
			text[end - 1] = '\0';
			break;
		}
		if (n == sizeof(text))
			return wj_errf(e, "jail call: the request header is too long");
	}
	return jc_header_parse(text, h, e);
}

/* The device that follows the header, in the set form, to the end. */
static int read_device(struct wg_device **out, struct wj_err *e)
{
	struct wg_uapi_dec *d = wg_uapi_dec_new_set();
	char *buf = wj_secret_alloc(RDBUF);
	int done = 0;

	*out = NULL;
	if (!d || !buf) {
		done = wj_errnof(e, ENOMEM, "jail call: reading the request");
		goto out;
	}
	while (done == 0) {
		size_t used = 0;
		ssize_t n = read(JC_FD_REQUEST, buf, RDBUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			done = wj_errf(e, "jail call: the request ended before its device did");
			break;
		}
		done = wg_uapi_dec_feed(d, buf, (size_t)n, &used, e);
		sodium_memzero(buf, (size_t)n);
		if (done == 1 && used != (size_t)n)
			done = wj_errf(e, "jail call: bytes after the request");
	}
	if (done == 1)
		*out = wg_uapi_dec_take(d);
out:
	wg_uapi_dec_free(d);
	wj_secret_free(buf);
	return done < 0 ? -1 : 0;
}

/* A userspace daemon's reply goes through as it comes, checked for size
 * and shape (the caller decodes it, as any bytes from the jail); a
 * kernel's device is written in the same form. */
static int op_get(const struct jc_header *h, struct wj_err *e)
{
	const struct wg_backend *b = wg_backend_for(h->ifname, e);
	struct wg_device *d = NULL;
	int r;

	if (!b)
		return -1;
	if (b->pass_get)
		return b->pass_get(h->ifname, JC_FD_REPLY, e);
	if (b->get(h->ifname, &d, e) < 0)
		return -1;
	snprintf(d->name, sizeof(d->name), "%s", h->ifname);
	r = wg_uapi_write_get(JC_FD_REPLY, d, e);
	wg_device_free(d);
	return r;
}

static int op_set(const struct jc_header *h, const struct wg_device *changes, struct wj_err *e)
{
	const struct wg_backend *b = wg_backend_for(h->ifname, e);

	return b ? wg_device_set(b, h->ifname, changes, e) : -1;
}

/* Inside the jail no name is resolved (the jail may have no resolver,
 * and the agent's names go through its resolver process only): the
 * caller resolved what it could; a host name left is skipped by the sync
 * engine, as one that does not resolve. */
static int no_resolve(const char *text, union wg_sockaddr *out, struct wj_err *e, void *arg)
{
	(void)out;
	(void)arg;
	wj_errf(e, "endpoint '%s' does not resolve (names are resolved outside the jail only)", text);
	e->code = EAGAIN;
	return -1;
}

static int op_sync(const struct jc_header *h, struct wg_device *desired, struct jc_status *st, struct wj_err *e)
{
	struct wg_sync_opts so = {.dry_run = h->dry_run};
	struct wg_sync_result res = {0};
	int fd = h->report ? dup(JC_FD_REPLY) : -1;
	int r;

	wg_resolve_set_hook(no_resolve, NULL);
	if (fd >= 0 && !(so.report = fdopen(fd, "w")))
		close(fd);
	r = wg_sync(h->ifname, desired, &so, &res, e);
	if (so.report)
		fclose(so.report);
	memcpy(st->ret, &res, sizeof(res));
	return r;
}

static int run(struct jc_status *st, struct wj_err *e)
{
	struct wg_device *dev = NULL;
	struct jc_header h;
	int r = -1;

	if (read_header(&h, e) < 0 || (h.op != JC_GET && read_device(&dev, e) < 0))
		goto out;
	if (wj_platform()->enter(h.jail, h.ifname, e) < 0)
		goto out;
	if (wj_tunable(WJ_JAILCALL_STOP))
		kill(getpid(), SIGSTOP);
	switch (h.op) {
	case JC_GET:
		r = op_get(&h, e);
		break;
	case JC_SET:
		r = op_set(&h, dev, e);
		break;
	case JC_SYNC:
		r = op_sync(&h, dev, st, e);
		break;
	}
	if (r < 0)
		wj_err_prefix(e, "jail %s", h.jail);
out:
	wg_device_free(dev);
	return r;
}

int cmd_jailcall(int argc, char **argv)
{
	(void)argv;
	if (argc != 1 || !is_kind(JC_FD_REQUEST, S_IFSOCK) || !is_kind(JC_FD_REPLY, S_IFIFO) ||
	    !is_kind(JC_FD_STATUS, S_IFIFO)) {
		fputs("wgjail: _jailcall is started by wgjail itself, not by hand\n", stderr);
		return WJ_EXIT_USAGE;
	}
	jail_call_serve();
}

void jail_call_serve(void)
{
	struct jc_status st;
	struct wj_err e;
	struct sigaction sa;

	closefrom(JC_FD_STATUS + 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL; /* the caller gone: so is this process */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	memset(&st, 0, sizeof(st));
	wj_err_clear(&e);
	st.r = run(&st, &e);
	close(JC_FD_REPLY);
	st.code = e.code;
	memcpy(st.msg, e.msg, sizeof(st.msg));
	if (write(JC_FD_STATUS, &st, sizeof(st)) != (ssize_t)sizeof(st))
		_exit(125);
	_exit(0);
}
