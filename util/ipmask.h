/* An address with a prefix length, as WireGuard and wg-quick write it:
 * an AllowedIPs entry (compared masked), a wg-quick Address or a jail's
 * address on its bridge (host bits kept), a route's destination.  It sits
 * in the bottom layer because the model (wg/), the network code
 * (netconf/) and the jail spec (agent/) all carry it; the wg_ prefix
 * names the notation (wg(8)'s "ip[/cidr]"), not the layer. */
#ifndef WGJAIL_IPMASK_H
#define WGJAIL_IPMASK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h> /* AF_INET, AF_INET6 */

struct wg_ipmask {
	uint16_t family; /* AF_INET or AF_INET6 */
	uint8_t cidr;
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	} addr;
};

/* Zero the host bits (as the kernels do with allowed IPs). */
void wg_ipmask_mask(struct wg_ipmask *ip);
/* Total order for sorting (family, address, cidr). */
int wg_ipmask_cmp(const struct wg_ipmask *a, const struct wg_ipmask *b);
/* Format "10.0.0.0/24" or "fd00::/64"; returns OUT. */
char *wg_ipmask_fmt(const struct wg_ipmask *ip, char *out, size_t outsz);
/* The address alone, "10.0.0.1" or "fd00::1" ("?" if it has no family);
 * returns OUT. */
char *wg_ipmask_addr_fmt(const struct wg_ipmask *ip, char *out, size_t outsz);
/* Parse "ip[/cidr]" (cidr default 32/128; IPv6 if it holds a ':', as wg
 * reads it). Returns 0 or -1. */
int wg_ipmask_parse(const char *s, struct wg_ipmask *out);
/* Same for S[0..N), setting *WHY to the reason on failure. */
int wg_ipmask_parse_n(const char *s, size_t n, struct wg_ipmask *out, const char **why);

#endif
