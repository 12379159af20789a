/* FreeBSD sockaddr bytes and libnv type names (see wg/nv_wire_freebsd.h). */
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
