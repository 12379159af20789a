/* The host's own forward chains that drop by default (Linux, nftables).
 *
 * An accept in wgjail's table does not override a drop in another table:
 * nftables runs every base chain registered at a hook, and a drop in any of
 * them is final.  A host whose own forward base chain has policy drop (a
 * hand-written firewall, iptables-nft's FORWARD with policy DROP, as
 * Docker sets it) would therefore drop a NAT jail's forwarded traffic and
 * its published ports.  So, for each such chain, `up` appends ONE rule of
 * its own that accepts the packets wgjail's forward chain marked
 * (WJ_NFT_MARK, netconf/nftrules.h), tagged with the comment
 * "wgjail JAIL"; `down` deletes the rules tagged with that jail's name
 * (found by comment, deleted by handle) and nothing else, so the chain is
 * byte for byte what it was.
 *
 * Appended, never inserted: an explicit drop or reject rule of the
 * chain's owner still comes first and still wins.  A chain that already
 * accepts the mark (the operator's own line, nft_forward_line) gets
 * nothing.  No rule of anyone else is ever changed or removed. */
#ifndef WGJAIL_HOSTFWD_LINUX_H
#define WGJAIL_HOSTFWD_LINUX_H

#include <stddef.h>

struct wj_err;

struct hostfwd_chain {
	char family[16];
	char table[128];
	char chain[128];
	unsigned long handle; /* the rule tagged for the jail (hostfwd_tagged) */
};

/* The forward base chains with policy drop, outside wgjail's own table,
 * that accept neither the mark nor jail NAME's tagged rule yet: *OUT
 * (heap, *N entries; NULL/0 when none). */
int hostfwd_missing(const char *name, struct hostfwd_chain **out, size_t *n, struct wj_err *e);
/* The rules tagged for jail NAME in any forward chain outside wgjail's
 * table, with their handles. */
int hostfwd_tagged(const char *name, struct hostfwd_chain **out, size_t *n, struct wj_err *e);
/* The rule `up` appends for jail NAME (nft(8) syntax, no chain). */
void hostfwd_rule(const char *name, char *buf, size_t sz);
/* One transaction: append the rule for NAME to each of C[0..N) (heap). */
char *hostfwd_add_text(const char *name, const struct hostfwd_chain *c, size_t n);
/* One transaction: delete the tagged rules C[0..N) by handle (heap). */
char *hostfwd_delete_text(const struct hostfwd_chain *c, size_t n);

#endif
