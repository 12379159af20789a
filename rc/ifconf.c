#include "rc/ifconf.h"
#include "util/err.h"
#include "wg/config.h"

#include <errno.h>

char *rc_ifconf_text(const struct wg_device *dev, size_t *len, struct wj_err *e)
{
	char *t = wg_config_format(dev, WG_CONFIG_STRIP_QUICK, len);

	if (!t)
		wj_errnof(e, ENOMEM, "formatting the WireGuard configuration");
	return t;
}

void rc_tunnel_params(const struct rc_jail *j, const struct wg_device *dev, const struct wg_ipmask **addrs,
		      size_t *n, unsigned *mtu)
{
	if (j->n_address || !dev) {
		*addrs = j->address;
		*n = j->n_address;
	} else {
		*addrs = dev->quick.address;
		*n = dev->quick.n_address;
	}
	*mtu = j->mtu ? j->mtu : dev ? dev->quick.mtu : 0;
}
