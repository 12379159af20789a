/* Byte layouts shared by the if_wg nvlist encoder and decoder
 * (wg/nv_freebsd.h): FreeBSD's sockaddr_in and sockaddr_in6 as if_wg
 * copies them (the host's layout differs on Linux, where this code is
 * tested: no length byte, a 16-bit family, AF_INET6 = 10), and the names
 * of libnv's types for error messages. */
#ifndef WGJAIL_NV_WIRE_FREEBSD_H
#define WGJAIL_NV_WIRE_FREEBSD_H

#include <stddef.h>
#include <stdint.h>

#include "wg/model.h"

/* FreeBSD's <sys/socket.h>, <netinet/in.h>, <netinet6/in6.h>:
 *   sockaddr_in   {u8 len = 16, u8 family = 2, u16 port, u32 addr, u8 zero[8]}
 *   sockaddr_in6  {u8 len = 28, u8 family = 28, u16 port, u32 flowinfo,
 *                  u8 addr[16], u32 scope_id}
 * (port, address and flow label in network order, scope_id in the host's). */
#define WG_NV_SIN_LEN 16
#define WG_NV_SIN6_LEN 28
#define WG_NV_AF_INET 2
#define WG_NV_AF_INET6 28

/* A resolved endpoint (AF_INET or AF_INET6) as FreeBSD's bytes into OUT
 * (WG_NV_SIN6_LEN bytes of room); returns the length, 0 if A is neither. */
size_t wg_nv_sa_to_wire(const union wg_sockaddr *a, uint8_t out[WG_NV_SIN6_LEN]);
/* The reverse.  Returns 0, or -1 with *WHY set when the bytes are not one
 * of the two (size, length byte and family must agree). */
int wg_nv_sa_from_wire(const uint8_t *p, size_t len, union wg_sockaddr *out, const char **why);

/* "number", "binary", "nvlist array", ... for an NV_TYPE_* value. */
const char *wg_nv_type_name(int type);

#endif
