/* WG_CMD_SET_DEVICE builder: see genl_encode_linux.h for the splitting
 * rules. */
#include "wg/genl_encode_linux.h"
#include "wg/genl_linux.h"
#include "wg/model.h"
#include "util/err.h"

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <string.h>

void wg_genl_enc_init(struct wg_genl_enc *st, uint16_t family, const char *ifname,
		      const struct wg_device *changes)
{
	memset(st, 0, sizeof(*st));
	st->changes = changes;
	st->ifname = ifname;
	st->family = family;
}

bool wg_genl_enc_done(const struct wg_genl_enc *st)
{
	return st->msgs > 0 && st->peer >= st->changes->n_peers;
}

static struct nlattr *nest_start(struct nlmsghdr *nlh, size_t bufsz, uint16_t type)
{
	return mnl_attr_nest_start_check(nlh, bufsz, (uint16_t)(type | NLA_F_NESTED));
}

/* Device attributes of the first message.  False if they do not fit. */
static bool put_device(struct nlmsghdr *nlh, size_t bufsz, const struct wg_device *c)
{
	uint32_t flags = 0;

	if ((c->flags & WGDEV_HAS_PRIVATE_KEY)) {
		static const uint8_t zero[WG_KEY_LEN];
		const uint8_t *k = c->private_key ? c->private_key : zero;
		if (!mnl_attr_put_check(nlh, bufsz, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, k))
			return false;
	}
	if ((c->flags & WGDEV_HAS_LISTEN_PORT) &&
	    !mnl_attr_put_u16_check(nlh, bufsz, WGDEVICE_A_LISTEN_PORT, c->listen_port))
		return false;
	if ((c->flags & WGDEV_HAS_FWMARK) && !mnl_attr_put_u32_check(nlh, bufsz, WGDEVICE_A_FWMARK, c->fwmark))
		return false;
	if (c->flags & WGDEV_REPLACE_PEERS)
		flags |= WGDEVICE_F_REPLACE_PEERS;
	if (flags && !mnl_attr_put_u32_check(nlh, bufsz, WGDEVICE_A_FLAGS, flags))
		return false;
	return true;
}

/* The attributes of a peer's first fragment, after its public key. */
static bool put_peer_head(struct nlmsghdr *nlh, size_t bufsz, const struct wg_peer *p)
{
	uint32_t flags = 0;

	if (p->flags & WGPEER_REMOVE)
		flags |= WGPEER_F_REMOVE_ME;
	if (p->flags & WGPEER_REPLACE_AIPS)
		flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	if (p->flags & WGPEER_UPDATE_ONLY)
		flags |= WGPEER_F_UPDATE_ONLY;
	if (flags && !mnl_attr_put_u32_check(nlh, bufsz, WGPEER_A_FLAGS, flags))
		return false;
	if (p->flags & WGPEER_REMOVE)
		return true;
	if ((p->flags & WGPEER_HAS_PSK) && !mnl_attr_put_check(nlh, bufsz, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, p->psk))
		return false;
	if (p->flags & WGPEER_HAS_ENDPOINT) {
		size_t len = p->endpoint_addr.sa.sa_family == AF_INET ? sizeof(struct sockaddr_in)
										: sizeof(struct sockaddr_in6);
		if (!mnl_attr_put_check(nlh, bufsz, WGPEER_A_ENDPOINT, len, &p->endpoint_addr))
			return false;
	}
	if ((p->flags & WGPEER_HAS_KEEPALIVE) &&
	    !mnl_attr_put_u16_check(nlh, bufsz, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p->keepalive))
		return false;
	return true;
}

static bool put_aip(struct nlmsghdr *nlh, size_t bufsz, const struct wg_ipmask *ip)
{
	struct nlattr *n = nest_start(nlh, bufsz, 0);
	size_t alen = ip->family == AF_INET ? sizeof(ip->addr.ip4) : sizeof(ip->addr.ip6);

	if (!n)
		return false;
	if (!mnl_attr_put_u16_check(nlh, bufsz, WGALLOWEDIP_A_FAMILY, ip->family) ||
	    !mnl_attr_put_check(nlh, bufsz, WGALLOWEDIP_A_IPADDR, alen, &ip->addr) ||
	    !mnl_attr_put_u8_check(nlh, bufsz, WGALLOWEDIP_A_CIDR_MASK, ip->cidr)) {
		mnl_attr_nest_cancel(nlh, n);
		return false;
	}
	mnl_attr_nest_end(nlh, n);
	return true;
}

/* Emit as much of the current peer as fits.  Returns 1 if the peer is
 * complete, 0 if it was cut (continue in the next message; cont set), -1
 * if nothing of it fit (the nest was cancelled). */
static int put_peer(struct wg_genl_enc *st, struct nlmsghdr *nlh, size_t bufsz)
{
	const struct wg_peer *p = &st->changes->peers[st->peer];
	struct nlattr *pn = nest_start(nlh, bufsz, 0), *an;
	size_t first_aip = st->aip;

	if (!pn)
		return -1;
	if (!mnl_attr_put_check(nlh, bufsz, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->public_key))
		goto cancel;
	if (!st->cont) {
		if (!put_peer_head(nlh, bufsz, p))
			goto cancel;
	} else if ((p->flags & WGPEER_UPDATE_ONLY) &&
		   !mnl_attr_put_u32_check(nlh, bufsz, WGPEER_A_FLAGS, WGPEER_F_UPDATE_ONLY)) {
		goto cancel;
	}
	if (!(p->flags & WGPEER_REMOVE) && st->aip < p->n_aips) {
		if (!(an = nest_start(nlh, bufsz, WGPEER_A_ALLOWEDIPS)))
			goto cancel;
		while (st->aip < p->n_aips && put_aip(nlh, bufsz, &p->aips[st->aip]))
			st->aip++;
		if (st->aip == first_aip)
			goto cancel; /* not a single allowed IP fit: start over */
		mnl_attr_nest_end(nlh, an);
		if (st->aip < p->n_aips) {
			mnl_attr_nest_end(nlh, pn);
			st->cont = true;
			return 0;
		}
	}
	mnl_attr_nest_end(nlh, pn);
	st->peer++;
	st->aip = 0;
	st->cont = false;
	return 1;
cancel:
	st->aip = first_aip;
	mnl_attr_nest_cancel(nlh, pn);
	return -1;
}

static int check_peers(const struct wg_device *c, struct wj_err *e)
{
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer *p = &c->peers[i];
		sa_family_t f = p->endpoint_addr.sa.sa_family;
		if (!(p->flags & WGPEER_REMOVE) && (p->flags & WGPEER_HAS_ENDPOINT) && f != AF_INET && f != AF_INET6)
			return wj_errf(e, "peer %zu: endpoint %s is not resolved to an address", i + 1,
				       p->endpoint ? "(as written)" : "");
		for (size_t j = 0; j < p->n_aips; j++)
			if (p->aips[j].family != AF_INET && p->aips[j].family != AF_INET6)
				return wj_errf(e, "peer %zu: allowed IP %zu has no address family", i + 1, j + 1);
	}
	return 0;
}

struct nlmsghdr *wg_genl_enc_next(struct wg_genl_enc *st, void *buf, size_t bufsz, struct wj_err *e)
{
	const struct wg_device *c = st->changes;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct nlattr *peers;
	bool progress = false;

	if (wg_genl_enc_done(st))
		return NULL;
	if (st->msgs == 0 && check_peers(c, e) < 0)
		return NULL;
	if (bufsz < 256 || bufsz > UINT32_MAX)
		return wj_errf(e, "netlink buffer size %zu is out of range", bufsz), NULL;
	/* Zeroed for every message: libmnl 1.0.4 leaves attribute padding as
	 * it finds it, which would send uninitialised bytes, or bytes of the
	 * previous message (keys), to the kernel. */
	memset(buf, 0, bufsz);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = st->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_SET_DEVICE;
	g->version = WG_GENL_VERSION;
	if (!mnl_attr_put_strz_check(nlh, bufsz, WGDEVICE_A_IFNAME, st->ifname))
		return wj_errf(e, "%s: interface name does not fit a netlink message", st->ifname), NULL;
	if (st->msgs == 0) {
		if (!put_device(nlh, bufsz, c))
			return wj_errf(e, "%s: device attributes do not fit a netlink message", st->ifname), NULL;
		progress = true;
	}
	if (st->peer < c->n_peers && (peers = nest_start(nlh, bufsz, WGDEVICE_A_PEERS))) {
		size_t before = st->peer, aip_before = st->aip;
		while (st->peer < c->n_peers && put_peer(st, nlh, bufsz) == 1)
			;
		if (st->peer == before && st->aip == aip_before)
			mnl_attr_nest_cancel(nlh, peers);
		else {
			mnl_attr_nest_end(nlh, peers);
			progress = true;
		}
	}
	if (!progress)
		return wj_errf(e, "%s: peer %zu does not fit a netlink message of %zu bytes", st->ifname,
			       st->peer + 1, bufsz), NULL;
	st->msgs++;
	return nlh;
}
