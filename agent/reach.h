/* Reaching a jail from outside (issue 17): the values of the spec keys
 * nat, nat_interface, publish, host_link and host_allow (wgjail.conf(5)),
 * parsed and checked here, for both platforms; the Linux rules are built
 * by netconf/nftrules_linux.c, FreeBSD's by rc/pfanchor.c.
 *
 *   publish    PROTO:HOSTPORT[:JAILPORT]  (PROTO tcp or udp; JAILPORT
 *              defaults to HOSTPORT), forwarded from the host to the
 *              jail's bridge address (bridge uplink, nat = yes).  With NAT
 *              on, the jail's WireGuard listen port is published too (UDP,
 *              same port on both sides) unless a publish entry names it.
 *   host_link  CIDR, the host's end of a small link network (IPv4 /30 or
 *              /31, IPv6 /126 or /127) into a WireGuard-only jail; the jail
 *              takes the other address.
 *   host_allow PROTO:PORT, a port inside the jail that the host may open
 *              over the host link. */
#ifndef WGJAIL_REACH_H
#define WGJAIL_REACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wg/model.h"

struct jail_spec;
struct wj_err;

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

/* What the spec asks of the host: the published ports (the listen port
 * added when NAT is on), parsed.  *N may be 0. */
int reach_published(const struct jail_spec *s, struct reach_port *out, size_t *n, struct wj_err *e);
/* Every reachability key of S checked against the rest of S: publish and
 * host_allow values, no duplicate, nat and publish only with the bridge
 * uplink and a jail address, host_link only with the wireguard uplink. */
int reach_validate(const struct jail_spec *s, struct wj_err *e);
/* No other jail in CONFDIR publishes a host port S publishes. */
int reach_check_others(const struct jail_spec *s, struct wj_err *e);

/* The JSON members "nat", "published" and "host_link" of jail S (for
 * `show --json JAIL` and status.json; wgjail(8)), without braces: NAT_IF
 * is the interface the running jail NATs out of ("" if not known: the
 * spec's, else null). */
void reach_json(FILE *f, const struct jail_spec *s, const char *nat_if);

#endif
