/* The jail's /etc/IF.conf: CONFDIR/NAME/IF.conf (wg(8) format plus
 * wg-quick keys, written by `wgjail create`) read with the one parser
 * (wg/config.h) and written back canonical without the wg-quick keys
 * (Address, DNS, MTU, Table, Pre/PostUp/Down, SaveConfig), the form stock
 * `wg syncconf` accepts.  Mode 0600: it holds the private key. */
#ifndef WGJAIL_RC_IFCONF_H
#define WGJAIL_RC_IFCONF_H

#include <stddef.h>

#include "agent/jailspec.h"

struct wj_err;
struct wg_device;

/* Load the jail's WireGuard configuration from CONFDIR.  The spec's
 * listen_port is filled in when the config has no ListenPort; a
 * different ListenPort is an error. */
int rc_ifconf_load(const struct jail_spec *s, struct wg_device **dev, struct wj_err *e);
/* Its text for the jail (release with wg_config_free_text). */
char *rc_ifconf_text(const struct wg_device *dev, size_t *len, struct wj_err *e);
/* The tunnel addresses and MTU the jail's rc.conf gets: the spec's, or
 * when the spec names none, the wg-quick Address / MTU of the config. */
void rc_tunnel_params(const struct jail_spec *s, const struct wg_device *dev, const struct wg_ipmask **addrs,
		      size_t *n, unsigned *mtu);

#endif
