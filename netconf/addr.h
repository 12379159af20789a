/* IPv4 and IPv6 addresses of a link over rtnetlink (Linux).  Same
 * contract as netconf/link.h: no-op where the address is already there. */
#ifndef WGJAIL_NETCONF_ADDR_H
#define WGJAIL_NETCONF_ADDR_H

#include <stddef.h>

#include "netconf/link.h"
#include "util/ipmask.h"

/* Add A (host bits kept, prefix length = A->cidr) to link IFNAME.  An
 * address already there with the same prefix length is success; with
 * another prefix length it is replaced.  IPv6 addresses skip duplicate
 * address detection (they are usable at once). */
int addr_add(struct nc *c, const char *ifname, const struct wg_ipmask *a, struct wj_err *e);
/* Remove A from IFNAME; absent is success. */
int addr_del(struct nc *c, const char *ifname, const struct wg_ipmask *a, struct wj_err *e);
/* Every address of link index IFINDEX, both families (heap array). */
int addr_list(struct nc *c, int ifindex, struct wg_ipmask **out, size_t *n, struct wj_err *e);

#endif
