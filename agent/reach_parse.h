/* The values of the reachability keys publish and host_allow, and the
 * host_link arithmetic (agent/reach.h says what they mean): pure
 * parsers, below the jail spec's key table (agent/jailspec_keys.c), which
 * calls them for each value it reads. */
#ifndef WGJAIL_REACH_PARSE_H
#define WGJAIL_REACH_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/ipmask.h"

enum reach_proto { REACH_TCP, REACH_UDP };

struct reach_port {
	enum reach_proto proto;
	uint16_t host_port; /* host_allow: the port */
	uint16_t jail_port;
};

#define REACH_MAX_PORTS 9 /* the spec's publish entries (JAIL_MAX_PUBLISH) and the WireGuard port */

const char *reach_proto_name(enum reach_proto p);
/* "tcp:80:8080" / "udp:51820"; NULL, or why not (static). */
const char *reach_parse_publish(const char *v, struct reach_port *out);
/* "tcp:22"; NULL, or why not. */
const char *reach_parse_allow(const char *v, struct reach_port *out);
/* The jail's end of the host link whose host end is HOST; NULL, or why
 * HOST is not a host link (static). */
const char *reach_link_peer(const struct wg_ipmask *host, struct wg_ipmask *jail);
/* Is A an IPv6 unique local address (fc00::/7)? */
bool reach_is_ula(const struct wg_ipmask *a);

#endif
