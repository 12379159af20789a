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
 *              over the host link.
 * The pure parsers are agent/reach_parse.c; the checks against the rest
 * of a spec here (agent/reach.c); the check against the other jails
 * agent/reach_others.c; the JSON agent/reach_json.c. */
#ifndef WGJAIL_REACH_H
#define WGJAIL_REACH_H

#include <stddef.h>
#include <stdio.h>

#include "agent/reach_parse.h"

struct jail_spec;
struct wj_err;

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
