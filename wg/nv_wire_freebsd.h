/* Byte layouts of the if_wg nvlist code (wg/nv_freebsd.h): libnv's
 * packed format (written by the encoder), FreeBSD's sockaddr_in and
 * sockaddr_in6 as if_wg copies them (the host's layout differs on Linux,
 * where this code is tested: no length byte, a 16-bit family, AF_INET6 =
 * 10), and the names of libnv's types for error messages. */
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

/* Writing libnv's packed format (wg/nv_encode_freebsd.c says why not
 * with nvlist_pack).  The format (sys/contrib/libnv/nvlist.c and nvpair.c, version 0), all
 * integers in the host's byte order, which the header's flags announce:
 *   nvlist header  u8 magic 0x6c, u8 version 0, u8 flags (0x80: big
 *                  endian), u64 descriptors (0 here), u64 size (the bytes
 *                  that follow it in the whole buffer)
 *   pair header    u8 type, u16 name size (with its NUL), u64 data size,
 *                  u64 items; then the name, then the data
 *   bool 1 byte, number 8 bytes, binary its bytes; an nvlist array has
 *   data size 0 and items N, and is followed by its N nvlists, each a
 *   header, its pairs and an "array next" pair (type 254, name "", no
 *   data).
 * Use: one pass with BUF NULL counts the bytes (AT), a second with BUF
 * (TOTAL = the count) writes them.  A list is wg_nv_list, its pairs, and
 * for an element of an array wg_nv_next; wg_nv_array names an array of N
 * lists that follow. */
struct wg_nv_out {
	uint8_t *buf; /* NULL: count only */
	size_t at, total;
};
void wg_nv_list(struct wg_nv_out *o);
void wg_nv_number(struct wg_nv_out *o, const char *name, uint64_t v);
void wg_nv_true(struct wg_nv_out *o, const char *name);
void wg_nv_binary(struct wg_nv_out *o, const char *name, const void *p, size_t n);
void wg_nv_array(struct wg_nv_out *o, const char *name, size_t n);
void wg_nv_next(struct wg_nv_out *o);

/* "number", "binary", "nvlist array", ... for an NV_TYPE_* value. */
const char *wg_nv_type_name(int type);

#endif
