/* Bringing a jail up and down on Linux: a named network namespace wired
 * by one of two uplinks (wgjail.conf(5)):
 *
 *   bridge     veth pair: host end on the bridge (created if missing,
 *              holding the gateway addresses), jail end "eth0" inside with
 *              the jail addresses and default routes via the gateways; the
 *              WireGuard interface is created inside the jail, so its UDP
 *              socket lives there.
 *   wireguard  the WireGuard interface is created in the host namespace
 *              (its UDP socket stays there) and moved into the jail, where
 *              it is the only interface besides lo, with the default routes.
 *
 * Kernel WireGuard is used where the "wireguard" link kind exists, else
 * wireguard-go (agent/wggo_linux.h); the spec's implementation key forces
 * either.  Every step is a no-op when its target state already holds, so
 * `up` on a running jail reconciles.  What `up` creates is recorded in the
 * jail's state file (agent/jailstate.h), and `down` removes exactly that. */
#ifndef WGJAIL_JAIL_LINUX_H
#define WGJAIL_JAIL_LINUX_H

#include <stdbool.h>
#include <stdio.h>

#include "agent/platform.h" /* struct jail_up_opts */

struct jail_spec;
struct wj_err;

#define JAIL_DEFAULT_MTU 1420
#define JAIL_VETH_INSIDE "eth0"


/* Realise S here.  Returns 0; 1 if done except for peers whose endpoint
 * could not be resolved; -1 with E set (what was created is recorded, so
 * `down` cleans it). */
int jail_up(const struct jail_spec *s, const struct jail_up_opts *o, struct wj_err *e);
/* Remove what `up` created for NAME. */
int jail_down(const char *name, FILE *out, struct wj_err *e);

#endif
