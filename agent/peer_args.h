/* Syntax checks of the peer and export command lines, shared by
 * cmd_peer.c and cmd_export.c. */
#ifndef WGJAIL_PEER_ARGS_H
#define WGJAIL_PEER_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* An expiry: "2027-01-31", "2027-01-31T12:00:00Z" (UTC), or a duration
 * from NOW: N followed by s, m, h, d or w ("30d").  Must be after NOW.
 * "never" gives 0 when NEVER_OK. */
int peer_parse_expiry(const char *s, int64_t now, bool never_ok, int64_t *out, struct wj_err *e);

#endif
