/* The UAPI (userspace socket) backend's extras; the backend itself is
 * wg_backend_uapi (wg/backend.h). */
#ifndef WGJAIL_UAPI_H
#define WGJAIL_UAPI_H

/* Directory of the UAPI sockets.  Default: $WGJAIL_UAPI_DIR if set, else
 * /var/run/wireguard.  The socket path is global across network
 * namespaces, so a jail running its own wireguard-go may use a private
 * directory (bind-mounted on /var/run/wireguard inside it).  DIR is
 * copied; NULL restores the default. */
void wg_uapi_set_dir(const char *dir);
const char *wg_uapi_dir(void);

#endif
