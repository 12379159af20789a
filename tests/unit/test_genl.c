/* Generic-netlink decoder and encoder of the kernel backend, without a
 * kernel: replies are built here with libmnl the way the kernel builds
 * them; SET messages are taken apart and checked against §1.4. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/genl_decode_linux.h"
#include "wg/genl_encode_linux.h"
#include "wg/genl_linux.h"
#include "wg/model.h"

#define FAM 0x1b

static void key_fill(uint8_t k[WG_KEY_LEN], uint8_t v)
{
	memset(k, v, WG_KEY_LEN);
}

static struct nlmsghdr *reply_start(char *buf, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = FAM;
	nlh->nlmsg_flags = flags | NLM_F_MULTI;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = 1;
	return nlh;
}

static void put_aip4(struct nlmsghdr *nlh, const char *a, uint8_t cidr)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, 0);
	struct in_addr ip;

	inet_pton(AF_INET, a, &ip);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, sizeof(ip), &ip);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, cidr);
	mnl_attr_nest_end(nlh, n);
}

static void put_aip6(struct nlmsghdr *nlh, const char *a, uint8_t cidr)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, 0);
	struct in6_addr ip;

	inet_pton(AF_INET6, a, &ip);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET6);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, sizeof(ip), &ip);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, cidr);
	mnl_attr_nest_end(nlh, n);
}

/* A peer's first fragment, as the kernel emits it. */
static void put_peer_full(struct nlmsghdr *nlh, uint8_t keyv, uint8_t pskv, const union wg_sockaddr *ep,
			  uint16_t ka)
{
	uint8_t k[WG_KEY_LEN], psk[WG_KEY_LEN];
	int64_t ts[2] = {1700000000, 123456789};

	key_fill(k, keyv);
	key_fill(psk, pskv);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, k);
	mnl_attr_put(nlh, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, psk);
	mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), ts);
	mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, ka);
	mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, 1000u + keyv);
	mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 2000u + keyv);
	mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
	if (ep)
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT,
			     ep->sa.sa_family == AF_INET ? sizeof(ep->in) : sizeof(ep->in6), ep);
}

/* Two messages and DONE: device + peer A + first half of peer B, then the
 * rest of B (public key and allowed IPs only) and peer C. */
static size_t build_reply(char *buf, uint8_t priv[WG_KEY_LEN])
{
	struct nlmsghdr *nlh;
	struct nlattr *peers, *p, *aips;
	union wg_sockaddr ep4, ep6;
	uint8_t pub[WG_KEY_LEN], kb[WG_KEY_LEN];
	size_t off;

	memset(&ep4, 0, sizeof(ep4));
	ep4.in.sin_family = AF_INET;
	ep4.in.sin_port = htons(51820);
	inet_pton(AF_INET, "192.0.2.1", &ep4.in.sin_addr);
	memset(&ep6, 0, sizeof(ep6));
	ep6.in6.sin6_family = AF_INET6;
	ep6.in6.sin6_port = htons(4500);
	inet_pton(AF_INET6, "2001:db8::1", &ep6.in6.sin6_addr);

	key_generate_private(priv);
	key_public_from_private(pub, priv);
	nlh = reply_start(buf, 0);
	mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
	mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 0x42);
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wgtest0");
	mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, priv);
	mnl_attr_put(nlh, WGDEVICE_A_PUBLIC_KEY, WG_KEY_LEN, pub);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	p = mnl_attr_nest_start(nlh, 0);
	put_peer_full(nlh, 0xa1, 0x55, &ep4, 25);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip4(nlh, "10.1.0.0", 16);
	put_aip6(nlh, "fd00:1::", 64);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, p);
	p = mnl_attr_nest_start(nlh, 0);
	put_peer_full(nlh, 0xb2, 0x00, &ep6, 0);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip4(nlh, "10.2.0.0", 24);
	put_aip4(nlh, "10.2.1.0", 24);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, peers);
	off = nlh->nlmsg_len;

	nlh = reply_start(buf + off, 0);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	p = mnl_attr_nest_start(nlh, 0);
	key_fill(kb, 0xb2);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, kb);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip4(nlh, "10.2.2.0", 24);
	put_aip6(nlh, "fd00:2::", 48);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, p);
	p = mnl_attr_nest_start(nlh, 0);
	put_peer_full(nlh, 0xc3, 0x00, NULL, 0);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, peers);
	off += nlh->nlmsg_len;

	nlh = mnl_nlmsg_put_header(buf + off);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
	return off + nlh->nlmsg_len;
}

static void aip_is(const struct wg_ipmask *ip, const char *want)
{
	char s[64];

	assert_string_equal(wg_ipmask_fmt(ip, s, sizeof(s)), want);
}

static void test_decode_dump(void **state)
{
	char *buf = calloc(1, 8192);
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN], k[WG_KEY_LEN];
	struct wg_device *dev = wg_device_new();
	struct wj_err e = {0, ""};
	const struct wg_peer *p;
	size_t len = build_reply(buf, priv);
	char s[64];

	assert_int_equal(wg_genl_decode_buf(dev, buf, len, &e), 0);
	assert_string_equal(dev->name, "wgtest0");
	assert_true(dev->flags & WGDEV_HAS_PRIVATE_KEY);
	assert_memory_equal(dev->private_key, priv, WG_KEY_LEN);
	key_public_from_private(pub, priv);
	assert_memory_equal(dev->public_key, pub, WG_KEY_LEN);
	assert_int_equal(dev->listen_port, 51820);
	assert_int_equal(dev->fwmark, 0x42);
	assert_int_equal(dev->n_peers, 3);

	p = &dev->peers[0];
	key_fill(k, 0xa1);
	assert_memory_equal(p->public_key, k, WG_KEY_LEN);
	assert_true(p->flags & WGPEER_HAS_PSK);
	assert_true(p->flags & WGPEER_HAS_KEEPALIVE);
	assert_int_equal(p->keepalive, 25);
	assert_string_equal(wg_sockaddr_fmt(&p->endpoint_addr, s, sizeof(s)), "192.0.2.1:51820");
	assert_int_equal(p->last_handshake_sec, 1700000000);
	assert_int_equal(p->last_handshake_nsec, 123456789);
	assert_int_equal(p->tx_bytes, 1000 + 0xa1);
	assert_int_equal(p->rx_bytes, 2000 + 0xa1);
	assert_int_equal(p->n_aips, 2);
	aip_is(&p->aips[0], "10.1.0.0/16");
	aip_is(&p->aips[1], "fd00:1::/64");

	/* Peer B was split across the two messages: one peer, four IPs. */
	p = &dev->peers[1];
	key_fill(k, 0xb2);
	assert_memory_equal(p->public_key, k, WG_KEY_LEN);
	assert_false(p->flags & WGPEER_HAS_PSK);
	assert_false(p->flags & WGPEER_HAS_KEEPALIVE);
	assert_string_equal(wg_sockaddr_fmt(&p->endpoint_addr, s, sizeof(s)), "[2001:db8::1]:4500");
	assert_int_equal(p->n_aips, 4);
	aip_is(&p->aips[2], "10.2.2.0/24");
	aip_is(&p->aips[3], "fd00:2::/48");
	assert_int_equal(p->tx_bytes, 1000 + 0xb2); /* not reset by the fragment */

	p = &dev->peers[2];
	assert_int_equal(p->n_aips, 0);
	assert_int_equal(p->endpoint_addr.sa.sa_family, AF_UNSPEC);
	assert_false(p->flags & WGPEER_HAS_ENDPOINT);
	wg_device_free(dev);
	free(buf);
}

static void test_decode_no_private_key(void **state)
{
	char buf[512];
	struct nlmsghdr *nlh = reply_start(buf, 0);
	uint8_t zero[WG_KEY_LEN] = {0};
	struct wg_device *dev = wg_device_new();
	struct wj_err e = {0, ""};

	mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 0);
	mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 0);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg1");
	assert_int_equal(wg_genl_decode_msg(dev, nlh, &e), 0);
	assert_false(dev->flags & WGDEV_HAS_PRIVATE_KEY);
	assert_null(dev->private_key);
	assert_false(dev->flags & WGDEV_HAS_FWMARK);
	/* An all-zero private key means none, too. */
	mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, zero);
	assert_int_equal(wg_genl_decode_msg(dev, nlh, &e), 0);
	assert_false(dev->flags & WGDEV_HAS_PRIVATE_KEY);
	wg_device_free(dev);
}

/* Each malformed reply is refused with a message, never half-trusted. */
static void expect_bad(struct nlmsghdr *nlh, const char *needle)
{
	struct wg_device *dev = wg_device_new();
	struct wj_err e = {0, ""};

	assert_int_equal(wg_genl_decode_msg(dev, nlh, &e), -1);
	if (!strstr(e.msg, needle))
		fail_msg("error '%s' does not mention '%s'", e.msg, needle);
	wg_device_free(dev);
}

static void test_decode_malformed(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	struct nlattr *peers, *p, *aips, *a;
	uint8_t k[WG_KEY_LEN] = {1};

	nlh = reply_start(buf, 0);
	mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, 31, k);
	expect_bad(nlh, "private key length");

	nlh = reply_start(buf, 0);
	mnl_attr_put_u32(nlh, WGDEVICE_A_LISTEN_PORT, 1);
	expect_bad(nlh, "listen port");

	nlh = reply_start(buf, 0);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	p = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 5);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, peers);
	expect_bad(nlh, "without a public key");

	nlh = reply_start(buf, 0);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	p = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, k);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip4(nlh, "10.0.0.0", 33);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, peers);
	expect_bad(nlh, "allowed IP");

	nlh = reply_start(buf, 0);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	p = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, k);
	mnl_attr_put(nlh, WGPEER_A_ENDPOINT, 10, k);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, peers);
	expect_bad(nlh, "endpoint");

	nlh = reply_start(buf, 0);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	p = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, k);
	mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 2);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, peers);
	expect_bad(nlh, "protocol version");

	/* A nested attribute claiming more bytes than its parent holds. */
	nlh = reply_start(buf, 0);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	p = mnl_attr_nest_start(nlh, 0);
	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, k);
	a->nla_len = 200;
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, peers);
	expect_bad(nlh, "truncated");

	/* A top-level attribute running past the message. */
	nlh = reply_start(buf, 0);
	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	a->nla_len = 100;
	expect_bad(nlh, "truncated");
}

static void test_decode_error_message(void **state)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *err;
	struct wg_device *dev = wg_device_new();
	struct wj_err e = {0, ""};

	nlh->nlmsg_type = NLMSG_ERROR;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -19; /* ENODEV */
	assert_int_equal(wg_genl_decode_buf(dev, buf, nlh->nlmsg_len, &e), -1);
	assert_int_equal(e.code, 19);
	wg_device_free(dev);
}

/* ---- encoder ------------------------------------------------------------ */

static struct wg_device *big_change(size_t npeers, size_t big_aips)
{
	struct wg_device *c = wg_device_new();
	uint8_t k[WG_KEY_LEN];

	key_generate_private(k);
	assert_int_equal(wg_device_set_private_key(c, k), 0);
	c->listen_port = 51000;
	c->fwmark = 7;
	c->flags |= WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK;
	for (size_t i = 0; i < npeers; i++) {
		struct wg_peer *p;
		size_t na = i == 3 ? big_aips : (i % 3) + 1;
		memset(k, 0, sizeof(k));
		k[0] = (uint8_t)(i >> 8);
		k[1] = (uint8_t)i;
		k[2] = 0x77;
		p = wg_device_add_peer(c, k);
		assert_non_null(p);
		if (i % 5 == 0) {
			p->flags |= WGPEER_HAS_PSK;
			key_fill(p->psk, (uint8_t)(i + 1));
		}
		if (i % 2 == 0) {
			p->flags |= WGPEER_HAS_ENDPOINT;
			p->endpoint_addr.in.sin_family = AF_INET;
			p->endpoint_addr.in.sin_port = htons((uint16_t)(1000 + i));
			p->endpoint_addr.in.sin_addr.s_addr = htonl(0xc0000200u + (uint32_t)i);
		}
		if (i % 4 == 1) {
			p->flags |= WGPEER_HAS_KEEPALIVE;
			p->keepalive = 25;
		}
		if (i % 7 == 3)
			p->flags |= WGPEER_REPLACE_AIPS;
		if (i == 3)
			p->flags |= WGPEER_UPDATE_ONLY;
		for (size_t j = 0; j < na; j++) {
			struct wg_ipmask ip = {.family = j % 2 ? AF_INET6 : AF_INET};
			if (ip.family == AF_INET) {
				ip.cidr = 32;
				ip.addr.ip4.s_addr = htonl(0x0a000000u + (uint32_t)(i << 12) + (uint32_t)j);
			} else {
				ip.cidr = 128;
				ip.addr.ip6.s6_addr[0] = 0xfd;
				ip.addr.ip6.s6_addr[13] = (uint8_t)(i >> 8);
				ip.addr.ip6.s6_addr[14] = (uint8_t)i;
				ip.addr.ip6.s6_addr[15] = (uint8_t)j;
				ip.addr.ip6.s6_addr[12] = (uint8_t)(j >> 8);
			}
			assert_int_equal(wg_peer_add_aip(p, &ip), 0);
		}
	}
	return c;
}

/* What the checker saw per peer over all messages. */
struct seen {
	unsigned fragments, heads, psk, endpoint, keepalive, replace;
	uint32_t flags_first;
};

struct checker {
	const struct wg_device *c;
	struct wg_device *got;   /* reassembled with the GET decoder */
	struct seen *seen;
	unsigned msg;
	size_t last_peer;        /* index of the last peer seen, for ordering */
	int any_peer;
};

static void check_peer(struct checker *ck, const struct nlattr *pn, int first_in_msg)
{
	const struct nlattr *a;
	const uint8_t *key = NULL;
	const struct wg_peer *want;
	struct seen *s;
	size_t idx;
	uint32_t flags = 0;
	int has_head = 0, has_aips = 0;

	assert_true((pn)->nla_type & NLA_F_NESTED);
	assert_int_equal(mnl_attr_get_type(pn) & NLA_TYPE_MASK, 0);
	mnl_attr_for_each_nested(a, pn) {
		switch (mnl_attr_get_type(a) & NLA_TYPE_MASK) {
		case WGPEER_A_PUBLIC_KEY: key = mnl_attr_get_payload(a); break;
		case WGPEER_A_FLAGS: flags = mnl_attr_get_u32(a); break;
		case WGPEER_A_PRESHARED_KEY:
		case WGPEER_A_ENDPOINT:
		case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL: has_head = 1; break;
		case WGPEER_A_ALLOWEDIPS: {
			const struct nlattr *en;
			assert_true((a)->nla_type & NLA_F_NESTED);
			mnl_attr_for_each_nested(en, a) {
				assert_true(en->nla_type & NLA_F_NESTED);
				assert_int_equal(mnl_attr_get_type(en), 0);
			}
			has_aips = 1;
			break;
		}
		default: fail_msg("unexpected peer attribute %d", mnl_attr_get_type(a));
		}
	}
	assert_non_null(key);
	want = wg_device_find_peer(ck->c, key);
	assert_non_null(want);
	idx = (size_t)(want - ck->c->peers);
	s = &ck->seen[idx];
	/* Peers come in order; only the first peer of a message may be a
	 * continuation of the last one of the previous message. */
	if (ck->any_peer) {
		if (s->fragments)
			assert_true(first_in_msg && idx == ck->last_peer);
		else
			assert_int_equal(idx, ck->last_peer + 1);
	} else {
		assert_int_equal(idx, 0);
	}
	ck->any_peer = 1;
	ck->last_peer = idx;
	if (s->fragments == 0) {
		s->flags_first = flags;
	} else {
		/* A continuation: public key, allowed IPs, UPDATE_ONLY at most. */
		assert_false(has_head);
		assert_int_equal(flags & ~(uint32_t)WGPEER_F_UPDATE_ONLY, 0);
		assert_true(has_aips);
		if (want->flags & WGPEER_UPDATE_ONLY)
			assert_int_equal(flags, WGPEER_F_UPDATE_ONLY);
	}
	s->fragments++;
	mnl_attr_for_each_nested(a, pn) {
		switch (mnl_attr_get_type(a) & NLA_TYPE_MASK) {
		case WGPEER_A_PRESHARED_KEY: s->psk++; break;
		case WGPEER_A_ENDPOINT: s->endpoint++; break;
		case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL: s->keepalive++; break;
		default: break;
		}
	}
	if (flags & WGPEER_F_REPLACE_ALLOWEDIPS)
		s->replace++;
}

static void check_msg(struct checker *ck, const struct nlmsghdr *nlh, size_t bufsz)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *pn;
	int ifname = 0;
	struct wj_err e = {0, ""};

	assert_true(nlh->nlmsg_len <= bufsz);
	assert_int_equal(nlh->nlmsg_type, FAM);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(g->cmd, WG_CMD_SET_DEVICE);
	assert_int_equal(g->version, 1);
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		uint16_t t = mnl_attr_get_type(a) & NLA_TYPE_MASK;
		switch (t) {
		case WGDEVICE_A_IFNAME:
			assert_string_equal(mnl_attr_get_str(a), "wgx");
			ifname = 1;
			break;
		case WGDEVICE_A_PRIVATE_KEY:
		case WGDEVICE_A_LISTEN_PORT:
		case WGDEVICE_A_FWMARK:
		case WGDEVICE_A_FLAGS:
			if (ck->msg != 0)
				fail_msg("device attribute %u in message %u", t, ck->msg + 1);
			break;
		case WGDEVICE_A_PEERS: {
			int first = 1;
			assert_true((a)->nla_type & NLA_F_NESTED);
			mnl_attr_for_each_nested(pn, a) {
				check_peer(ck, pn, first);
				first = 0;
			}
			break;
		}
		default:
			fail_msg("unexpected device attribute %u", t);
		}
	}
	assert_true(ifname);
	/* The GET decoder understands the same layout: reassemble. */
	assert_int_equal(wg_genl_decode_msg(ck->got, nlh, &e), 0);
	ck->msg++;
}

static unsigned encode_and_check(const struct wg_device *c, size_t bufsz, struct checker *ck)
{
	struct wg_genl_enc st;
	char *buf = calloc(1, bufsz);
	struct wj_err e = {0, ""};

	memset(ck, 0, sizeof(*ck));
	ck->c = c;
	ck->got = wg_device_new();
	ck->seen = calloc(c->n_peers + 1, sizeof(*ck->seen));
	wg_genl_enc_init(&st, FAM, "wgx", c);
	while (!wg_genl_enc_done(&st)) {
		struct nlmsghdr *nlh = wg_genl_enc_next(&st, buf, bufsz, &e);
		if (!nlh)
			fail_msg("encoder: %s", e.msg);
		check_msg(ck, nlh, bufsz);
		assert_true(ck->msg < 100000);
	}
	assert_null(wg_genl_enc_next(&st, buf, bufsz, &e));
	free(buf);
	return ck->msg;
}

static void checker_free(struct checker *ck)
{
	wg_device_free(ck->got);
	free(ck->seen);
}

static void test_encode_split(void **state)
{
	struct wg_device *c = big_change(300, 400);
	struct checker ck;
	unsigned n = encode_and_check(c, 1024, &ck);

	assert_true(n > 20);
	assert_int_equal(ck.got->n_peers, c->n_peers);
	assert_int_equal(ck.got->listen_port, 51000);
	assert_int_equal(ck.got->fwmark, 7);
	assert_memory_equal(ck.got->private_key, c->private_key, WG_KEY_LEN);
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer *w = &c->peers[i], *g = &ck.got->peers[i];
		struct seen *s = &ck.seen[i];
		assert_memory_equal(w->public_key, g->public_key, WG_KEY_LEN);
		assert_int_equal(g->n_aips, w->n_aips);
		for (size_t j = 0; j < w->n_aips; j++)
			assert_int_equal(wg_ipmask_cmp(&w->aips[j], &g->aips[j]), 0);
		assert_int_equal(s->psk, (w->flags & WGPEER_HAS_PSK) ? 1 : 0);
		assert_int_equal(s->endpoint, (w->flags & WGPEER_HAS_ENDPOINT) ? 1 : 0);
		assert_int_equal(s->keepalive, (w->flags & WGPEER_HAS_KEEPALIVE) ? 1 : 0);
		assert_int_equal(s->replace, (w->flags & WGPEER_REPLACE_AIPS) ? 1 : 0);
		if (w->flags & WGPEER_HAS_ENDPOINT)
			assert_true(wg_sockaddr_equal(&w->endpoint_addr, &g->endpoint_addr));
	}
	/* The 400-IP peer really was continued. */
	assert_true(ck.seen[3].fragments > 3);
	checker_free(&ck);
	/* The backend's buffer size: fewer, bigger messages, same content. */
	n = encode_and_check(c, MNL_SOCKET_BUFFER_SIZE, &ck);
	assert_true(n > 1);
	assert_int_equal(ck.got->n_peers, c->n_peers);
	checker_free(&ck);
	wg_device_free(c);
}

static uint32_t first_peer_flags(const struct wg_device *c)
{
	struct checker ck;
	uint32_t f;

	encode_and_check(c, 4096, &ck);
	f = ck.seen[0].flags_first;
	checker_free(&ck);
	return f;
}

static void test_encode_flags(void **state)
{
	struct wg_device *c = wg_device_new();
	uint8_t k[WG_KEY_LEN];
	struct wg_peer *p;
	char buf[4096];
	struct wg_genl_enc st;
	struct wj_err e = {0, ""};
	struct nlmsghdr *nlh;
	const struct nlattr *a;

	key_fill(k, 9);
	p = wg_device_add_peer(c, k);
	p->flags = WGPEER_REMOVE | WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE;
	assert_int_equal(first_peer_flags(c), WGPEER_F_REMOVE_ME);
	{
		struct checker ck;
		encode_and_check(c, 4096, &ck);
		/* A removed peer carries nothing but its key and the flag. */
		assert_int_equal(ck.seen[0].psk + ck.seen[0].keepalive, 0);
		checker_free(&ck);
	}
	c->peers[0].flags = WGPEER_REPLACE_AIPS | WGPEER_UPDATE_ONLY;
	assert_int_equal(first_peer_flags(c), WGPEER_F_REPLACE_ALLOWEDIPS | WGPEER_F_UPDATE_ONLY);
	c->peers[0].flags = 0;
	assert_int_equal(first_peer_flags(c), 0);

	/* REPLACE_PEERS only when asked; a zero PSK is sent (it removes). */
	c->peers[0].flags = WGPEER_HAS_PSK;
	memset(c->peers[0].psk, 0, WG_KEY_LEN);
	wg_genl_enc_init(&st, FAM, "wgx", c);
	nlh = wg_genl_enc_next(&st, buf, sizeof(buf), &e);
	assert_non_null(nlh);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		assert_int_not_equal(mnl_attr_get_type(a), WGDEVICE_A_FLAGS);
	assert_true(wg_genl_enc_done(&st));
	{
		struct checker ck;
		encode_and_check(c, 4096, &ck);
		assert_int_equal(ck.seen[0].psk, 1);
		checker_free(&ck);
	}
	c->flags |= WGDEV_REPLACE_PEERS;
	wg_genl_enc_init(&st, FAM, "wgx", c);
	nlh = wg_genl_enc_next(&st, buf, sizeof(buf), &e);
	{
		int found = 0;
		mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
			if (mnl_attr_get_type(a) == WGDEVICE_A_FLAGS) {
				assert_int_equal(mnl_attr_get_u32(a), WGDEVICE_F_REPLACE_PEERS);
				found = 1;
			}
		assert_true(found);
	}
	wg_device_free(c);
}

static void test_encode_empty_and_unresolved(void **state)
{
	struct wg_device *c = wg_device_new();
	char buf[512];
	struct wg_genl_enc st;
	struct wj_err e = {0, ""};
	struct nlmsghdr *nlh;
	uint8_t k[WG_KEY_LEN];
	struct wg_peer *p;
	int n = 0;
	const struct nlattr *a;

	/* Nothing to change: one message naming the interface. */
	wg_genl_enc_init(&st, FAM, "wgx", c);
	nlh = wg_genl_enc_next(&st, buf, sizeof(buf), &e);
	assert_non_null(nlh);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		n++;
	assert_int_equal(n, 1);
	assert_true(wg_genl_enc_done(&st));

	key_fill(k, 3);
	p = wg_device_add_peer(c, k);
	p->flags = WGPEER_HAS_ENDPOINT;
	assert_int_equal(wg_peer_set_endpoint_text(p, "vpn.example:51820"), 0);
	wg_genl_enc_init(&st, FAM, "wgx", c);
	assert_null(wg_genl_enc_next(&st, buf, sizeof(buf), &e));
	assert_non_null(strstr(e.msg, "not resolved"));
	wg_device_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_dump),
		cmocka_unit_test(test_decode_no_private_key),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_decode_error_message),
		cmocka_unit_test(test_encode_split),
		cmocka_unit_test(test_encode_flags),
		cmocka_unit_test(test_encode_empty_and_unresolved),
	};
	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
