/* A random IPv6 unique local prefix (RFC 4193, section 3.2): fd00::/8, a
 * 40-bit global ID from the system's random source (libsodium), subnet 0:
 * the jail's tunnel address fdXX:XXXX:XXXX::1/64.  `create` picks it once
 * for a new jail without an IPv6 tunnel address and writes it into the
 * spec; nothing changes it afterwards. */
#ifndef WGJAIL_ULA_H
#define WGJAIL_ULA_H

#include "agent/jailspec.h"
#include "util/ipmask.h"

void ula_random(struct wg_ipmask *out);

/* IPv6 by default, for `create` (unless --no-ipv6): a new jail (OLD NULL)
 * without an IPv6 tunnel address in S gets a random one; an existing jail
 * whose new address list has no IPv6 keeps OLD's IPv6 addresses (--address
 * with IPv4 only does not drop them).  An existing spec without IPv6 is
 * never given one. */
void ula_keep_ipv6(struct jail_spec *s, const struct jail_spec *old);

#endif
