/* The reachability of a jail as JSON members (see agent/reach.h). */
#include "agent/reach.h"

#include <stdio.h>

#include "agent/jailspec.h"
#include "util/err.h"

void reach_json(FILE *f, const struct jail_spec *s, const char *nat_if)
{
	struct reach_port p[REACH_MAX_PORTS];
	struct wj_err ignored;
	size_t n = 0;
	char a[64];

	/* names and values here were validated with the spec: no escaping
	 * is needed (interface names, addresses, numbers) */
	if (s->nat) {
		const char *ifn = nat_if && *nat_if ? nat_if : s->nat_ifname;
		bool masq6 = false;
		for (size_t i = 0; i < s->n_jail_addr; i++)
			masq6 |= reach_is_ula(&s->jail_addr[i]);
		fputs("\"nat\":{\"interface\":", f);
		if (*ifn)
			fprintf(f, "\"%s\"", ifn);
		else
			fputs("null", f);
		fprintf(f, ",\"ipv6_masquerade\":%s}", masq6 ? "true" : "false");
	} else {
		fputs("\"nat\":null", f);
	}
	if (reach_published(s, p, &n, &ignored) < 0)
		n = 0;
	fputs(",\"published\":[", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{\"proto\":\"%s\",\"host_port\":%u,\"jail_port\":%u}", i ? "," : "",
			reach_proto_name(p[i].proto), p[i].host_port, p[i].jail_port);
	fputs("],\"host_link\":", f);
	if (!s->n_host_link) {
		fputs("null", f);
		return;
	}
	fputs("{\"addresses\":[", f);
	for (size_t i = 0; i < s->n_host_link; i++) {
		struct wg_ipmask peer;
		reach_link_peer(&s->host_link[i], &peer);
		fprintf(f, "%s{\"host\":\"%s\"", i ? "," : "", wg_ipmask_fmt(&s->host_link[i], a, sizeof(a)));
		fprintf(f, ",\"jail\":\"%s\"}", wg_ipmask_fmt(&peer, a, sizeof(a)));
	}
	fputs("],\"allow\":[", f);
	for (size_t i = 0; i < s->n_host_allow; i++) {
		struct reach_port q;
		if (reach_parse_allow(s->host_allow[i], &q))
			continue;
		fprintf(f, "%s{\"proto\":\"%s\",\"port\":%u}", i ? "," : "", reach_proto_name(q.proto), q.host_port);
	}
	fputs("]}", f);
}
