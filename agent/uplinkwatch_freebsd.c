/* The uplink watch on FreeBSD (see agent/uplinkwatch.h): a routing socket
 * (route(4)), which reports every interface's state (RTM_IFINFO) and
 * address changes (RTM_NEWADDR, RTM_DELADDR), one message per read. */
#include "agent/uplinkwatch.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/route.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/array.h"
#include "util/err.h"

#define UW_BUFSZ 8192

struct linkstate {
	unsigned short index;
	bool running;
};

struct uplinkwatch {
	int fd;
	struct linkstate *links;
	size_t n, cap;
	char *buf;
};

/* As agent/uplinkwatch_linux.c's: the buffer, the platform's socket (a
 * routing socket here, rtnetlink there), non-blocking.  The two files are
 * the two platforms of agent/uplinkwatch.h, alike by design. */
struct uplinkwatch *uplinkwatch_new(struct wj_err *e)
{
	struct uplinkwatch *u = calloc(1, sizeof(*u));
	int fl;

	if (!u || !(u->buf = malloc(UW_BUFSZ))) {
		free(u);
		wj_errnof(e, ENOMEM, "uplink watch");
		return NULL;
	}
	if ((u->fd = socket(PF_ROUTE, SOCK_RAW | SOCK_CLOEXEC, AF_UNSPEC)) < 0) {
		wj_errnof(e, errno, "uplink watch: routing socket");
		free(u->buf);
		free(u);
		return NULL;
	}
	if ((fl = fcntl(u->fd, F_GETFL)) < 0 || fcntl(u->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		wj_errnof(e, errno, "uplink watch: socket flags");
		uplinkwatch_free(u);
		return NULL;
	}
	return u;
}

void uplinkwatch_free(struct uplinkwatch *u)
{
	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	free(u->links);
	free(u->buf);
	free(u);
}

int uplinkwatch_fd(const struct uplinkwatch *u)
{
	return u->fd;
}

/* Remember whether link INDEX runs; returns what it was (false if new). */
static bool link_set(struct uplinkwatch *u, unsigned short index, bool running)
{
	bool was;

	for (size_t i = 0; i < u->n; i++)
		if (u->links[i].index == index) {
			was = u->links[i].running;
			u->links[i].running = running;
			return was;
		}
	struct linkstate *nv = wj_grow(u->links, &u->cap, u->n, sizeof(*nv), 16);
	if (!nv)
		return true;
	u->links = nv;
	u->links[u->n++] = (struct linkstate){index, running};
	return false;
}

int uplinkwatch_read(struct uplinkwatch *u, uplinkwatch_ours_fn ours, void *arg, char *why, size_t whysz,
		     struct wj_err *e)
{
	int counted = 0;

	for (;;) {
		const struct rt_msghdr *rtm = (const struct rt_msghdr *)(void *)u->buf;
		char name[IF_NAMESIZE] = "?";
		unsigned short index;
		const char *what = NULL;
		ssize_t n = read(u->fd, u->buf, UW_BUFSZ);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && errno == ENOBUFS) {
			if (!counted++)
				snprintf(why, whysz, "link and address events were lost");
			continue;
		}
		if (n <= 0)
			return wj_errnof(e, n < 0 ? errno : EIO, "uplink watch: reading the routing socket");
		if ((size_t)n < sizeof(struct rt_msghdr) || rtm->rtm_msglen > (size_t)n || rtm->rtm_version != RTM_VERSION)
			continue;
		if (rtm->rtm_type == RTM_IFINFO && (size_t)n >= sizeof(struct if_msghdr)) {
			const struct if_msghdr *ifm = (const struct if_msghdr *)(void *)u->buf;
			bool running = (ifm->ifm_flags & IFF_UP) && ifm->ifm_data.ifi_link_state != LINK_STATE_DOWN;
			bool was = link_set(u, ifm->ifm_index, running);
			if ((ifm->ifm_flags & IFF_LOOPBACK) || !running || was)
				continue;
			index = ifm->ifm_index;
			what = "%s is up";
		} else if ((rtm->rtm_type == RTM_NEWADDR || rtm->rtm_type == RTM_DELADDR) &&
			   (size_t)n >= sizeof(struct ifa_msghdr)) {
			const struct ifa_msghdr *ifam = (const struct ifa_msghdr *)(void *)u->buf;
			index = ifam->ifam_index;
			what = rtm->rtm_type == RTM_NEWADDR ? "an address was added on %s" : "an address was removed from %s";
		} else {
			continue;
		}
		if (!if_indextoname(index, name))
			snprintf(name, sizeof(name), "?");
		if (!strncmp(name, "lo", 2) || (ours && ours(name, arg)))
			continue;
		if (!counted++)
			snprintf(why, whysz, what, name);
	}
	return counted ? 1 : 0;
}
