/* Reaching a jail from outside: its spec's reachability keys checked
 * against the rest of the spec (see agent/reach.h). */
#include "agent/reach.h"

#include <stdio.h>
#include <string.h>

#include "agent/jailspec.h"
#include "util/err.h"
#include "util/strutil.h"

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
