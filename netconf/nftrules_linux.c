/* nftables rules as text (see netconf/nftrules.h). */
#include "netconf/nftrules.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "util/sbuf.h"

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : "udp";
}

static const char *fam_kw(const struct wg_ipmask *a)
{
	return a->family == AF_INET6 ? "ip6" : "ip";
}

void nft_jail_chain(const char *name, int i, char *out, size_t sz)
{
	static const char *const pre[NFT_JAIL_CHAINS] = {"pre_", "post_", "fwd_"};

	snprintf(out, sz, "%s%s", pre[i], name);
}

char *nft_jail_rules(const struct nft_jail *j)
{
	struct wj_sbuf b = {0};
	char c[64], ip[INET6_ADDRSTRLEN];

	wj_sb_printf(&b, "table inet %s {\n", WJ_NFT_TABLE);
	nft_jail_chain(j->name, 0, c, sizeof(c));
	wj_sb_printf(&b, "\tchain %s {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n", c);
	for (size_t i = 0; i < j->n_ports; i++)
		for (int f = 0; f < 2; f++) {
			const struct wg_ipmask *a = &j->addr[f];
			if (!a->family)
				continue;
			wj_sb_printf(&b, "\t\tiifname \"%s\" fib daddr type local %s dport %u dnat %s to %s%s%s:%u\n",
				     j->ext_if, proto_name(j->ports[i].proto), j->ports[i].host_port, fam_kw(a),
				     f ? "[" : "", wg_ipmask_addr_fmt(a, ip, sizeof(ip)), f ? "]" : "", j->ports[i].jail_port);
		}
	wj_sb_printf(&b, "\t}\n");
	nft_jail_chain(j->name, 1, c, sizeof(c));
	wj_sb_printf(&b, "\tchain %s {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n", c);
	for (int f = 0; f < 2; f++)
		if (j->addr[f].family && (f == 0 || j->masq6))
			wj_sb_printf(&b, "\t\toifname \"%s\" %s saddr %s masquerade\n", j->ext_if, fam_kw(&j->addr[f]),
				     wg_ipmask_addr_fmt(&j->addr[f], ip, sizeof(ip)));
	wj_sb_printf(&b, "\t}\n");
	nft_jail_chain(j->name, 2, c, sizeof(c));
	wj_sb_printf(&b, "\tchain %s {\n\t\ttype filter hook forward priority filter - 10; policy accept;\n", c);
	for (int f = 0; f < 2; f++) {
		const struct wg_ipmask *a = &j->addr[f];
		if (!a->family)
			continue;
		wg_ipmask_addr_fmt(a, ip, sizeof(ip));
		wj_sb_printf(&b, "\t\toifname \"%s\" %s saddr %s meta mark set meta mark | 0x%08x\n", j->ext_if,
			     fam_kw(a), ip, WJ_NFT_MARK);
		wj_sb_printf(&b, "\t\tiifname \"%s\" %s daddr %s ct state established,related meta mark set meta mark | 0x%08x\n",
			     j->ext_if, fam_kw(a), ip, WJ_NFT_MARK);
		if (j->n_ports)
			wj_sb_printf(&b, "\t\tiifname \"%s\" %s daddr %s ct status dnat meta mark set meta mark | 0x%08x\n",
				     j->ext_if, fam_kw(a), ip, WJ_NFT_MARK);
	}
	wj_sb_printf(&b, "\t}\n}\n");
	return wj_sb_take(&b, NULL);
}

static void delete_chains(struct wj_sbuf *b, const char *name)
{
	char c[64];

	for (int i = 0; i < NFT_JAIL_CHAINS; i++) {
		nft_jail_chain(name, i, c, sizeof(c));
		/* added first: deleting a chain that is not there fails the
		 * whole transaction */
		wj_sb_printf(b, "add chain inet %s %s\ndelete chain inet %s %s\n", WJ_NFT_TABLE, c, WJ_NFT_TABLE, c);
	}
}

char *nft_jail_load_text(const char *name, const char *rules)
{
	struct wj_sbuf b = {0};

	wj_sb_printf(&b, "add table inet %s\n", WJ_NFT_TABLE);
	delete_chains(&b, name);
	wj_sb_printf(&b, "%s", rules);
	return wj_sb_take(&b, NULL);
}

char *nft_jail_delete_text(const char *name)
{
	struct wj_sbuf b = {0};

	wj_sb_printf(&b, "add table inet %s\n", WJ_NFT_TABLE);
	delete_chains(&b, name);
	return wj_sb_take(&b, NULL);
}

const char *nft_forward_line(void)
{
	return "meta mark & 0x00100000 == 0x00100000 accept";
}

char *nft_hostlink_rules(const struct nft_hostlink *h)
{
	struct wj_sbuf b = {0};
	char ip[INET6_ADDRSTRLEN];

	wj_sb_printf(&b, "table inet %s {\n", WJ_NFT_TABLE);
	wj_sb_printf(&b, "\tchain hl_in {\n\t\ttype filter hook input priority filter; policy accept;\n");
	wj_sb_printf(&b, "\t\tiifname \"%s\" ct state established,related accept\n", h->ifname);
	for (size_t k = 0; k < h->n_host; k++) {
		const struct wg_ipmask *a = &h->host[k];
		wg_ipmask_addr_fmt(a, ip, sizeof(ip));
		if (a->family == AF_INET6)
			wj_sb_printf(&b, "\t\tiifname \"%s\" icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n",
				     h->ifname);
		for (size_t i = 0; i < h->n_allow; i++)
			wj_sb_printf(&b, "\t\tiifname \"%s\" %s saddr %s %s dport %u ct state new accept\n", h->ifname,
				     fam_kw(a), ip, proto_name(h->allow[i].proto), h->allow[i].host_port);
	}
	wj_sb_printf(&b, "\t\tiifname \"%s\" drop\n\t}\n", h->ifname);
	wj_sb_printf(&b, "\tchain hl_out {\n\t\ttype filter hook output priority filter; policy accept;\n");
	wj_sb_printf(&b, "\t\toifname \"%s\" ct state established,related accept\n", h->ifname);
	for (size_t k = 0; k < h->n_host; k++)
		if (h->host[k].family == AF_INET6)
			wj_sb_printf(&b, "\t\toifname \"%s\" icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n",
				     h->ifname);
	wj_sb_printf(&b, "\t\toifname \"%s\" drop\n\t}\n}\n", h->ifname);
	return wj_sb_take(&b, NULL);
}
