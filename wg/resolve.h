/* Endpoint resolution: "host:port", "[v6]:port" -> a socket address, as
 * wg(8) does it (getaddrinfo AF_UNSPEC / SOCK_DGRAM / IPPROTO_UDP, first
 * result).  Temporary failures (EAI_AGAIN) are retried with a growing
 * delay; permanent ones (unknown host, bad port) fail at once. */
#ifndef WGJAIL_RESOLVE_H
#define WGJAIL_RESOLVE_H

#include "wg/model.h"

struct wj_err;

struct wg_resolve_opts {
	unsigned retries;      /* extra attempts after a temporary failure */
	unsigned delay_ms;     /* first delay; each next one is 1.5 times longer */
	unsigned max_delay_ms; /* cap of one delay */
};

/* Defaults (5 retries, 1000 ms, capped at 10000 ms: under 30 s in all),
 * overridden by WGJAIL_RESOLVE_RETRIES and WGJAIL_RESOLVE_DELAY_MS. */
void wg_resolve_opts_default(struct wg_resolve_opts *o);

/* Split TEXT into host and port: "[v6]:port" (brackets required for IPv6
 * with a port), else at the LAST colon.  HOST gets at most HOSTSZ-1
 * characters (longer is an error).  Returns 0 or -1 with E set. */
int wg_endpoint_split(const char *text, char *host, size_t hostsz, char *port, size_t portsz, struct wj_err *e);

/* Resolve TEXT into OUT.  O NULL = defaults.  Returns 0, or -1 with E set
 * (E->code = EAGAIN if the last failure was temporary, ENOENT otherwise,
 * EINPROGRESS when a hook has asked for the answer and does not have it
 * yet).  With a hook set (below), the hook answers instead of getaddrinfo
 * and O is not used. */
int wg_resolve_endpoint(const char *text, union wg_sockaddr *out, const struct wg_resolve_opts *o,
			struct wj_err *e);

/* The agent never resolves on its own loop: it sets a hook that answers
 * from what its unprivileged resolver process (agent/resolver.h) told it,
 * asks that process when it does not know, and returns at once.  `sync`,
 * `up` and the peer commands run without a hook (getaddrinfo, retried).
 * FN NULL removes the hook.  Process-wide. */
typedef int (*wg_resolve_hook_fn)(const char *text, union wg_sockaddr *out, struct wj_err *e, void *arg);
void wg_resolve_set_hook(wg_resolve_hook_fn fn, void *arg);

/* Parse a numeric endpoint without any lookup: "192.0.2.1:51820",
 * "[2001:db8::1]:51820", "[fe80::1%eth0]:51820" (zone by name or
 * number).  TEXT[0..LEN) need not be NUL-terminated.  Port 1..65535.
 * Returns 0 or -1. */
int wg_endpoint_parse_numeric(const char *text, size_t len, union wg_sockaddr *out);

#endif
