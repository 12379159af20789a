/* A device as a UAPI GET reply: the text wireguard-go answers to "get=1"
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

#endif
