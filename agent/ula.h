/* A random IPv6 unique local prefix (RFC 4193, section 3.2): fd00::/8, a
 * 40-bit global ID from the system's random source (libsodium), subnet 0:
 * the jail's tunnel address fdXX:XXXX:XXXX::1/64.  `create` picks it once
 * for a new jail without an IPv6 tunnel address and writes it into the
 * spec; nothing changes it afterwards. */
#ifndef WGJAIL_ULA_H
#define WGJAIL_ULA_H

#include "util/ipmask.h"

void ula_random(struct wg_ipmask *out);

#endif
