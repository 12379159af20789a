/* Writes the seed corpus of fuzz_genl: real-shaped GET dumps built with
 * libmnl as the kernel builds them (device, peers with every attribute, a
 * peer split across two messages, DONE).
 *   cc -I. -D_GNU_SOURCE tests/fuzz/gen_genl_seeds.c -lmnl -o /tmp/gen && /tmp/gen DIR */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <string.h>

#include "wg/genl_linux.h"

static struct nlmsghdr *start(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = 0x1b;
	nlh->nlmsg_flags = NLM_F_MULTI;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = 1;
	return nlh;
}

static void aip(struct nlmsghdr *nlh, int fam, const char *a, uint8_t cidr)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, 0);
	unsigned char ip[16];

	inet_pton(fam, a, ip);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, (uint16_t)fam);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, fam == AF_INET ? 4 : 16, ip);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, cidr);
	mnl_attr_nest_end(nlh, n);
}

static void peer(struct nlmsghdr *nlh, uint8_t kv, int full, int v6)
{
	uint8_t k[32];
	struct nlattr *p = mnl_attr_nest_start(nlh, 0), *a;

	memset(k, kv, sizeof(k));
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 32, k);
	if (full) {
		int64_t ts[2] = {1700000000, 5};
		memset(k, kv ^ 0x5a, sizeof(k));
		mnl_attr_put(nlh, WGPEER_A_PRESHARED_KEY, 32, k);
		mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), ts);
		mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
		mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, 1234);
		mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 5678);
		mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
		if (v6) {
			struct sockaddr_in6 s = {.sin6_family = AF_INET6, .sin6_port = htons(51820)};
			inet_pton(AF_INET6, "2001:db8::7", &s.sin6_addr);
			mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(s), &s);
		} else {
			struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(51820)};
			inet_pton(AF_INET, "192.0.2.7", &s.sin_addr);
			mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(s), &s);
		}
	}
	a = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	aip(nlh, AF_INET, "10.0.0.0", (uint8_t)(8 + kv % 24));
	aip(nlh, AF_INET6, "fd00::", 64);
	mnl_attr_nest_end(nlh, a);
	mnl_attr_nest_end(nlh, p);
}

static void write_seed(const char *dir, const char *name, const char *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len) {
		perror(path);
		return;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	static char buf[16384];
	struct nlmsghdr *nlh;
	struct nlattr *peers;
	uint8_t k[32];
	size_t off;

	if (argc != 2)
		return 2;
	/* 1: device only. */
	nlh = start(buf);
	mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
	mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 0);
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 3);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	memset(k, 0x40, sizeof(k));
	mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, 32, k);
	mnl_attr_put(nlh, WGDEVICE_A_PUBLIC_KEY, 32, k);
	write_seed(argv[1], "device", buf, nlh->nlmsg_len);
	/* 2: device + three peers, then a continuation and DONE. */
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer(nlh, 1, 1, 0);
	peer(nlh, 2, 1, 1);
	peer(nlh, 3, 1, 0);
	mnl_attr_nest_end(nlh, peers);
	off = nlh->nlmsg_len;
	write_seed(argv[1], "peers", buf, off);
	nlh = start(buf + off);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer(nlh, 3, 0, 0);
	peer(nlh, 4, 1, 1);
	mnl_attr_nest_end(nlh, peers);
	off += nlh->nlmsg_len;
	nlh = mnl_nlmsg_put_header(buf + off);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	memset(mnl_nlmsg_put_extra_header(nlh, 4), 0, 4);
	off += nlh->nlmsg_len;
	write_seed(argv[1], "split", buf, off);
	return 0;
}
