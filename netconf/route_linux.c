#include "netconf/route.h"
#include "util/array.h"
#include "util/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

static size_t alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool same_prefix(const struct wg_ipmask *a, const struct wg_ipmask *b)
{
	return a->family == b->family && a->cidr == b->cidr && !memcmp(&a->addr, &b->addr, alen(a->family));
}

static bool same_addr(const struct wg_ipmask *a, const struct wg_ipmask *b)
{
	return a->family == b->family && !memcmp(&a->addr, &b->addr, alen(a->family));
}

struct rlist {
	struct route_info *v;
	size_t n, cap;
	bool oom;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rlist *l = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {0};
	struct route_info ri;
	uint32_t table = rtm->rtm_table;

	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	nl_attrs(nlh, sizeof(*rtm), tb, RTA_MAX);
	if (tb[RTA_TABLE] && mnl_attr_get_payload_len(tb[RTA_TABLE]) == 4)
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	memset(&ri, 0, sizeof(ri));
	ri.dst.family = rtm->rtm_family;
	ri.dst.cidr = rtm->rtm_dst_len;
	ri.protocol = rtm->rtm_protocol;
	if (tb[RTA_DST] && mnl_attr_get_payload_len(tb[RTA_DST]) == alen(rtm->rtm_family))
		memcpy(&ri.dst.addr, mnl_attr_get_payload(tb[RTA_DST]), alen(rtm->rtm_family));
	if (tb[RTA_GATEWAY] && mnl_attr_get_payload_len(tb[RTA_GATEWAY]) == alen(rtm->rtm_family)) {
		ri.gw.family = rtm->rtm_family;
		ri.gw.cidr = rtm->rtm_family == AF_INET6 ? 128 : 32;
		memcpy(&ri.gw.addr, mnl_attr_get_payload(tb[RTA_GATEWAY]), alen(rtm->rtm_family));
	}
	if (tb[RTA_OIF] && mnl_attr_get_payload_len(tb[RTA_OIF]) == 4)
		ri.oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	struct route_info *nv = wj_grow(l->v, &l->cap, l->n, sizeof(*nv), 16);
	if (!nv) {
		l->oom = true;
		return MNL_CB_ERROR;
	}
	l->v = nv;
	l->v[l->n++] = ri;
	return MNL_CB_OK;
}

/* A dump, retried while the kernel says it was interrupted: written once
 * for each list (links: netconf/link_linux.c, addresses: addr_linux.c,
 * routes: route_linux.c), whose message header and element differ; the
 * callbacks that collect them share the one array growth (util/array.h). */
int route_list(struct nc *c, struct route_info **out, size_t *n, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (int tries = 0; tries < 5; tries++) {
		struct rlist l = {0};
		struct nlmsghdr *nlh = nl_msg(&c->nl, buf, RTM_GETROUTE, NLM_F_DUMP);
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		int r;

		rtm->rtm_family = AF_UNSPEC;
		r = nl_talk(&c->nl, nlh, list_cb, &l, "listing routes", e);
		if (r == 0) {
			*out = l.v;
			*n = l.n;
			return 0;
		}
		free(l.v);
		if (l.oom)
			return wj_errnof(e, ENOMEM, "listing routes");
		if (r != -EINTR)
			return -1;
	}
	return -1;
}

static int route_msg(struct nc *c, uint16_t type, uint16_t flags, const struct wg_ipmask *dst,
		     const struct wg_ipmask *gw, int oif, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], txt[INET6_ADDRSTRLEN + 8];
	struct nlmsghdr *nlh = nl_msg(&c->nl, buf, type, (uint16_t)(NLM_F_ACK | flags));
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	int r;

	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = dst->cidr;
	rtm->rtm_table = RT_TABLE_MAIN;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_type = RTN_UNICAST;
		/* Without a gateway, the destination is on the link. */
		rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	} else {
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	if (dst->cidr)
		mnl_attr_put(nlh, RTA_DST, alen(dst->family), &dst->addr);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, alen(gw->family), &gw->addr);
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	r = nl_talk(&c->nl, nlh, NULL, NULL, type == RTM_NEWROUTE ? "adding a route" : "deleting a route", e);
	if (r == -ESRCH && type == RTM_DELROUTE)
		return 0;
	if (r < 0)
		return wj_err_prefix(e, "route %s", wg_ipmask_fmt(dst, txt, sizeof(txt)));
	return 0;
}

int route_add(struct nc *c, const struct wg_ipmask *dst_in, const struct wg_ipmask *gw, const char *dev,
	      struct wj_err *e)
{
	struct wg_ipmask dst = *dst_in;
	struct route_info *v = NULL;
	struct link_info li = {0};
	size_t n = 0;
	char txt[INET6_ADDRSTRLEN + 8], g[INET6_ADDRSTRLEN];
	int r, state = 0; /* 0 absent, 1 same, 2 differs */

	wg_ipmask_mask(&dst);
	r = link_get(c, dev, &li, e);
	if (r < 0)
		return -1;
	if (r == 0 && !c->dry)
		return wj_errf(e, "%s: no such link", dev);
	if (r == 1) {
		if (route_list(c, &v, &n, e) < 0)
			return -1;
		for (size_t i = 0; i < n && !state; i++) {
			if (!same_prefix(&v[i].dst, &dst))
				continue;
			state = v[i].oif == li.index && (gw ? same_addr(&v[i].gw, gw) : v[i].gw.family == 0) ? 1 : 2;
		}
		free(v);
	}
	if (state == 1)
		return 0;
	if (gw)
		inet_ntop(gw->family, &gw->addr, g, sizeof(g));
	nc_note(c, "%s route %s%s%s dev %s", state == 2 ? "replace" : "add", wg_ipmask_fmt(&dst, txt, sizeof(txt)),
		gw ? " via " : "", gw ? g : "", dev);
	if (c->dry)
		return 0;
	return route_msg(c, RTM_NEWROUTE, NLM_F_CREATE | (state == 2 ? NLM_F_REPLACE : NLM_F_EXCL), &dst, gw,
			 li.index, e);
}

int route_prune(struct nc *c, const char *dev, const struct wg_ipmask *keep, size_t nkeep, struct wj_err *e)
{
	struct route_info *v;
	struct link_info li = {0};
	size_t n;
	char txt[INET6_ADDRSTRLEN + 8];
	int r = link_get(c, dev, &li, e);

	if (r <= 0)
		return r;
	if (route_list(c, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool kept = false;
		if (v[i].oif != li.index || v[i].protocol != RTPROT_STATIC)
			continue;
		for (size_t k = 0; k < nkeep && !kept; k++) {
			struct wg_ipmask m = keep[k];
			wg_ipmask_mask(&m);
			kept = same_prefix(&m, &v[i].dst);
		}
		if (kept)
			continue;
		nc_note(c, "delete route %s dev %s", wg_ipmask_fmt(&v[i].dst, txt, sizeof(txt)), dev);
		if (!c->dry && route_msg(c, RTM_DELROUTE, 0, &v[i].dst, NULL, li.index, e) < 0) {
			free(v);
			return -1;
		}
	}
	free(v);
	return 0;
}
