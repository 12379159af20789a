#include "netconf/addr.h"
#include "util/array.h"
#include "util/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

static size_t alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

struct alist {
	int ifindex;
	struct wg_ipmask *v;
	size_t n, cap;
	bool oom;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct alist *l = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {0};
	const struct nlattr *src;
	struct wg_ipmask m;

	if ((int)ifa->ifa_index != l->ifindex || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	nl_attrs(nlh, sizeof(*ifa), tb, IFA_MAX);
	/* IFA_LOCAL is the address on point-to-point links; IFA_ADDRESS
	 * otherwise (for IPv6 only IFA_ADDRESS is sent). */
	src = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!src || mnl_attr_get_payload_len(src) != alen(ifa->ifa_family))
		return MNL_CB_OK;
	memset(&m, 0, sizeof(m));
	m.family = ifa->ifa_family;
	m.cidr = ifa->ifa_prefixlen;
	memcpy(&m.addr, mnl_attr_get_payload(src), alen(ifa->ifa_family));
	struct wg_ipmask *nv = wj_grow(l->v, &l->cap, l->n, sizeof(*nv), 8);
	if (!nv) {
		l->oom = true;
		return MNL_CB_ERROR;
	}
	l->v = nv;
	l->v[l->n++] = m;
	return MNL_CB_OK;
}

/* A dump, retried while the kernel says it was interrupted: written once
 * for each list (links: netconf/link_linux.c, addresses: addr_linux.c,
 * routes: route_linux.c), whose message header and element differ; the
 * callbacks that collect them share the one array growth (util/array.h). */
int addr_list(struct nc *c, int ifindex, struct wg_ipmask **out, size_t *n, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (int tries = 0; tries < 5; tries++) {
		struct alist l = {.ifindex = ifindex};
		struct nlmsghdr *nlh = nl_msg(&c->nl, buf, RTM_GETADDR, NLM_F_DUMP);
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		int r;

		ifa->ifa_family = AF_UNSPEC;
		r = nl_talk(&c->nl, nlh, list_cb, &l, "listing addresses", e);
		if (r == 0) {
			*out = l.v;
			*n = l.n;
			return 0;
		}
		free(l.v);
		if (l.oom)
			return wj_errnof(e, ENOMEM, "listing addresses");
		if (r != -EINTR)
			return -1;
	}
	return -1;
}

/* 1 = present with the same prefix, 2 = present with another, 0 = absent. */
static int find(struct nc *c, int ifindex, const struct wg_ipmask *a, uint8_t *cidr, struct wj_err *e)
{
	struct wg_ipmask *v;
	size_t n;
	int found = 0;

	if (addr_list(c, ifindex, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && !found; i++)
		if (v[i].family == a->family && !memcmp(&v[i].addr, &a->addr, alen(a->family)))
			found = v[i].cidr == a->cidr ? 1 : 2, *cidr = v[i].cidr;
	free(v);
	return found;
}

static int addr_msg(struct nc *c, uint16_t type, uint16_t flags, int ifindex, const struct wg_ipmask *a,
		    const char *what, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], txt[INET6_ADDRSTRLEN + 8];
	struct nlmsghdr *nlh = nl_msg(&c->nl, buf, type, (uint16_t)(NLM_F_ACK | flags));
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	int r;

	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = a->cidr;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	if (a->family == AF_INET6 && type == RTM_NEWADDR)
		ifa->ifa_flags = IFA_F_NODAD;
	mnl_attr_put(nlh, IFA_LOCAL, alen(a->family), &a->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen(a->family), &a->addr);
	r = nl_talk(&c->nl, nlh, NULL, NULL, what, e);
	if (r < 0)
		return wj_err_prefix(e, "%s", wg_ipmask_fmt(a, txt, sizeof(txt)));
	return 0;
}

int addr_add(struct nc *c, const char *ifname, const struct wg_ipmask *a, struct wj_err *e)
{
	struct link_info li = {0};
	char txt[INET6_ADDRSTRLEN + 8];
	uint8_t cidr = 0;
	int r = link_get(c, ifname, &li, e), f;

	if (r < 0)
		return -1;
	if (r == 0 && !c->dry)
		return wj_errf(e, "%s: no such link", ifname);
	f = r == 0 ? 0 : find(c, li.index, a, &cidr, e);
	if (f < 0)
		return -1;
	if (f == 1)
		return 0;
	nc_note(c, "%s address %s on %s", f == 2 ? "replace" : "add", wg_ipmask_fmt(a, txt, sizeof(txt)), ifname);
	if (c->dry)
		return 0;
	if (f == 2) {
		struct wg_ipmask old = *a;
		old.cidr = cidr;
		if (addr_msg(c, RTM_DELADDR, 0, li.index, &old, "deleting an address", e) < 0)
			return -1;
	}
	return addr_msg(c, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, li.index, a, "adding an address", e);
}

int addr_del(struct nc *c, const char *ifname, const struct wg_ipmask *a, struct wj_err *e)
{
	struct link_info li = {0};
	char txt[INET6_ADDRSTRLEN + 8];
	struct wg_ipmask cur = *a;
	int r = link_get(c, ifname, &li, e), f;

	if (r <= 0)
		return r;
	f = find(c, li.index, a, &cur.cidr, e);
	if (f <= 0)
		return f;
	nc_note(c, "remove address %s from %s", wg_ipmask_fmt(a, txt, sizeof(txt)), ifname);
	if (c->dry)
		return 0;
	return addr_msg(c, RTM_DELADDR, 0, li.index, &cur, "deleting an address", e);
}
