/* libnv's packed format, FreeBSD sockaddr bytes and libnv type names (see
 * wg/nv_wire_freebsd.h). */
#include "wg/nv_wire_freebsd.h"

#include <string.h>
#include <sys/nv.h>

#include "util/platform.h"

#if defined(__FreeBSD__)
/* On FreeBSD the host's structures are the wire layout: prove it. */
#include <stddef.h>
_Static_assert(sizeof(struct sockaddr_in) == WG_NV_SIN_LEN && AF_INET == WG_NV_AF_INET, "sockaddr_in");
_Static_assert(sizeof(struct sockaddr_in6) == WG_NV_SIN6_LEN && AF_INET6 == WG_NV_AF_INET6, "sockaddr_in6");
_Static_assert(offsetof(struct sockaddr_in, sin_port) == 2 && offsetof(struct sockaddr_in, sin_addr) == 4,
	       "sockaddr_in layout");
_Static_assert(offsetof(struct sockaddr_in6, sin6_port) == 2 && offsetof(struct sockaddr_in6, sin6_flowinfo) == 4 &&
		       offsetof(struct sockaddr_in6, sin6_addr) == 8 &&
		       offsetof(struct sockaddr_in6, sin6_scope_id) == 24,
	       "sockaddr_in6 layout");
#endif

/* ---- the packed format -------------------------------------------------- */

#define NV_MAGIC 0x6c
#define NV_VERSION 0
#define NV_BIG_ENDIAN 0x80
#define NV_ARRAY_NEXT 254 /* libnv's NV_TYPE_NVLIST_ARRAY_NEXT (nv_impl.h) */
#define HDR_LEN 19        /* both headers, packed */

static void put(struct wg_nv_out *o, const void *p, size_t n)
{
	if (o->buf)
		memcpy(o->buf + o->at, p, n);
	o->at += n;
}

void wg_nv_list(struct wg_nv_out *o)
{
	uint8_t h[HDR_LEN] = {NV_MAGIC, NV_VERSION, 0};
	uint64_t desc = 0, size = o->buf ? o->total - o->at - HDR_LEN : 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	h[2] = NV_BIG_ENDIAN;
#endif
	memcpy(h + 3, &desc, 8);
	memcpy(h + 11, &size, 8);
	put(o, h, sizeof(h));
}

static void pair(struct wg_nv_out *o, uint8_t type, const char *name, uint64_t datasize, uint64_t nitems)
{
	uint8_t h[HDR_LEN];
	uint16_t namesize = (uint16_t)(strlen(name) + 1);

	h[0] = type;
	memcpy(h + 1, &namesize, 2);
	memcpy(h + 3, &datasize, 8);
	memcpy(h + 11, &nitems, 8);
	put(o, h, sizeof(h));
	put(o, name, namesize);
}

void wg_nv_number(struct wg_nv_out *o, const char *name, uint64_t v)
{
	pair(o, NV_TYPE_NUMBER, name, sizeof(v), 0);
	put(o, &v, sizeof(v));
}

void wg_nv_true(struct wg_nv_out *o, const char *name)
{
	static const uint8_t one = 1;

	pair(o, NV_TYPE_BOOL, name, 1, 0);
	put(o, &one, 1);
}

void wg_nv_binary(struct wg_nv_out *o, const char *name, const void *p, size_t n)
{
	pair(o, NV_TYPE_BINARY, name, n, 0);
	put(o, p, n);
}

void wg_nv_next(struct wg_nv_out *o)
{
	pair(o, NV_ARRAY_NEXT, "", 0, 0);
}

void wg_nv_array(struct wg_nv_out *o, const char *name, size_t n)
{
	pair(o, NV_TYPE_NVLIST_ARRAY, name, 0, n);
}

/* ---- sockaddrs ---------------------------------------------------------- */

size_t wg_nv_sa_to_wire(const union wg_sockaddr *a, uint8_t out[WG_NV_SIN6_LEN])
{
	memset(out, 0, WG_NV_SIN6_LEN);
	if (a->sa.sa_family == AF_INET) {
		out[0] = WG_NV_SIN_LEN;
		out[1] = WG_NV_AF_INET;
		memcpy(out + 2, &a->in.sin_port, 2);
		memcpy(out + 4, &a->in.sin_addr, 4);
		return WG_NV_SIN_LEN;
	}
	if (a->sa.sa_family == AF_INET6) {
		out[0] = WG_NV_SIN6_LEN;
		out[1] = WG_NV_AF_INET6;
		memcpy(out + 2, &a->in6.sin6_port, 2);
		memcpy(out + 4, &a->in6.sin6_flowinfo, 4);
		memcpy(out + 8, &a->in6.sin6_addr, 16);
		memcpy(out + 24, &a->in6.sin6_scope_id, 4);
		return WG_NV_SIN6_LEN;
	}
	return 0;
}

/* IPv4 and IPv6 in turn: the same steps on sockaddrs of two layouts. */
int wg_nv_sa_from_wire(const uint8_t *p, size_t len, union wg_sockaddr *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (len == WG_NV_SIN_LEN && p[1] == WG_NV_AF_INET) {
		if (p[0] != WG_NV_SIN_LEN)
			return *why = "a sockaddr_in whose length byte is not 16", -1;
		out->in.sin_family = AF_INET;
		wj_sin_len(&out->in);
		memcpy(&out->in.sin_port, p + 2, 2);
		memcpy(&out->in.sin_addr, p + 4, 4);
		return 0;
	}
	if (len == WG_NV_SIN6_LEN && p[1] == WG_NV_AF_INET6) {
		if (p[0] != WG_NV_SIN6_LEN)
			return *why = "a sockaddr_in6 whose length byte is not 28", -1;
		out->in6.sin6_family = AF_INET6;
		wj_sin6_len(&out->in6);
		memcpy(&out->in6.sin6_port, p + 2, 2);
		memcpy(&out->in6.sin6_flowinfo, p + 4, 4);
		memcpy(&out->in6.sin6_addr, p + 8, 16);
		memcpy(&out->in6.sin6_scope_id, p + 24, 4);
		return 0;
	}
	*why = len == WG_NV_SIN_LEN || len == WG_NV_SIN6_LEN ? "a family that does not match its size"
							  : "neither a sockaddr_in (16 bytes) nor a sockaddr_in6 (28)";
	return -1;
}

/* A plain lookup table (as wg/kernel_freebsd.c's kernel_error). */
const char *wg_nv_type_name(int type)
{
	static const struct {
		int type;
		const char *name;
	} names[] = {
		{NV_TYPE_NULL, "null"},
		{NV_TYPE_BOOL, "bool"},
		{NV_TYPE_NUMBER, "number"},
		{NV_TYPE_STRING, "string"},
		{NV_TYPE_NVLIST, "nvlist"},
		{NV_TYPE_DESCRIPTOR, "descriptor"},
		{NV_TYPE_BINARY, "binary"},
		{NV_TYPE_BOOL_ARRAY, "bool array"},
		{NV_TYPE_NUMBER_ARRAY, "number array"},
		{NV_TYPE_STRING_ARRAY, "string array"},
		{NV_TYPE_NVLIST_ARRAY, "nvlist array"},
		{NV_TYPE_DESCRIPTOR_ARRAY, "descriptor array"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (names[i].type == type)
			return names[i].name;
	return "value of an unknown type";
}
