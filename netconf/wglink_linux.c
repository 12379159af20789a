/* WireGuard links over rtnetlink: RTM_NEWLINK / RTM_DELLINK with
 * IFLA_LINKINFO { IFLA_INFO_KIND "wireguard" }, RTM_GETLINK to list. */
#include "netconf/wglink.h"
#include "netconf/nl.h"
#include "agent/util/err.h"
#include "agent/util/strutil.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WG_KIND "wireguard"
#define DUMP_TRIES 5

static int check_name(const char *name, struct wj_err *e)
{
	const char *why = wj_ifname_invalid(name);
	char q[64];

	if (why)
		return wj_errf(e, "interface '%s': %s", wj_quote(name, q, sizeof(q)), why);
	return 0;
}

static struct nlmsghdr *link_msg(struct nl_sock *s, char *buf, uint16_t type, uint16_t flags, const char *name)
{
	struct nlmsghdr *nlh = nl_msg(s, buf, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

/* Facts about one link message: its name and whether it is wireguard. */
struct link_info {
	char name[IFNAMSIZ];
	bool wireguard;
};

static void parse_link(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct nlattr *a, *in;

	memset(li, 0, sizeof(*li));
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
			    mnl_attr_get_payload_len(a) <= sizeof(li->name))
				memcpy(li->name, mnl_attr_get_str(a), mnl_attr_get_payload_len(a));
			break;
		case IFLA_LINKINFO:
			mnl_attr_for_each_nested(in, a) {
				if (mnl_attr_get_type(in) == IFLA_INFO_KIND &&
				    mnl_attr_get_payload_len(in) >= sizeof(WG_KIND) - 1 &&
				    strncmp(mnl_attr_get_payload(in), WG_KIND, mnl_attr_get_payload_len(in)) == 0 &&
				    strnlen(mnl_attr_get_payload(in), mnl_attr_get_payload_len(in)) == sizeof(WG_KIND) - 1)
					li->wireguard = true;
			}
			break;
		default:
			break;
		}
	}
}

static int one_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK)
		parse_link(nlh, data);
	return MNL_CB_OK;
}

int wglink_is_wireguard(const char *name, struct wj_err *e)
{
	struct nl_sock s;
	struct link_info li;
	char buf[512];
	int r;

	if (check_name(name, e) < 0)
		return -1;
	if (nl_open(&s, NETLINK_ROUTE, e) < 0)
		return -1;
	memset(&li, 0, sizeof(li));
	r = nl_talk(&s, link_msg(&s, buf, RTM_GETLINK, NLM_F_ACK, name), one_cb, &li, name, e);
	nl_close(&s);
	if (r == -ENODEV) {
		wj_err_clear(e);
		return 0;
	}
	if (r < 0)
		return -1;
	return li.wireguard && strcmp(li.name, name) == 0;
}

int wglink_create(const char *name, struct wj_err *e)
{
	struct nl_sock s;
	struct nlmsghdr *nlh;
	struct nlattr *info;
	char buf[512];
	int r;

	if (check_name(name, e) < 0)
		return -1;
	if (nl_open(&s, NETLINK_ROUTE, e) < 0)
		return -1;
	nlh = link_msg(&s, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, WG_KIND);
	mnl_attr_nest_end(nlh, info);
	r = nl_talk(&s, nlh, NULL, NULL, name, e);
	nl_close(&s);
	if (r == 0)
		return 0;
	if (r == -EEXIST) {
		int w = wglink_is_wireguard(name, e);
		if (w == 1) {
			wj_err_clear(e);
			return 0;
		}
		if (w == 0)
			return wj_errf(e, "%s: a link of that name exists and is not a WireGuard link", name);
		return -1;
	}
	if (r == -EOPNOTSUPP)
		return wj_errf(e, "%s: cannot create a WireGuard link: the wireguard kernel module is not loaded "
			       "(the kernel does not know the link type \"wireguard\")", name);
	if (r == -EPERM)
		return wj_errf(e, "%s: cannot create a WireGuard link: permission denied (needs CAP_NET_ADMIN)", name);
	return wj_err_prefix(e, "cannot create WireGuard link");
}

int wglink_delete(const char *name, struct wj_err *e)
{
	struct nl_sock s;
	char buf[512];
	int r;

	if (check_name(name, e) < 0)
		return -1;
	if (nl_open(&s, NETLINK_ROUTE, e) < 0)
		return -1;
	r = nl_talk(&s, link_msg(&s, buf, RTM_DELLINK, NLM_F_ACK, name), NULL, NULL, name, e);
	nl_close(&s);
	if (r == 0 || r == -ENODEV) {
		wj_err_clear(e);
		return 0;
	}
	if (r == -EPERM)
		return wj_errf(e, "%s: cannot delete the link: permission denied (needs CAP_NET_ADMIN)", name);
	return wj_err_prefix(e, "cannot delete link");
}

struct list_ctx {
	char **names;
	size_t n, cap;
	int oom;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *c = data;
	struct link_info li;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	parse_link(nlh, &li);
	if (!li.wireguard || !li.name[0])
		return MNL_CB_OK;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		char **nn = realloc(c->names, cap * sizeof(*nn));
		if (!nn)
			goto oom;
		c->names = nn;
		c->cap = cap;
	}
	if (!(c->names[c->n] = strdup(li.name)))
		goto oom;
	c->n++;
	return MNL_CB_OK;
oom:
	c->oom = 1;
	errno = ENOMEM;
	return MNL_CB_ERROR;
}

int wglink_list(char ***names, size_t *n, struct wj_err *e)
{
	struct nl_sock s;
	char buf[512];
	int r = -EINTR;

	if (nl_open(&s, NETLINK_ROUTE, e) < 0)
		return -1;
	for (int tries = 0; tries < DUMP_TRIES && r == -EINTR; tries++) {
		struct list_ctx c = {*names, *n, *n, 0};
		r = nl_talk(&s, link_msg(&s, buf, RTM_GETLINK, NLM_F_DUMP, NULL), list_cb, &c, "listing links", e);
		if (r == 0) {
			*names = c.names;
			*n = c.n;
			break;
		}
		/* Drop what this attempt added; keep the caller's names. */
		for (size_t i = *n; i < c.n; i++)
			free(c.names[i]);
		*names = c.names;
		if (c.oom)
			wj_errnof(e, ENOMEM, "listing links");
	}
	nl_close(&s);
	return r < 0 ? -1 : 0;
}
