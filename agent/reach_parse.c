/* The values of the reachability keys, parsed (see agent/reach_parse.h). */
#include "agent/reach_parse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"

static const char *const proto_names[] = {[REACH_TCP] = "tcp", [REACH_UDP] = "udp"};

const char *reach_proto_name(enum reach_proto p)
{
	return (unsigned)p < sizeof(proto_names) / sizeof(*proto_names) ? proto_names[p] : "?";
}

/* "PROTO:" at the start of V: the protocol, and V past the colon. */
static const char *take_proto(const char *v, enum reach_proto *p, const char **rest)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(*proto_names); i++) {
		size_t n = strlen(proto_names[i]);
		if (!strncmp(v, proto_names[i], n) && v[n] == ':') {
			*p = (enum reach_proto)i;
			*rest = v + n + 1;
			return NULL;
		}
	}
	return "expected tcp: or udp: first";
}

/* A port 1-65535 in V[0..N). */
static int take_port(const char *v, size_t n, uint16_t *port)
{
	char buf[8];
	uint64_t u;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (wj_parse_uint(buf, 1, 65535, &u) < 0)
		return -1;
	*port = (uint16_t)u;
	return 0;
}

const char *reach_parse_publish(const char *v, struct reach_port *out)
{
	const char *rest, *colon, *why;

	if ((why = take_proto(v, &out->proto, &rest)))
		return "expected tcp:HOSTPORT[:JAILPORT] or udp:HOSTPORT[:JAILPORT]";
	colon = strchr(rest, ':');
	if (take_port(rest, colon ? (size_t)(colon - rest) : strlen(rest), &out->host_port) < 0)
		return "the host port is not a port from 1 to 65535";
	out->jail_port = out->host_port;
	if (colon && take_port(colon + 1, strlen(colon + 1), &out->jail_port) < 0)
		return "the jail port is not a port from 1 to 65535";
	return NULL;
}

const char *reach_parse_allow(const char *v, struct reach_port *out)
{
	const char *rest;

	if (take_proto(v, &out->proto, &rest))
		return "expected tcp:PORT or udp:PORT";
	if (take_port(rest, strlen(rest), &out->host_port) < 0)
		return "the port is not a port from 1 to 65535";
	out->jail_port = out->host_port;
	return NULL;
}

const char *reach_link_peer(const struct wg_ipmask *host, struct wg_ipmask *jail)
{
	*jail = *host;
	if (host->family == AF_INET) {
		uint32_t a = ntohl(host->addr.ip4.s_addr), low = a & 3u;
		if (host->cidr == 31)
			a ^= 1u;
		else if (host->cidr == 30 && (low == 1 || low == 2))
			a ^= 3u;
		else
			return host->cidr == 30 ? "in a /30 the host's end is the first or second address"
						: "expected a /30 or /31 (IPv4) or a /126 or /127 (IPv6) link network";
		jail->addr.ip4.s_addr = htonl(a);
		return NULL;
	}
	uint8_t *b = jail->addr.ip6.s6_addr, low = b[15] & 3u;
	if (host->cidr == 127)
		b[15] ^= 1u;
	else if (host->cidr == 126 && (low == 1 || low == 2))
		b[15] ^= 3u;
	else
		return host->cidr == 126 ? "in a /126 the host's end is the first or second address"
					 : "expected a /30 or /31 (IPv4) or a /126 or /127 (IPv6) link network";
	return NULL;
}

bool reach_is_ula(const struct wg_ipmask *a)
{
	return a->family == AF_INET6 && (a->addr.ip6.s6_addr[0] & 0xfe) == 0xfc;
}
