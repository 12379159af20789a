/* The agent's side of rc/ (see agent/rcjail.h). */
#include "agent/rcjail.h"
#include "wg/peer_meta.h"

#include <limits.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

#include "agent/jailspec.h"
#include "agent/jailwg.h"
#include "agent/uplink.h"
#include "rc/names.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "wg/model.h"

_Static_assert(UPLINK_KINDS - 1 <= RC_OTHER_IFNAMES, "rc_jail holds the names of every other uplink kind");

/* Field by field: rc_jail is the narrow view rc/ takes of a spec (rc/jail.h),
 * not a copy of it. */
void rcjail_from_spec(const struct jail_spec *s, struct rc_jail *j)
{
	memset(j, 0, sizeof(*j));
	j->name = s->name;
	j->id = s->id;
	j->uplink = uplink_kind(s->uplink)->rc;
	j->ifname = s->ifname;
	j->bridge = s->bridge;
	j->jail_addr = s->jail_addr;
	j->n_jail_addr = s->n_jail_addr;
	j->gateway = s->gateway;
	j->n_gateway = s->n_gateway;
	j->address = s->address;
	j->n_address = s->n_address;
	j->mtu = s->mtu;
	jail_root(s, j->root, sizeof(j->root));
	j->hostname = jail_hostname(s);
	j->devfs_ruleset = s->devfs_ruleset;
	for (unsigned k = 0; k < UPLINK_KINDS; k++) {
		struct rc_jail other;
		if (k == (unsigned)s->uplink)
			continue;
		other = *j;
		other.uplink = uplink_kind((enum jail_uplink)k)->rc;
		rc_wg_ifname(&other, j->other_ifname[j->n_other_ifname++], sizeof(j->other_ifname[0]));
	}
}

int rcjail_load_conf(const struct jail_spec *s, struct wg_device **dev, struct wj_err *e)
{
	char path[PATH_MAX];

	if (jailwg_main_path(path, sizeof(path), s->name, s->ifname, e) < 0)
		return -1;
	if (!wj_exists(path))
		return wj_errf(e, "jail %s: no WireGuard configuration at %s (create it with: wgjail create %s)",
			       s->name, path, s->name);
	if (jailwg_load(s->name, s->ifname, dev, e) < 0)
		return -1;
	/* Disabled and expired peers stay in CONFDIR, not in /etc/IF.conf. */
	wg_device_drop_inactive(*dev, (int64_t)time(NULL));
	/* Without ListenPort, wg syncconf would pick a new random port at
	 * every boot: the spec's port fills the gap, and the two must agree. */
	if (s->listen_port) {
		if (!((*dev)->flags & WGDEV_HAS_LISTEN_PORT)) {
			(*dev)->listen_port = s->listen_port;
			(*dev)->flags |= WGDEV_HAS_LISTEN_PORT;
		} else if ((*dev)->listen_port != s->listen_port) {
			wj_errf(e, "jail %s: listen_port %u in its spec, but ListenPort = %u in %s", s->name,
				s->listen_port, (*dev)->listen_port, path);
			wg_device_free(*dev);
			*dev = NULL;
			return -1;
		}
	}
	return 0;
}
