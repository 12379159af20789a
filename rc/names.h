/* Names and words that the FreeBSD generators derive from a jail (rc/jail.h),
 * and the last check every such word passes before it reaches a file.
 *
 * Interface naming (see wgjail(8), PROVISION):
 *   bridge uplink     epairNa (host end, on the bridge), epairNb (jail
 *                     end); the WireGuard interface is the spec's
 *                     `interface` (default wg0), created inside the jail.
 *   wireguard uplink  the WireGuard interface is created on the host as
 *                     wgjN (N = the spec's id) and keeps that name inside
 *                     the jail: it is never renamed.  The name is then the
 *                     same at every step of its life -- creation on the
 *                     host, the move in, the automatic return to the host
 *                     when the jail is removed (jail -r, jail -R, a crash)
 *                     -- so exec.poststop and the next exec.prestart can
 *                     always find and destroy it, and an interface coming
 *                     home can never collide with the host's own wg0 or
 *                     another jail's.  A rename to wg0 inside the jail
 *                     would have to be undone before every removal, and
 *                     jail -R skips the commands that would undo it. */
#ifndef WGJAIL_RC_NAMES_H
#define WGJAIL_RC_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "rc/jail.h"

struct wj_err;

/* The WireGuard interface's name inside the jail (see above; the uplink
 * kind's wg_ifname, rc/uplink_kind.h). */
const char *rc_wg_ifname(const struct rc_jail *j, char *buf, size_t sz);
/* The spec's interface name must not be one the jail already has a use
 * for (the uplink kind's check_ifname: with the bridge uplink lo0, which
 * network_interfaces starts with, or an epair end). */
int rc_check_ifname(const struct rc_jail *j, struct wj_err *e);
/* The interface's name in rc.conf variables: network.subr replaces '.',
 * '-', '/' and '+' by '_' (ltr in get_if_var). */
void rc_if_var(const char *ifname, char *buf, size_t sz);
/* epairN, epairNa, epairNb. */
void rc_epair(const struct rc_jail *j, char *pair, char *host_end, char *jail_end, size_t sz);

/* Every word a generator writes into shell, rc.conf or jail.conf text
 * passes this check: [A-Za-z0-9_./:%+-], non-empty.  Validation of the
 * spec already guarantees it; this is the second lock on the door.
 * WHAT names the word in the error message. */
int rc_word_check(const char *word, const char *what, struct wj_err *e);

#endif
