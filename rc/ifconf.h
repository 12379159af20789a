/* The jail's /etc/IF.conf: the jail's WireGuard configuration (read and
 * merged by agent/jailwg.h, checked against the spec by the agent) written
 * back canonical without the wg-quick keys (Address, DNS, MTU, Table,
 * Pre/PostUp/Down, SaveConfig), the form stock `wg syncconf` accepts.
 * Mode 0600: it holds the private key. */
#ifndef WGJAIL_RC_IFCONF_H
#define WGJAIL_RC_IFCONF_H

#include <stddef.h>

#include "rc/jail.h"

struct wj_err;
struct wg_device;

/* Its text for the jail (release with wg_config_free_text). */
char *rc_ifconf_text(const struct wg_device *dev, size_t *len, struct wj_err *e);
/* The tunnel addresses and MTU the jail's rc.conf gets: the spec's, or
 * when the spec names none, the wg-quick Address / MTU of the config. */
void rc_tunnel_params(const struct rc_jail *j, const struct wg_device *dev, const struct wg_ipmask **addrs,
		      size_t *n, unsigned *mtu);

#endif
