/* The UAPI (userspace socket) backend's extras; the backend itself is
 * wg_backend_uapi (wg/backend.h). */
#ifndef WGJAIL_UAPI_H
#define WGJAIL_UAPI_H

#include <stdbool.h>

#include "wg/uapi_decode.h"

struct wj_err;

/* The sockets are IF.sock in util/paths.h's wj_uapi_dir().  Its path is
 * global across network namespaces, so a jail running its own
 * wireguard-go has a private directory (bind-mounted on /var/run/wireguard
 * for wireguard-go); the process that enters the jail to reach it sets
 * $WGJAIL_UAPI_DIR for itself alone (agent/platform_linux.c). */

/* A GET that hands each peer to FN as it is decoded and drops it (see
 * wg_uapi_dec_stream): memory stays flat whatever the number of peers.
 * *DEV gets the device's own fields (no peers).  Returns 0 or -1 with E
 * set (FN's error included). */
int wg_uapi_get_stream(const char *ifname, wg_uapi_peer_fn fn, void *arg, struct wg_device **dev, struct wj_err *e);

/* IFNAME's socket is there (not connected to: see wg_backend_quiet). */
bool wg_uapi_present(const char *ifname);

#endif
