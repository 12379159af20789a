/* Syntax checks of the peer and export command lines, shared by
 * cmd_peer.c and cmd_export.c. */
#ifndef WGJAIL_PEER_ARGS_H
#define WGJAIL_PEER_ARGS_H

#include <stddef.h>

#include "wg/model.h"

struct wj_err;

/* "10.0.0.2/32, fd00::2/128": comma-separated IP[/CIDR] (default /32,
 * /128), blanks around items ignored.  Host bits are masked (as WireGuard
 * does; *N_MASKED counts those entries, for the caller to warn);
 * duplicates are dropped.  *OUT is heap (free), never empty on success. */
int peer_parse_aips(const char *list, struct wg_ipmask **out, size_t *n, unsigned *n_masked, struct wj_err *e);

/* HOST:PORT or [IPv6]:PORT: HOST a DNS name or an IP literal, PORT
 * 1-65535 (numeric).  Nothing that would break a config line. */
int peer_check_endpoint(const char *ep, struct wj_err *e);

#endif
