/* A device as a UAPI GET reply, and a change as a UAPI set: the text wireguard-go answers to "get=1"
 * (keys in hex, "errno=0" and an empty line at the end), written to a
 * descriptor.  The other half of wg/uapi_decode.h: what this writes,
 * wg_uapi_dec reads back into the same device.  Used to hand a device read
 * inside a jail (a child process, agent/jailcall.h) to the process that
 * asked for it. */
#ifndef WGJAIL_UAPI_WRITE_H
#define WGJAIL_UAPI_WRITE_H

#include "wg/model.h"

struct wj_err;

/* Write DEV to FD: private_key (or, without one, own_public_key),
 * listen_port, fwmark, then per peer public_key, preshared_key (when
 * set), endpoint, persistent_keepalive_interval, the handshake time, the
 * byte counters and the allowed IPs.  The buffer that held keys is wiped.
 * Returns 0, or -1 with E set (a write that failed). */
int wg_uapi_write_get(int fd, const struct wg_device *dev, struct wj_err *e);

/* The set form: what wireguard-go reads after "set=1" (the UAPI backend,
 * wg/uapi.c, sends it to the daemon), and the change or desired device a
 * process hands to the one that entered a jail (agent/jailcall.h), which
 * reads it back with wg_uapi_dec_new_set (wg/uapi_decode.h).  Written:
 * "set=1", then what C's flags say: private_key (all zero when flagged
 * without a key: remove it), listen_port, fwmark, replace_peers=true; per
 * peer public_key, then remove=true alone, or update_only=true,
 * preshared_key, endpoint, persistent_keepalive_interval,
 * replace_allowed_ips=true and allowed_ip lines; an empty line ends it.
 * An endpoint is numeric; a peer flagged with one that is not resolved is
 * an error, except with WG_UAPI_SET_REQUEST, where the text as written
 * in the config ("host:port") goes along (the sync engine in the jail
 * skips that peer: no name is resolved there), and a link-local zone is
 * written by number.  Keys are
 * written in hex through wiped memory.  0, or -1 with E set (nothing
 * written when the check failed). */
#define WG_UAPI_SET_REQUEST 1u
int wg_uapi_write_set(int fd, const char *ifname, const struct wg_device *c, unsigned flags, struct wj_err *e);
/* The check wg_uapi_write_set makes before it writes a byte. */
int wg_uapi_set_check(const char *ifname, const struct wg_device *c, unsigned flags, struct wj_err *e);

#endif
