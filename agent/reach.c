/* Reaching a jail from outside: the values of its spec keys (see
 * agent/reach.h). */
#include "agent/reach.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jailspec.h"
#include "util/err.h"
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

int reach_published(const struct jail_spec *s, struct reach_port *out, size_t *n, struct wj_err *e)
{
	bool wg_named = false;
	char q[64];

	*n = 0;
	for (size_t i = 0; i < s->n_publish; i++) {
		const char *why = reach_parse_publish(s->publish[i], &out[*n]);
		if (why)
			return wj_errf(e, "jail %s: publish = '%s': %s", s->name,
				       wj_quote(s->publish[i], q, sizeof(q)), why);
		/* an entry forwarding to the WireGuard port, or taking its host
		 * port, stands for it */
		wg_named |= out[*n].proto == REACH_UDP &&
			    (out[*n].jail_port == s->listen_port || out[*n].host_port == s->listen_port);
		(*n)++;
	}
	if (s->nat && s->listen_port && !wg_named)
		out[(*n)++] = (struct reach_port){REACH_UDP, s->listen_port, s->listen_port};
	return 0;
}

int reach_validate(const struct jail_spec *s, struct wj_err *e)
{
	struct reach_port p[REACH_MAX_PORTS], a[JAIL_MAX_PUBLISH];
	struct wg_ipmask peer;
	size_t n;
	char q[64];
	const char *why;

	if (s->nat_ifname[0] && (why = wj_ifname_invalid(s->nat_ifname)))
		return wj_errf(e, "jail %s: nat_interface = '%s': %s", s->name,
			       wj_quote(s->nat_ifname, q, sizeof(q)), why);
	if (reach_published(s, p, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (p[i].proto == p[j].proto && p[i].host_port == p[j].host_port)
				return wj_errf(e, "jail %s: publish = '%s': host port %s:%u is published twice", s->name,
					       i < s->n_publish ? s->publish[i] : "(the WireGuard port)",
					       reach_proto_name(p[i].proto), p[i].host_port);
	if (s->n_publish && !s->nat)
		return wj_errf(e, "jail %s: publish = '%s': published ports need nat = yes", s->name, s->publish[0]);
	if (s->nat && s->uplink != UPLINK_BRIDGE)
		return wj_errf(e, "jail %s: nat = yes: only a bridge-uplink jail has a host side to NAT "
				  "(a WireGuard-only jail can have a host_link)", s->name);
	if (s->nat && !s->n_jail_addr)
		return wj_errf(e, "jail %s: nat = yes: the jail has no bridge address (address in [jail])", s->name);
	/* NAT and published ports of a family need the jail's route out of
	 * that family: without it the jail answers nobody beyond its bridge */
	for (size_t i = 0; s->nat && i < s->n_jail_addr; i++) {
		bool gw = false;
		char fa[64];
		for (size_t k = 0; k < s->n_gateway; k++)
			gw |= s->gateway[k].family == s->jail_addr[i].family;
		if (!gw)
			return wj_errf(e, "jail %s: nat = yes: address = %s has no gateway of its family (gateway in [jail]): "
					  "the jail could not answer anyone beyond its bridge", s->name,
				       wg_ipmask_fmt(&s->jail_addr[i], fa, sizeof(fa)));
	}
	for (size_t i = 0; i < s->n_host_link; i++) {
		char h[64];
		if ((why = reach_link_peer(&s->host_link[i], &peer)))
			return wj_errf(e, "jail %s: host_link = %s: %s", s->name,
				       wg_ipmask_fmt(&s->host_link[i], h, sizeof(h)), why);
		for (size_t j = 0; j < i; j++)
			if (s->host_link[j].family == s->host_link[i].family)
				return wj_errf(e, "jail %s: host_link = %s: one host link address per family", s->name,
					       wg_ipmask_fmt(&s->host_link[i], h, sizeof(h)));
	}
	if (s->n_host_link && s->uplink != UPLINK_WIREGUARD)
		return wj_errf(e, "jail %s: host_link: only a WireGuard-only jail (uplink = wireguard) takes a "
				  "host link; a bridge jail is reached over its bridge", s->name);
	for (size_t i = 0; i < s->n_host_allow; i++) {
		if ((why = reach_parse_allow(s->host_allow[i], &a[i])))
			return wj_errf(e, "jail %s: host_allow = '%s': %s", s->name,
				       wj_quote(s->host_allow[i], q, sizeof(q)), why);
		for (size_t j = 0; j < i; j++)
			if (a[j].proto == a[i].proto && a[j].host_port == a[i].host_port)
				return wj_errf(e, "jail %s: host_allow = '%s' is listed twice", s->name, s->host_allow[i]);
	}
	if (s->n_host_allow && !s->n_host_link)
		return wj_errf(e, "jail %s: host_allow = '%s': there is no host_link to allow it over", s->name,
			       s->host_allow[0]);
	return 0;
}

int reach_check_others(const struct jail_spec *s, struct wj_err *e)
{
	struct reach_port mine[REACH_MAX_PORTS], theirs[REACH_MAX_PORTS];
	size_t nm, nt, nnames = 0;
	char **names = NULL;
	int r = 0;

	if (reach_published(s, mine, &nm, e) < 0)
		return -1;
	if (!nm)
		return 0;
	if (jailspec_list(&names, &nnames, e) < 0)
		return -1;
	for (size_t k = 0; k < nnames && r == 0; k++) {
		struct jail_spec o;
		struct wj_err ignored = {0};
		if (!strcmp(names[k], s->name) || jailspec_load(names[k], &o, &ignored) < 0)
			continue; /* a broken spec is reported when it is used */
		if (reach_published(&o, theirs, &nt, &ignored) < 0)
			continue;
		for (size_t i = 0; i < nm && r == 0; i++)
			for (size_t j = 0; j < nt && r == 0; j++)
				if (mine[i].proto == theirs[j].proto && mine[i].host_port == theirs[j].host_port)
					r = wj_errf(e, "jail %s: publish %s:%u: jail %s publishes that host port already",
						    s->name, reach_proto_name(mine[i].proto), mine[i].host_port, o.name);
	}
	for (size_t k = 0; k < nnames; k++)
		free(names[k]);
	free(names);
	return r;
}
