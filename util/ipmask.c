/* Addresses with a prefix length (util/ipmask.h). */
#include "util/ipmask.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"

void wg_ipmask_mask(struct wg_ipmask *ip)
{
	if (ip->family == AF_INET) {
		uint32_t a = ntohl(ip->addr.ip4.s_addr);
		uint32_t m = ip->cidr ? ~(uint32_t)0 << (32 - ip->cidr) : 0;
		ip->addr.ip4.s_addr = htonl(a & m);
	} else if (ip->family == AF_INET6) {
		for (int i = 0; i < 16; i++) {
			int bits = (int)ip->cidr - i * 8;
			uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
			ip->addr.ip6.s6_addr[i] &= m;
		}
	}
}

int wg_ipmask_cmp(const struct wg_ipmask *a, const struct wg_ipmask *b)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(&a->addr, &b->addr, a->family == AF_INET ? 4 : 16);
	if (r)
		return r;
	return (int)a->cidr - (int)b->cidr;
}

/* Decimal V (< 1000) at OUT: its length. */
static size_t put_dec(char *out, unsigned v)
{
	size_t n = 0;

	if (v >= 100)
		out[n++] = (char)('0' + v / 100);
	if (v >= 10)
		out[n++] = (char)('0' + v / 10 % 10);
	out[n++] = (char)('0' + v % 10);
	return n;
}

/* An IPv4 address as inet_ntop writes it, without its sprintf (listing
 * 50,000 peers formats 50,000 of them): at most 15 bytes and a NUL. */
static size_t ip4_fmt(const struct in_addr *a, char *out)
{
	const uint8_t *b = (const uint8_t *)&a->s_addr;
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		if (i)
			out[n++] = '.';
		n += put_dec(out + n, b[i]);
	}
	out[n] = '\0';
	return n;
}

char *wg_ipmask_addr_fmt(const struct wg_ipmask *ip, char *out, size_t outsz)
{
	if (ip->family == AF_INET && outsz >= INET_ADDRSTRLEN)
		ip4_fmt(&ip->addr.ip4, out);
	else if (!inet_ntop(ip->family, &ip->addr, out, (socklen_t)outsz))
		snprintf(out, outsz, "?");
	return out;
}

char *wg_ipmask_fmt(const struct wg_ipmask *ip, char *out, size_t outsz)
{
	char buf[INET6_ADDRSTRLEN + 4]; /* and '/' and a cidr of at most 3 digits */
	size_t n;

	wg_ipmask_addr_fmt(ip, buf, INET6_ADDRSTRLEN);
	n = strlen(buf);
	buf[n++] = '/';
	n += put_dec(buf + n, ip->cidr);
	if (outsz) { /* cut to OUTSZ, as snprintf */
		n = n < outsz ? n : outsz - 1;
		memcpy(out, buf, n);
		out[n] = '\0';
	}
	return out;
}

int wg_ipmask_parse_n(const char *s, size_t n, struct wg_ipmask *out, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 1], cbuf[8];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	uint64_t cidr;

	memset(out, 0, sizeof(*out));
	*why = "not an IP address";
	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (memchr(buf, ':', alen)) {
		if (inet_pton(AF_INET6, buf, &out->addr.ip6) != 1)
			return -1;
		out->family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, buf, &out->addr.ip4) != 1)
			return -1;
		out->family = AF_INET;
	}
	out->cidr = out->family == AF_INET ? 32 : 128;
	if (slash) {
		const char *d = slash + 1;
		size_t clen = n - alen - 1;
		*why = out->family == AF_INET ? "the prefix length after '/' is not 0-32"
					       : "the prefix length after '/' is not 0-128";
		/* Any string of digits, as wg(8) reads it (strtoul): leading
		 * zeros are no error. */
		for (size_t i = 0; i < clen; i++)
			if (d[i] < '0' || d[i] > '9')
				return -1;
		while (clen > 1 && *d == '0')
			d++, clen--;
		if (clen == 0 || clen >= sizeof(cbuf))
			return -1;
		memcpy(cbuf, d, clen);
		cbuf[clen] = '\0';
		if (wj_parse_uint(cbuf, 0, out->cidr, &cidr) < 0)
			return -1;
		out->cidr = (uint8_t)cidr;
	}
	*why = NULL;
	return 0;
}

int wg_ipmask_parse(const char *s, struct wg_ipmask *out)
{
	const char *why;

	return wg_ipmask_parse_n(s, strlen(s), out, &why);
}

