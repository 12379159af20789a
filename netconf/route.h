/* Routes in the main table over rtnetlink (Linux), IPv4 and IPv6: default
 * routes and routes for a peer's AllowedIPs.  Same contract as
 * netconf/link.h: no-op where the route is already there.  wgjail's routes
 * carry protocol "static" (RTPROT_STATIC), which is how route_prune tells
 * them from the kernel's and the administrator's. */
#ifndef WGJAIL_NETCONF_ROUTE_H
#define WGJAIL_NETCONF_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "netconf/link.h"
#include "util/ipmask.h"

struct route_info {
	struct wg_ipmask dst;   /* masked prefix */
	struct wg_ipmask gw;    /* family 0 if none */
	int oif;
	unsigned char protocol;
};

/* Route DST (masked here) via gateway GW (NULL: directly over DEV) out of
 * DEV.  A route to DST that differs (device, gateway) is replaced. */
int route_add(struct nc *c, const struct wg_ipmask *dst, const struct wg_ipmask *gw, const char *dev,
	      struct wj_err *e);
/* Unicast routes of the main table, both families (heap array). */
int route_list(struct nc *c, struct route_info **out, size_t *n, struct wj_err *e);
/* Remove wgjail's routes out of DEV whose destination is not in KEEP. */
int route_prune(struct nc *c, const char *dev, const struct wg_ipmask *keep, size_t nkeep, struct wj_err *e);

#endif
