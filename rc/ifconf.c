#include "rc/ifconf.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "wg/config.h"
#include "agent/jailwg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

int rc_ifconf_load(const struct jail_spec *s, struct wg_device **dev, struct wj_err *e)
{
	char file[WJ_IFNAME_MAX + 8], path[PATH_MAX];

	snprintf(file, sizeof(file), "%s.conf", s->ifname);
	if (jail_path(path, sizeof(path), s->name, file) < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	if (!wj_exists(path))
		return wj_errf(e, "jail %s: no WireGuard configuration at %s (create it with: wgjail create %s)",
			       s->name, path, s->name);
	if (jailwg_load(s->name, s->ifname, dev, e) < 0)
		return -1;
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

char *rc_ifconf_text(const struct wg_device *dev, size_t *len, struct wj_err *e)
{
	char *t = wg_config_format(dev, WG_CONFIG_STRIP_QUICK, len);

	if (!t)
		wj_errnof(e, ENOMEM, "formatting the WireGuard configuration");
	return t;
}

void rc_tunnel_params(const struct jail_spec *s, const struct wg_device *dev, const struct wg_ipmask **addrs,
		      size_t *n, unsigned *mtu)
{
	if (s->n_address || !dev) {
		*addrs = s->address;
		*n = s->n_address;
	} else {
		*addrs = dev->quick.address;
		*n = dev->quick.n_address;
	}
	*mtu = s->mtu ? s->mtu : dev ? dev->quick.mtu : 0;
}
