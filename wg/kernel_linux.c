/* The Linux kernel backend: WireGuard's generic-netlink family for the
 * device (GET as a dump, SET split across messages), rtnetlink for the
 * links (wg/wglink_linux.c).  Decoding and encoding are pure code in
 * wg/genl_decode_linux.c and wg/genl_encode_linux.c; this file only talks. */
#include "wg/backend.h"
#include "wg/genl_decode_linux.h"
#include "wg/genl_encode_linux.h"
#include "wg/genl_linux.h"
#include "netconf/nl.h"
#include "wg/wglink.h"
#include "util/err.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GET_TRIES 10

/* ---- family resolution ------------------------------------------------ */

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID && mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	}
	return MNL_CB_OK;
}

/* Open a generic-netlink socket and resolve the "wireguard" family. */
static int genl_open(struct nl_sock *s, uint16_t *family, const char *ifname, struct wj_err *e)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int r;

	if (nl_open(s, NETLINK_GENERIC, e) < 0)
		return wj_err_prefix(e, "%s", ifname);
	nlh = nl_msg(s, buf, GENL_ID_CTRL, NLM_F_ACK);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	*family = 0;
	r = nl_talk(s, nlh, family_cb, family, "resolving the wireguard netlink family", e);
	if (r == 0 && *family == 0)
		r = -EPROTO, wj_errf(e, "resolving the wireguard netlink family: no family id in the reply");
	if (r < 0) {
		nl_close(s);
		if (r == -ENOENT)
			return wj_errf(e, "%s: the wireguard kernel module is not loaded "
				       "(no \"wireguard\" generic netlink family)", ifname);
		return wj_err_prefix(e, "%s", ifname);
	}
	return 0;
}

/* Name the interface in kernel errors the way an operator understands. */
static int kernel_error(int r, const char *ifname, const char *op, struct wj_err *e)
{
	switch (-r) {
	case ENODEV:
		return wj_errf(e, "%s: no such interface", ifname);
	case EOPNOTSUPP:
		return wj_errf(e, "%s: not a WireGuard interface", ifname);
	case EPERM:
		return wj_errf(e, "%s: %s: permission denied (needs CAP_NET_ADMIN)", ifname, op);
	default:
		return wj_err_prefix(e, "%s: %s", ifname, op);
	}
}

/* ---- GET -------------------------------------------------------------- */

struct get_ctx {
	struct wg_device *dev;
	struct wj_err err;
	int failed;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *c = data;

	if (wg_genl_decode_msg(c->dev, nlh, &c->err) < 0) {
		c->failed = 1;
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int kernel_get(const char *ifname, struct wg_device **out, struct wj_err *e)
{
	struct nl_sock s;
	uint16_t family;
	int r = -EINTR;

	*out = NULL;
	if (genl_open(&s, &family, ifname, e) < 0)
		return -1;
	/* A configuration change during the dump marks it NLM_F_DUMP_INTR:
	 * start over, a bounded number of times. */
	for (int tries = 0; tries < GET_TRIES && r == -EINTR; tries++) {
		struct get_ctx c = {wg_device_new(), {0, ""}, 0};
		char buf[256];
		struct nlmsghdr *nlh;
		struct genlmsghdr *g;

		if (!c.dev) {
			nl_close(&s);
			return wj_errnof(e, ENOMEM, "%s", ifname);
		}
		nlh = nl_msg(&s, buf, family, NLM_F_DUMP);
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = WG_CMD_GET_DEVICE;
		g->version = WG_GENL_VERSION;
		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
		r = nl_talk(&s, nlh, get_cb, &c, "reading the device", e);
		if (r == 0) {
			if (!c.dev->name[0])
				snprintf(c.dev->name, sizeof(c.dev->name), "%s", ifname);
			*out = c.dev;
			break;
		}
		wg_device_free(c.dev);
		if (c.failed) {
			*e = c.err;
			wj_err_prefix(e, "%s", ifname);
			explicit_bzero(s.buf, NL_BUFSZ);
			nl_close(&s);
			return -1;
		}
	}
	/* The receive buffer held the private key and the PSKs. */
	explicit_bzero(s.buf, NL_BUFSZ);
	nl_close(&s);
	if (r == -EINTR)
		return wj_errf(e, "%s: the device kept changing while it was read (%d attempts)", ifname, GET_TRIES);
	if (r < 0)
		return kernel_error(r, ifname, "reading the device", e);
	return 0;
}

/* ---- SET -------------------------------------------------------------- */

/* Resolve endpoints given only as text (host:port) into addresses. */
static int resolve_endpoint(struct wg_peer *p, struct wj_err *e)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP};
	struct addrinfo *res = NULL;
	char host[256];
	const char *colon, *port, *h = p->endpoint;
	size_t hl;
	int r;

	if (!h || !(colon = strrchr(h, ':')) || colon == h)
		return wj_errf(e, "endpoint '%s' is not host:port", h ? h : "");
	port = colon + 1;
	if (h[0] == '[' && colon[-1] == ']') {
		h++;
		hl = (size_t)(colon - 1 - h);
	} else {
		hl = (size_t)(colon - h);
	}
	if (hl == 0 || hl >= sizeof(host))
		return wj_errf(e, "endpoint '%s' has a bad host", p->endpoint);
	memcpy(host, h, hl);
	host[hl] = '\0';
	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0)
		return wj_errf(e, "endpoint '%s': %s", p->endpoint, gai_strerror(r));
	memset(&p->endpoint_addr, 0, sizeof(p->endpoint_addr));
	if (res->ai_addrlen <= sizeof(p->endpoint_addr))
		memcpy(&p->endpoint_addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

static bool needs_resolving(const struct wg_peer *p)
{
	return (p->flags & WGPEER_HAS_ENDPOINT) && !(p->flags & WGPEER_REMOVE) &&
	       p->endpoint_addr.sa.sa_family != AF_INET && p->endpoint_addr.sa.sa_family != AF_INET6;
}

/* The change set with every endpoint resolved: CHANGES itself when all
 * are, else a resolved copy in *OWNED. */
static const struct wg_device *resolved(const struct wg_device *changes, struct wg_device **owned, struct wj_err *e)
{
	size_t i;

	*owned = NULL;
	for (i = 0; i < changes->n_peers && !needs_resolving(&changes->peers[i]); i++)
		;
	if (i == changes->n_peers)
		return changes;
	if (!(*owned = wg_device_clone(changes)))
		return wj_errnof(e, ENOMEM, "copying the change set"), NULL;
	for (; i < (*owned)->n_peers; i++) {
		if (needs_resolving(&(*owned)->peers[i]) && resolve_endpoint(&(*owned)->peers[i], e) < 0) {
			wg_device_free(*owned);
			*owned = NULL;
			return NULL;
		}
	}
	return *owned;
}

static int kernel_set(const char *ifname, const struct wg_device *changes, struct wj_err *e)
{
	struct wg_device *owned;
	const struct wg_device *c;
	struct wg_genl_enc st;
	struct nl_sock s;
	uint16_t family;
	char *buf;
	size_t bufsz = MNL_SOCKET_BUFFER_SIZE;
	int r = 0;

	if (!(c = resolved(changes, &owned, e)))
		return wj_err_prefix(e, "%s", ifname);
	if (!(buf = calloc(1, bufsz))) {
		wg_device_free(owned);
		return wj_errnof(e, ENOMEM, "%s", ifname);
	}
	if (genl_open(&s, &family, ifname, e) < 0) {
		free(buf);
		wg_device_free(owned);
		return -1;
	}
	wg_genl_enc_init(&st, family, ifname, c);
	while (!wg_genl_enc_done(&st)) {
		struct nlmsghdr *nlh = wg_genl_enc_next(&st, buf, bufsz, e);
		if (!nlh) {
			r = wj_err_prefix(e, "%s", ifname);
			break;
		}
		nlh->nlmsg_seq = ++s.seq;
		r = nl_talk(&s, nlh, NULL, NULL, "configuring the device", e);
		if (r < 0) {
			kernel_error(r, ifname, "configuring the device", e);
			if (st.msgs > 1) {
				char first[WJ_ERR_MAX];
				memcpy(first, e->msg, sizeof(first));
				wj_errf(e, "%.400s (message %u of the change; earlier ones were applied)",
					first, st.msgs);
			}
			r = -1;
			break;
		}
	}
	/* The buffers held the private key and PSKs (an error ACK echoes the
	 * request). */
	explicit_bzero(buf, bufsz);
	free(buf);
	explicit_bzero(s.buf, NL_BUFSZ);
	nl_close(&s);
	wg_device_free(owned);
	return r < 0 ? -1 : 0;
}

/* ---- probe and list -------------------------------------------------- */

static bool kernel_has(const char *ifname)
{
	struct wj_err e;

	return wglink_is_wireguard(ifname, &e) == 1;
}

static int kernel_list(char ***names, size_t *n, struct wj_err *e)
{
	return wglink_list(names, n, e);
}

/* The interface index: Linux never reuses one within a namespace (its
 * counter only grows), so a re-created interface has another. */
static int kernel_identity(const char *ifname, bool mint, char *out, size_t outsz)
{
	unsigned idx = if_nametoindex(ifname);
	int n;

	(void)mint;
	if (!idx)
		return -1;
	n = snprintf(out, outsz, "kernel %u", idx);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

const struct wg_backend wg_backend_kernel = {"kernel",    kernel_has,  kernel_get,
					     kernel_set,  kernel_list, kernel_identity, NULL};
