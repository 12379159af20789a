/* The resolver process: `wgjail _resolver ROOT`, exec'd by the agent with
 * its end of the socketpair as descriptor 3 (agent/resolver.h).
 *
 * It starts from a fresh image (exec), so nothing of the agent's memory,
 * no key above all, is in it.  Before it reads any request it gives up
 * what it does not need: every other descriptor is closed, it chroots
 * into ROOT (the agent keeps copies of the host's resolver files there),
 * and becomes the user _wgjail, else nobody, with that user's group and no
 * other; it checks that it cannot become root again.  Then it says HELLO
 * and answers each request from a thread of its own (getaddrinfo blocks;
 * a name whose server does not answer must not hold the others), at most
 * RSV_THREADS at a time: beyond that it stops reading until one finishes.
 * A malformed request ends it (exit 2); so does the agent's end closing
 * (exit 0). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "agent/commands.h"
#include "agent/resolver_proto.h"
#include "util/err.h"

#define RSV_FD 3
#define RSV_THREADS 64

static const char *const rsv_users[] = {"_wgjail", "wgjail", "nobody"};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static unsigned busy;

static void send_reply(const struct rsv_reply *rp)
{
	if (send(RSV_FD, rp, sizeof(*rp), 0) != (ssize_t)sizeof(*rp))
		_exit(0); /* the agent is gone */
}

static void *resolve_one(void *arg)
{
	struct rsv_request *rq = arg;
	struct addrinfo hints, *res = NULL, *ai;
	struct rsv_reply rp;
	union wg_sockaddr sa;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	hints.ai_flags = AI_NUMERICSERV;
	r = getaddrinfo(rq->host, rq->port, &hints, &res);
	if (r != 0) {
		char msg[RSV_TEXT_MAX];
		snprintf(msg, sizeof(msg), "%s", r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		rsv_reply_answer(&rp, rq->id, r == EAI_AGAIN || r == EAI_SYSTEM ? RSV_TEMPORARY : RSV_PERMANENT, NULL,
				 msg);
	} else {
		/* The first result, as wg(8) takes it; one of another family
		 * or size is skipped. */
		memset(&sa, 0, sizeof(sa));
		for (ai = res; ai; ai = ai->ai_next)
			if ((ai->ai_family == AF_INET && ai->ai_addrlen == sizeof(sa.in)) ||
			    (ai->ai_family == AF_INET6 && ai->ai_addrlen == sizeof(sa.in6))) {
				memcpy(&sa, ai->ai_addr, ai->ai_addrlen);
				break;
			}
		freeaddrinfo(res);
		rsv_reply_answer(&rp, rq->id, ai ? RSV_OK : RSV_PERMANENT, &sa, "neither an IPv4 nor an IPv6 address");
	}
	send_reply(&rp);
	free(rq);
	pthread_mutex_lock(&mu);
	busy--;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* Everything that must happen before the first request; -1 with E set. */
static int drop_privileges(const char *root, struct wj_err *e)
{
	const struct passwd *pw = NULL;
	struct rlimit rl = {0, 0};
	struct stat st;
	uid_t uid;
	gid_t gid;

	if (fstat(RSV_FD, &st) < 0 || !S_ISSOCK(st.st_mode))
		return wj_errf(e, "descriptor %d is not the agent's socket", RSV_FD);
	closefrom(RSV_FD + 1);
	for (size_t i = 0; i < sizeof(rsv_users) / sizeof(rsv_users[0]) && !pw; i++)
		pw = getpwnam(rsv_users[i]);
	if (!pw)
		return wj_errf(e, "no unprivileged user to run as (tried _wgjail, wgjail, nobody)");
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0 || gid == 0)
		return wj_errf(e, "user %s is root", pw->pw_name);
	if (chroot(root) < 0 || chdir("/") < 0)
		return wj_errnof(e, errno, "chroot %s", root);
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return wj_errnof(e, errno, "becoming uid %ld gid %ld", (long)uid, (long)gid);
	if (setuid(0) == 0 || getuid() != uid || geteuid() != uid || getegid() != gid)
		return wj_errf(e, "could still become root after dropping privileges");
	setrlimit(RLIMIT_CORE, &rl);  /* nothing worth a core file, and none kept */
	setrlimit(RLIMIT_FSIZE, &rl); /* writes no file */
	return 0;
}

int cmd_resolver(int argc, char **argv)
{
	struct rsv_reply hello;
	struct sigaction sa;
	struct wj_err e;
	pthread_attr_t attr;

	wj_err_clear(&e);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (argc != 2 || argv[1][0] != '/') {
		fputs("wgjail: _resolver is started by the agent, not by hand\n", stderr);
		return WJ_EXIT_USAGE;
	}
	if (drop_privileges(argv[1], &e) < 0) {
		rsv_reply_hello(&hello, RSV_FATAL, e.msg);
		send_reply(&hello);
		_exit(1);
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rsv_reply_hello(&hello, RSV_OK, "ready");
	send_reply(&hello);
	for (;;) {
		unsigned char buf[sizeof(struct rsv_request) + 1];
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr mh;
		struct rsv_request *rq;
		pthread_t t;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(RSV_FD, &mh, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0); /* the agent closed its end (or is gone) */
		if (!(rq = malloc(sizeof(*rq))))
			_exit(1);
		if ((mh.msg_flags & MSG_TRUNC) || rsv_request_check(buf, (size_t)n, rq, &e) < 0) {
			fprintf(stderr, "wgjail: resolver: protocol violation: %s\n",
				e.msg[0] ? e.msg : "oversized request");
			_exit(2);
		}
		pthread_mutex_lock(&mu);
		while (busy >= RSV_THREADS)
			pthread_cond_wait(&cv, &mu);
		busy++;
		pthread_mutex_unlock(&mu);
		if (pthread_create(&t, &attr, resolve_one, rq) != 0) {
			struct rsv_reply rp;
			rsv_reply_answer(&rp, rq->id, RSV_TEMPORARY, NULL, "resolver: no thread for the request");
			send_reply(&rp);
			free(rq);
			pthread_mutex_lock(&mu);
			busy--;
			pthread_mutex_unlock(&mu);
		}
	}
}
