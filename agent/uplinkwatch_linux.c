/* The uplink watch on Linux (see agent/uplinkwatch.h): an rtnetlink
 * socket subscribed to the link and IPv4/IPv6 address groups. */
#include "agent/uplinkwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netconf/nl.h"
#include "util/array.h"
#include "util/err.h"

#define UW_BUFSZ 32768

struct linkstate {
	int index;
	bool running;
};

struct uplinkwatch {
	struct mnl_socket *nl;
	struct linkstate *links; /* links seen, and whether they run */
	size_t n, cap;
	char *buf;
};

struct uw_ctx {
	struct uplinkwatch *u;
	uplinkwatch_ours_fn ours;
	void *arg;
	char *why;
	size_t whysz;
	int counted;
};

/* As agent/uplinkwatch_freebsd.c's: the buffer, the platform's socket
 * (rtnetlink here, a routing socket there), non-blocking.  The two files
 * are the two platforms of agent/uplinkwatch.h, alike by design. */
struct uplinkwatch *uplinkwatch_new(struct wj_err *e)
{
	struct uplinkwatch *u = calloc(1, sizeof(*u));
	int fd, fl;

	if (!u || !(u->buf = malloc(UW_BUFSZ))) {
		free(u);
		wj_errnof(e, ENOMEM, "uplink watch");
		return NULL;
	}
	if (!(u->nl = mnl_socket_open(NETLINK_ROUTE)) ||
	    mnl_socket_bind(u->nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID) < 0) {
		wj_errnof(e, errno, "uplink watch: rtnetlink socket");
		uplinkwatch_free(u);
		return NULL;
	}
	fd = mnl_socket_get_fd(u->nl);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
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
	if (u->nl)
		mnl_socket_close(u->nl);
	free(u->links);
	free(u->buf);
	free(u);
}

int uplinkwatch_fd(const struct uplinkwatch *u)
{
	return mnl_socket_get_fd(u->nl);
}

static void count(struct uw_ctx *c, const char *fmt, const char *ifname)
{
	if (!c->counted++)
		snprintf(c->why, c->whysz, fmt, ifname);
}

/* Remember whether link INDEX runs; returns what it was (false if new). */
static bool link_set(struct uplinkwatch *u, int index, bool running, bool gone)
{
	bool was;

	for (size_t i = 0; i < u->n; i++) {
		if (u->links[i].index != index)
			continue;
		was = u->links[i].running;
		if (gone)
			u->links[i] = u->links[--u->n];
		else
			u->links[i].running = running;
		return was;
	}
	if (gone)
		return false;
	struct linkstate *nv = wj_grow(u->links, &u->cap, u->n, sizeof(*nv), 16);
	if (!nv)
		return true; /* cannot remember: do not count it */
	u->links = nv;
	u->links[u->n++] = (struct linkstate){index, running};
	return false;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct uw_ctx *c = data;

	if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) {
		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
		const struct nlattr *tb[IFLA_MAX + 1] = {0};
		bool running, was;
		const char *name;

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) || (ifi->ifi_flags & IFF_LOOPBACK))
			return MNL_CB_OK;
		running = nlh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
		was = link_set(c->u, ifi->ifi_index, running, nlh->nlmsg_type == RTM_DELLINK);
		if (!running || was)
			return MNL_CB_OK;
		nl_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX);
		name = tb[IFLA_IFNAME] && mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) >= 0
			       ? mnl_attr_get_str(tb[IFLA_IFNAME])
			       : "?";
		if (!c->ours || !c->ours(name, c->arg))
			count(c, "%s is up", name);
	} else if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
		const struct nlattr *tb[IFA_MAX + 1] = {0};
		char name[IF_NAMESIZE] = "?";
		uint32_t flags;

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa) || ifa->ifa_scope >= RT_SCOPE_LINK)
			return MNL_CB_OK;
		nl_attrs(nlh, sizeof(*ifa), tb, IFA_MAX);
		flags = tb[IFA_FLAGS] && mnl_attr_validate(tb[IFA_FLAGS], MNL_TYPE_U32) >= 0 ? mnl_attr_get_u32(tb[IFA_FLAGS])
											     : ifa->ifa_flags;
		if (nlh->nlmsg_type == RTM_NEWADDR && (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			return MNL_CB_OK; /* counted when it is usable */
		if (!if_indextoname(ifa->ifa_index, name))
			snprintf(name, sizeof(name), "?");
		if (!strcmp(name, "lo") || (c->ours && c->ours(name, c->arg)))
			return MNL_CB_OK;
		count(c, nlh->nlmsg_type == RTM_NEWADDR ? "an address was added on %s" : "an address was removed from %s",
		      name);
	}
	return MNL_CB_OK;
}

int uplinkwatch_read(struct uplinkwatch *u, uplinkwatch_ours_fn ours, void *arg, char *why, size_t whysz,
		     struct wj_err *e)
{
	struct uw_ctx c = {u, ours, arg, why, whysz, 0};

	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(u->nl), u->buf, UW_BUFSZ, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && errno == ENOBUFS) {
			count(&c, "%s", "link and address events were lost");
			continue;
		}
		if (n <= 0)
			return wj_errnof(e, n < 0 ? errno : EIO, "uplink watch: reading rtnetlink");
		mnl_cb_run(u->buf, (size_t)n, 0, 0, msg_cb, &c);
	}
	return c.counted ? 1 : 0;
}
