/* WG_CMD_GET_DEVICE reply decoder.  Every attribute is length-checked
 * before use: the input is treated as untrusted (it is fuzzed). */
#include "wg/genl_decode_linux.h"
#include "wg/genl_linux.h"
#include "wg/model.h"
#include "util/err.h"
#include "keys/keys.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <string.h>

struct dec {
	struct wg_device *dev;
	struct wj_err *e;
	size_t peer;      /* index of the peer being filled */
	int failed;
};

static int fail(struct dec *d, const char *what)
{
	if (!d->failed)
		wj_errf(d->e, "malformed WireGuard netlink reply: %s", what);
	d->failed = 1;
	return MNL_CB_ERROR;
}

/* Check that nested attributes of A are well formed (mnl_attr_parse_nested
 * stops silently on a truncated attribute). */
static int nested_ok(const struct nlattr *a)
{
	const char *p = mnl_attr_get_payload(a);
	int left = (int)mnl_attr_get_payload_len(a);

	while (left >= (int)sizeof(struct nlattr)) {
		const struct nlattr *in = (const struct nlattr *)(const void *)p;
		if (!mnl_attr_ok(in, left))
			return 0;
		left -= MNL_ALIGN(in->nla_len);
		p += MNL_ALIGN(in->nla_len);
	}
	return left <= 0 || left < (int)sizeof(struct nlattr);
}

static int aip_cb(const struct nlattr *a, void *data)
{
	struct dec *d = data;
	const struct nlattr *in;
	struct wg_ipmask ip;
	int have_family = 0, have_addr = 0, have_cidr = 0;
	const void *addr = NULL;
	uint16_t alen = 0;

	if (mnl_attr_get_type(a) != 0)
		return MNL_CB_OK; /* array entries are type 0; ignore others */
	if (!nested_ok(a))
		return fail(d, "truncated allowed IP");
	memset(&ip, 0, sizeof(ip));
	mnl_attr_for_each_nested(in, a) {
		switch (mnl_attr_get_type(in)) {
		case WGALLOWEDIP_A_FAMILY:
			if (mnl_attr_validate(in, MNL_TYPE_U16) < 0)
				return fail(d, "allowed-IP family length");
			ip.family = mnl_attr_get_u16(in);
			have_family = 1;
			break;
		case WGALLOWEDIP_A_IPADDR:
			addr = mnl_attr_get_payload(in);
			alen = mnl_attr_get_payload_len(in);
			have_addr = 1;
			break;
		case WGALLOWEDIP_A_CIDR_MASK:
			if (mnl_attr_validate(in, MNL_TYPE_U8) < 0)
				return fail(d, "allowed-IP prefix length");
			ip.cidr = mnl_attr_get_u8(in);
			have_cidr = 1;
			break;
		default:
			break; /* newer kernels may add attributes (flags) */
		}
	}
	if (!have_family || !have_addr || !have_cidr)
		return fail(d, "allowed IP without family, address or prefix length");
	if (ip.family == AF_INET && alen == sizeof(ip.addr.ip4) && ip.cidr <= 32)
		memcpy(&ip.addr.ip4, addr, sizeof(ip.addr.ip4));
	else if (ip.family == AF_INET6 && alen == sizeof(ip.addr.ip6) && ip.cidr <= 128)
		memcpy(&ip.addr.ip6, addr, sizeof(ip.addr.ip6));
	else
		return fail(d, "allowed IP with a bad family, address length or prefix length");
	if (wg_peer_add_aip(&d->dev->peers[d->peer], &ip) < 0) {
		wj_errnof(d->e, ENOMEM, "reading allowed IPs");
		d->failed = 1;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* One case per attribute, here and in dev_attr_cb below: check the
 * length, take the value, set its flag.  Alike because the attributes are;
 * a table would need a setter per field all the same. */
static int peer_attr_cb(const struct nlattr *a, void *data)
{
	struct dec *d = data;
	struct wg_peer *p = &d->dev->peers[d->peer];

	switch (mnl_attr_get_type(a)) {
	case WGPEER_A_PRESHARED_KEY:
		if (mnl_attr_get_payload_len(a) != WG_KEY_LEN)
			return fail(d, "preshared key length");
		memcpy(p->psk, mnl_attr_get_payload(a), WG_KEY_LEN);
		if (key_is_zero(p->psk))
			p->flags &= ~(uint32_t)WGPEER_HAS_PSK;
		else
			p->flags |= WGPEER_HAS_PSK;
		break;
	case WGPEER_A_ENDPOINT: {
		uint16_t len = mnl_attr_get_payload_len(a);
		const struct sockaddr *sa = mnl_attr_get_payload(a);
		if (len < sizeof(sa->sa_family))
			return fail(d, "endpoint length");
		memset(&p->endpoint_addr, 0, sizeof(p->endpoint_addr));
		if (sa->sa_family == AF_INET && len == sizeof(struct sockaddr_in))
			memcpy(&p->endpoint_addr.in, sa, sizeof(struct sockaddr_in));
		else if (sa->sa_family == AF_INET6 && len == sizeof(struct sockaddr_in6))
			memcpy(&p->endpoint_addr.in6, sa, sizeof(struct sockaddr_in6));
		else
			return fail(d, "endpoint with a bad family or length");
		p->flags |= WGPEER_HAS_ENDPOINT;
		break;
	}
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return fail(d, "keepalive length");
		p->keepalive = mnl_attr_get_u16(a);
		if (p->keepalive)
			p->flags |= WGPEER_HAS_KEEPALIVE;
		else
			p->flags &= ~(uint32_t)WGPEER_HAS_KEEPALIVE;
		break;
	case WGPEER_A_LAST_HANDSHAKE_TIME: {
		int64_t ts[2];
		if (mnl_attr_get_payload_len(a) != sizeof(ts))
			return fail(d, "handshake time length");
		memcpy(ts, mnl_attr_get_payload(a), sizeof(ts));
		p->last_handshake_sec = ts[0];
		p->last_handshake_nsec = ts[1];
		break;
	}
	case WGPEER_A_RX_BYTES:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return fail(d, "rx bytes length");
		p->rx_bytes = mnl_attr_get_u64(a);
		break;
	case WGPEER_A_TX_BYTES:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return fail(d, "tx bytes length");
		p->tx_bytes = mnl_attr_get_u64(a);
		break;
	case WGPEER_A_ALLOWEDIPS:
		if (!nested_ok(a))
			return fail(d, "truncated allowed-IP list");
		if (mnl_attr_parse_nested(a, aip_cb, d) < 0 || d->failed)
			return fail(d, "allowed-IP list");
		break;
	case WGPEER_A_PROTOCOL_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return fail(d, "protocol version length");
		if (mnl_attr_get_u32(a) != 1)
			return fail(d, "unknown protocol version");
		break;
	default:
		break; /* PUBLIC_KEY handled by the caller; unknown: newer kernel */
	}
	return MNL_CB_OK;
}

/* One peer entry: find its public key first, then fill it.  A public key
 * already present (a fragment continued in the next message) is merged. */
static int peer_cb(const struct nlattr *a, void *data)
{
	struct dec *d = data;
	const struct nlattr *in;
	const uint8_t *key = NULL;
	struct wg_peer *p;

	if (!nested_ok(a))
		return fail(d, "truncated peer");
	mnl_attr_for_each_nested(in, a) {
		if (mnl_attr_get_type(in) == WGPEER_A_PUBLIC_KEY) {
			if (mnl_attr_get_payload_len(in) != WG_KEY_LEN)
				return fail(d, "peer public key length");
			key = mnl_attr_get_payload(in);
		}
	}
	if (!key)
		return fail(d, "peer without a public key");
	p = wg_device_find_peer(d->dev, key);
	if (!p && !(p = wg_device_add_peer(d->dev, key))) {
		wj_errnof(d->e, errno ? errno : ENOMEM, "reading peers");
		d->failed = 1;
		return MNL_CB_ERROR;
	}
	d->peer = (size_t)(p - d->dev->peers);
	if (mnl_attr_parse_nested(a, peer_attr_cb, d) < 0 || d->failed)
		return fail(d, "peer");
	return MNL_CB_OK;
}

static int dev_attr_cb(const struct nlattr *a, void *data)
{
	struct dec *d = data;
	struct wg_device *dev = d->dev;

	switch (mnl_attr_get_type(a)) {
	case WGDEVICE_A_IFNAME: {
		uint16_t len = mnl_attr_get_payload_len(a);
		const char *s = mnl_attr_get_payload(a);
		if (len == 0 || len > sizeof(dev->name) || s[len - 1] != '\0' || strlen(s) == 0)
			return fail(d, "interface name");
		memcpy(dev->name, s, strlen(s) + 1);
		break;
	}
	case WGDEVICE_A_PRIVATE_KEY:
		if (mnl_attr_get_payload_len(a) != WG_KEY_LEN)
			return fail(d, "private key length");
		if (!key_is_zero(mnl_attr_get_payload(a))) {
			if (wg_device_set_private_key(dev, mnl_attr_get_payload(a)) < 0) {
				wj_errnof(d->e, ENOMEM, "reading the private key");
				d->failed = 1;
				return MNL_CB_ERROR;
			}
		}
		break;
	case WGDEVICE_A_PUBLIC_KEY:
		if (mnl_attr_get_payload_len(a) != WG_KEY_LEN)
			return fail(d, "public key length");
		/* The public key comes with the private key, from which
		 * wg_device_set_private_key derived it already; keep the
		 * kernel's copy only when there is no private key. */
		if (!(dev->flags & WGDEV_HAS_PRIVATE_KEY)) {
			memcpy(dev->public_key, mnl_attr_get_payload(a), WG_KEY_LEN);
			if (!key_is_zero(dev->public_key))
				dev->flags |= WGDEV_HAS_PUBLIC_KEY;
		}
		break;
	case WGDEVICE_A_LISTEN_PORT:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return fail(d, "listen port length");
		dev->listen_port = mnl_attr_get_u16(a);
		dev->flags |= WGDEV_HAS_LISTEN_PORT;
		break;
	case WGDEVICE_A_FWMARK:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return fail(d, "fwmark length");
		dev->fwmark = mnl_attr_get_u32(a);
		if (dev->fwmark)
			dev->flags |= WGDEV_HAS_FWMARK;
		else
			dev->flags &= ~(uint32_t)WGDEV_HAS_FWMARK;
		break;
	case WGDEVICE_A_PEERS:
		if (!nested_ok(a))
			return fail(d, "truncated peer list");
		if (mnl_attr_parse_nested(a, peer_cb, d) < 0 || d->failed)
			return fail(d, "peer list");
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

int wg_genl_decode_msg(struct wg_device *dev, const struct nlmsghdr *nlh, struct wj_err *e)
{
	struct dec d = {dev, e, 0, 0};
	const char *p;
	int left;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)))
		return wj_errf(e, "malformed WireGuard netlink reply: message too short");
	/* Walk the top-level attributes ourselves so that a truncated one is
	 * an error, not a silent stop. */
	p = (const char *)mnl_nlmsg_get_payload_offset(nlh, sizeof(struct genlmsghdr));
	left = (int)((const char *)nlh + nlh->nlmsg_len - p);
	while (left >= (int)sizeof(struct nlattr)) {
		const struct nlattr *a = (const struct nlattr *)(const void *)p;
		if (!mnl_attr_ok(a, left))
			return fail(&d, "truncated attribute"), -1;
		if (dev_attr_cb(a, &d) != MNL_CB_OK)
			return -1;
		left -= MNL_ALIGN(a->nla_len);
		p += MNL_ALIGN(a->nla_len);
	}
	return 0;
}

int wg_genl_decode_buf(struct wg_device *dev, const void *buf, size_t len, struct wj_err *e)
{
	const char *p = buf;
	size_t left = len;

	/* Not mnl_nlmsg_ok/next: they compare nlmsg_len as an int, so a
	 * length of 0xffffffff passes and the walk never advances. */
	while (left >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(const void *)p;
		size_t step;

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
			return wj_errf(e, "malformed WireGuard netlink reply: bad message length");
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
			return 0;
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR: {
			const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
				return wj_errf(e, "malformed WireGuard netlink reply: short error message");
			if (err->error)
				return wj_errnof(e, err->error < 0 && err->error > -4096 ? -err->error : EPROTO,
						 "WireGuard netlink reply");
			return 0;
		}
		default:
			if (wg_genl_decode_msg(dev, nlh, e) < 0)
				return -1;
		}
		step = MNL_ALIGN((size_t)nlh->nlmsg_len);
		if (step >= left)
			break;
		left -= step;
		p += step;
	}
	return 0;
}
