#include "netconf/link.h"
#include "util/array.h"
#include "util/err.h"
#include "util/strutil.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nc_open(struct nc *c, const char *where, struct wj_err *e)
{
	bool dry = c->dry;
	void (*note)(void *, const char *, const char *) = c->note;
	void *arg = c->arg;

	memset(c, 0, sizeof(*c));
	c->dry = dry;
	c->note = note;
	c->arg = arg;
	c->where = where;
	return nl_open(&c->nl, NETLINK_ROUTE, e);
}

void nc_close(struct nc *c)
{
	if (c->nl.mnl)
		nl_close(&c->nl);
}

/* The va_list lines are the usual ones (rc/jailconf.c's rc_cmd has the
 * same): C has no shorter way to format into a buffer. */
void nc_note(struct nc *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->changes++;
	if (c->note)
		c->note(c->arg, c->where ? c->where : "", buf);
}

/* ---- reading --------------------------------------------------------- */

static void parse_link(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = {0};

	memset(li, 0, sizeof(*li));
	li->index = ifm->ifi_index;
	li->flags = ifm->ifi_flags;
	nl_attrs(nlh, sizeof(*ifm), tb, IFLA_MAX);
	if (tb[IFLA_IFNAME] && mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_STRING) == 0)
		snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU] && mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32) == 0)
		li->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER] && mnl_attr_validate(tb[IFLA_MASTER], MNL_TYPE_U32) == 0)
		li->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *ti[IFLA_INFO_MAX + 1] = {0};
		nl_attrs_nested(tb[IFLA_LINKINFO], ti, IFLA_INFO_MAX);
		if (ti[IFLA_INFO_KIND] && mnl_attr_validate(ti[IFLA_INFO_KIND], MNL_TYPE_STRING) == 0)
			snprintf(li->kind, sizeof(li->kind), "%s", mnl_attr_get_str(ti[IFLA_INFO_KIND]));
	}
}

static int one_cb(const struct nlmsghdr *nlh, void *data)
{
	parse_link(nlh, data);
	return MNL_CB_OK;
}

int link_get(struct nc *c, const char *name, struct link_info *out, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	int r;

	if (strlen(name) >= IF_NAMESIZE)
		return 0;
	nlh = nl_msg(&c->nl, buf, RTM_GETLINK, NLM_F_ACK);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = nl_talk(&c->nl, nlh, one_cb, out, name, e);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return -1;
	return 1;
}

struct list_ctx {
	struct link_info *v;
	size_t n, cap;
	bool oom;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *l = data;

	struct link_info *nv = wj_grow(l->v, &l->cap, l->n, sizeof(*nv), 16);
	if (!nv) {
		l->oom = true;
		return MNL_CB_ERROR;
	}
	l->v = nv;
	parse_link(nlh, &l->v[l->n++]);
	return MNL_CB_OK;
}

/* A dump, retried while the kernel says it was interrupted: written once
 * for each list (links: netconf/link_linux.c, addresses: addr_linux.c,
 * routes: route_linux.c), whose message header and element differ; the
 * callbacks that collect them share the one array growth (util/array.h). */
int link_list(struct nc *c, struct link_info **out, size_t *n, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (int tries = 0; tries < 5; tries++) {
		struct list_ctx l = {0};
		struct nlmsghdr *nlh = nl_msg(&c->nl, buf, RTM_GETLINK, NLM_F_DUMP);
		struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
		int r;

		ifm->ifi_family = AF_UNSPEC;
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		r = nl_talk(&c->nl, nlh, list_cb, &l, "listing links", e);
		if (r == 0) {
			*out = l.v;
			*n = l.n;
			return 0;
		}
		free(l.v);
		if (l.oom)
			return wj_errnof(e, ENOMEM, "listing links");
		if (r != -EINTR)
			return -1;
	}
	return -1;
}

/* ---- changing -------------------------------------------------------- */

/* Every change below takes the same steps: look the link up, return if
 * nothing would change, say what changes (nc_note), stop there in a dry
 * run, send one message.  One function per change keeps each message in
 * plain sight; only the message differs. */

/* BUF: a char[MNL_SOCKET_BUFFER_SIZE], as every caller has. */
static struct nlmsghdr *link_msg(struct nc *c, char *buf, uint16_t type, uint16_t flags, int index)
{
	struct nlmsghdr *nlh = nl_msg_z(&c->nl, buf, MNL_SOCKET_BUFFER_SIZE, type, (uint16_t)(NLM_F_ACK | flags));
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return nlh;
}

/* RTM_NEWLINK for a new link NAME of KIND, its IFLA_LINKINFO nest left
 * open in *INFO for the kind's data. */
static struct nlmsghdr *new_link_msg(struct nc *c, char *buf, const char *name, const char *kind,
				     struct nlattr **info)
{
	struct nlmsghdr *nlh = link_msg(c, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	*info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	return nlh;
}

/* The link NAME must exist, except in a dry run where an earlier step
 * would have created it: *MISSING says so (and 0 is returned). */
static int need_link(struct nc *c, const char *name, struct link_info *li, bool *missing, struct wj_err *e)
{
	int r = link_get(c, name, li, e);

	*missing = false;
	if (r < 0)
		return -1;
	if (r == 0) {
		if (c->dry) {
			*missing = true;
			return 0;
		}
		return wj_errf(e, "%s: no such link%s%s", name, c->where ? " in " : "", c->where ? c->where : "");
	}
	return 0;
}

static int talk(struct nc *c, struct nlmsghdr *nlh, const char *what, const char *name, struct wj_err *e)
{
	char label[128];

	snprintf(label, sizeof(label), "%s %s", what, name);
	return nl_talk(&c->nl, nlh, NULL, NULL, label, e) < 0 ? -1 : 0;
}

int link_create(struct nc *c, const char *name, const char *kind, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_info li = {0};
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int r = link_get(c, name, &li, e);

	if (r < 0)
		return -1;
	if (r == 1) {
		if (strcmp(li.kind, kind))
			return wj_errf(e, "%s: exists and is not a %s link (it is %s)", name, kind,
				       li.kind[0] ? li.kind : "of no kind");
		return 0;
	}
	nc_note(c, "create %s link %s", kind, name);
	if (c->dry)
		return 0;
	nlh = new_link_msg(c, buf, name, kind, &nest);
	mnl_attr_nest_end(nlh, nest);
	if (talk(c, nlh, "creating", name, e) == 0)
		return 0;
	/* Created meanwhile by someone else (two jails sharing a bridge
	 * coming up at once): fine if it is what we wanted. */
	if (e->code == EEXIST && link_get(c, name, &li, e) == 1 && !strcmp(li.kind, kind)) {
		wj_err_clear(e);
		return 0;
	}
	return -1;
}

int link_create_veth(struct nc *c, const char *name, const char *peer, int peer_nsfd, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_info li = {0};
	struct nlmsghdr *nlh;
	struct nlattr *info, *data, *pn;
	struct ifinfomsg *pifm;
	int r = link_get(c, name, &li, e);

	if (r < 0)
		return -1;
	if (r == 1) {
		if (strcmp(li.kind, "veth"))
			return wj_errf(e, "%s: exists and is not a veth link", name);
		return 0;
	}
	nc_note(c, "create veth pair %s <-> %s", name, peer);
	if (c->dry)
		return 0;
	nlh = new_link_msg(c, buf, name, "veth", &info);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pn = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's own ifinfomsg, then its attributes. */
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	memset(pifm, 0, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return talk(c, nlh, "creating veth", name, e);
}

int link_delete(struct nc *c, const char *name, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_info li = {0};
	struct nlmsghdr *nlh;
	int r = link_get(c, name, &li, e);

	if (r <= 0)
		return r;
	nc_note(c, "delete link %s", name);
	if (c->dry)
		return 0;
	nlh = link_msg(c, buf, RTM_DELLINK, 0, li.index);
	r = nl_talk(&c->nl, nlh, NULL, NULL, "deleting link", e);
	if (r == -ENODEV)
		return 0;
	return r < 0 ? wj_err_prefix(e, "%s", name) : 0;
}

int link_set_up(struct nc *c, const char *name, bool up, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_info li = {0};
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	bool missing;

	if (need_link(c, name, &li, &missing, e) < 0)
		return -1;
	if (!missing && !!(li.flags & IFF_UP) == up)
		return 0;
	nc_note(c, "set %s %s", name, up ? "up" : "down");
	if (c->dry)
		return 0;
	nlh = link_msg(c, buf, RTM_NEWLINK, 0, li.index);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	return talk(c, nlh, "setting up/down", name, e);
}

int link_set_mtu(struct nc *c, const char *name, unsigned mtu, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_info li = {0};
	struct nlmsghdr *nlh;
	bool missing;

	if (need_link(c, name, &li, &missing, e) < 0)
		return -1;
	if (!missing && li.mtu == mtu)
		return 0;
	nc_note(c, "set %s mtu %u", name, mtu);
	if (c->dry)
		return 0;
	nlh = link_msg(c, buf, RTM_NEWLINK, 0, li.index);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return talk(c, nlh, "setting the MTU of", name, e);
}

int link_set_master(struct nc *c, const char *name, const char *master, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_info li = {0}, br = {0};
	struct nlmsghdr *nlh;
	bool missing, brmissing;

	if (need_link(c, name, &li, &missing, e) < 0 || need_link(c, master, &br, &brmissing, e) < 0)
		return -1;
	if (!missing && !brmissing && li.master == br.index)
		return 0;
	nc_note(c, "attach %s to bridge %s", name, master);
	if (c->dry)
		return 0;
	nlh = link_msg(c, buf, RTM_NEWLINK, 0, li.index);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)br.index);
	return talk(c, nlh, "attaching to a bridge", name, e);
}

int link_move(struct nc *c, const char *name, int nsfd, const char *newname, struct wj_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_info li = {0};
	struct nlmsghdr *nlh;
	bool missing;

	if (need_link(c, name, &li, &missing, e) < 0)
		return -1;
	nc_note(c, "move %s into the jail%s%s", name, newname ? " as " : "", newname ? newname : "");
	if (c->dry)
		return 0;
	nlh = link_msg(c, buf, RTM_NEWLINK, 0, li.index);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
	if (newname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	return talk(c, nlh, "moving", name, e);
}

int link_count_ports(struct nc *c, int bridge, struct wj_err *e)
{
	struct link_info *v;
	size_t n;
	int count = 0;

	if (link_list(c, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v[i].master == bridge)
			count++;
	free(v);
	return count;
}
