/* Reaching a jail on Linux (issue 17; agent/reach.h for the keys):
 *
 *   nat        the jail's chains in the host's table inet wgjail
 *              (netconf/nftrules.h): masquerade, published ports, the mark
 *              for hosts whose forward chain drops; IPv4 and IPv6
 *              forwarding switched on if they were off (recorded in
 *              STATEDIR/nat/forwarding, switched off again when the last
 *              jail's chains go)
 *   host link  (WireGuard-only jails) a veth pair "wjhID" (host) <->
 *              "host0" (jail) with the link network's two addresses, and
 *              the jail's own table inet wgjail letting the host open the
 *              host_allow ports and the jail send nothing but replies
 *
 * Both are idempotent: `up` on a jail whose rules are in place loads
 * nothing and says so.  Changes to the host's table and the forwarding
 * record are serialised by STATEDIR/nat/.lock. */
#ifndef WGJAIL_JAILREACH_LINUX_H
#define WGJAIL_JAILREACH_LINUX_H

#include <stdbool.h>
#include <stdio.h>

struct jail_spec;
struct jail_state;
struct nc;
struct wj_err;

#define JAIL_HOSTLINK_INSIDE "host0"

struct reach_run {
	const struct jail_spec *s;
	struct jail_state *st;   /* recorded before anything is created */
	bool dry;
	FILE *out;
	unsigned changes;        /* what was (or would be) changed */
	int (*save)(void *arg, struct wj_err *e);
	void *arg;
};

/* The NAT and published ports of R->s (or their removal, if the spec
 * dropped them), in the current (host) namespace; HOST lists its routes. */
int jailreach_nat_up(struct reach_run *r, struct nc *host, struct wj_err *e);
/* Remove the jail NAME's chains recorded in ST; the table and the
 * forwarding go with the last jail's. */
int jailreach_nat_down(const char *name, struct jail_state *st, FILE *out, struct wj_err *e);

/* The host link of R->s: HOST and JAIL are the two namespaces' sockets,
 * NSFD the jail's namespace. */
int jailreach_hostlink_up(struct reach_run *r, struct nc *host, struct nc *jail, int nsfd, struct wj_err *e);
int jailreach_hostlink_down(struct jail_state *st, struct nc *host, struct wj_err *e);

#endif
