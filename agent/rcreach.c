/* FreeBSD: the pf anchor of a jail spec (see agent/rcreach.h). */
#include "agent/rcreach.h"

#include <errno.h>
#include <netinet/in.h>

#include "agent/jailspec.h"
#include "agent/reach.h"
#include "rc/pfanchor.h"
#include "util/err.h"

int rcreach_pf_anchor(const struct jail_spec *s, char **text, size_t *len, bool *need6, struct wj_err *e)
{
	struct reach_port p[REACH_MAX_PORTS];
	struct pf_port pp[REACH_MAX_PORTS];
	struct pf_jail j = {.name = s->name, .ext_if = s->nat_ifname, .ports = pp};

	*text = NULL;
	*len = 0;
	*need6 = false;
	if (!s->nat)
		return 0;
	if (!s->nat_ifname[0])
		return wj_errf(e, "jail %s: nat = yes: on FreeBSD name the host interface to NAT out of "
				  "(nat_interface = IF)", s->name);
	if (reach_check_others(s, e) < 0 || reach_published(s, p, &j.n_ports, e) < 0)
		return -1;
	for (size_t i = 0; i < j.n_ports; i++)
		pp[i] = (struct pf_port){p[i].proto == REACH_TCP ? IPPROTO_TCP : IPPROTO_UDP, p[i].host_port,
					 p[i].jail_port};
	for (size_t i = 0; i < s->n_jail_addr; i++) {
		int v6 = s->jail_addr[i].family == AF_INET6;
		if (!j.addr[v6].family)
			j.addr[v6] = s->jail_addr[i];
	}
	*need6 = j.addr[1].family != 0;
	j.nat6 = *need6 && reach_is_ula(&j.addr[1]);
	if (!(*text = rc_pf_anchor(&j, len)))
		return wj_errnof(e, ENOMEM, "jail %s: pf anchor", s->name);
	return 0;
}
