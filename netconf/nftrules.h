/* The nftables rules of one jail, as nft(8) text (Linux).  Pure: the text
 * is loaded by netconf/nft.h, printed by `up -n`, and tested as text.
 *
 * In the host's namespace wgjail owns one table, "inet wgjail", and puts
 * nothing anywhere else.  Each jail has its own chains there, named after
 * it, each a base chain of its own:
 *
 *   pre_JAIL   nat, prerouting (dstnat): the published ports, arriving on
 *              the NAT interface for one of the host's own addresses,
 *              forwarded to the jail's bridge address (IPv4 and IPv6)
 *   post_JAIL  nat, postrouting (srcnat): the jail's IPv4 address (and its
 *              IPv6 address if it is a ULA) masqueraded out of the NAT
 *              interface
 *   fwd_JAIL   filter, forward, priority filter - 10: marks the jail's
 *              forwarded traffic (WJ_NFT_MARK, or-ed into the packet mark)
 *
 * An accept in one nftables table does not override a drop in another, so
 * a host whose own forward chain drops by default passes the jail's
 * traffic when that chain accepts the mark: `up` looks for such chains
 * and prints the one line to add (nft_forward_line).
 *
 * Inside a WireGuard-only jail with a host link, the jail's own namespace
 * gets the table "inet wgjail" with chains hl_in and hl_out: the host (the
 * link's host end) may open the listed ports; over the link the jail sends
 * nothing but replies. */
#ifndef WGJAIL_NETCONF_NFTRULES_H
#define WGJAIL_NETCONF_NFTRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ipmask.h"

#define WJ_NFT_TABLE "wgjail"
#define WJ_NFT_MARK 0x00100000u

struct nft_port {
	uint8_t proto;     /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t host_port;
	uint16_t jail_port; /* host links: unused */
};

struct nft_jail {
	const char *name;        /* the jail: names its chains */
	const char *ext_if;      /* the NAT interface */
	struct wg_ipmask addr[2]; /* the jail's bridge addresses, [0] IPv4, [1] IPv6 (family 0: none) */
	bool masq6;              /* masquerade IPv6 too (a ULA) */
	const struct nft_port *ports;
	size_t n_ports;
};

/* The jail's chains (heap text). */
char *nft_jail_rules(const struct nft_jail *j);
/* Names of the jail's chains, for deletion: pre_, post_, fwd_ + NAME. */
#define NFT_JAIL_CHAINS 3
void nft_jail_chain(const char *name, int i, char *out, size_t sz);
/* The one transaction `up` loads: the table (created if missing), the
 * jail's chains removed if there, and RULES. */
char *nft_jail_load_text(const char *name, const char *rules);
/* The transaction `down` loads: the jail's chains removed. */
char *nft_jail_delete_text(const char *name);
/* The rule a host's forward chain with a drop policy needs. */
const char *nft_forward_line(void);

struct nft_hostlink {
	const char *ifname;              /* the link's end inside the jail */
	struct wg_ipmask host[2];        /* the host's addresses on the link */
	size_t n_host;
	const struct nft_port *allow;    /* the ports the host may open */
	size_t n_allow;
};
/* The host link's table inside the jail (whole: the table is replaced). */
char *nft_hostlink_rules(const struct nft_hostlink *h);

#endif
