/* nftables through libnftables (Linux): one transaction per call, in the
 * network namespace the calling thread is in.  No nft(8), no iptables. */
#ifndef WGJAIL_NETCONF_NFT_H
#define WGJAIL_NETCONF_NFT_H

#include <stdbool.h>

struct wj_err;

/* Run TEXT (nft(8) syntax) as one atomic transaction: all of it is
 * applied or none.  WHAT names it in errors. */
int nft_run(const char *text, const char *what, struct wj_err *e);
/* Run the listing command CMD ("list table inet wgjail"): 1 and *OUT
 * (heap text) if the object exists, 0 (*OUT NULL) if not, -1 on error. */
int nft_list(const char *cmd, char **out, struct wj_err *e);
/* The same, each rule and chain followed by "# handle N". */
int nft_list_handles(const char *cmd, char **out, struct wj_err *e);

#endif
