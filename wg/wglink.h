/* WireGuard links over rtnetlink (Linux): `ip link add NAME type
 * wireguard`, delete, list.  Implemented in wg/wglink_linux.c. */
#ifndef WGJAIL_WGLINK_H
#define WGJAIL_WGLINK_H

#include <stddef.h>

struct wj_err;

/* Create a kernel WireGuard link NAME in the current network namespace.
 * EEXIST is success if NAME already is a wireguard link.  Create and
 * delete serve the VM test driver (tests/vm/wjvm.c); the binary makes its
 * links inside the jail (netconf/link.h). */
int wglink_create(const char *name, struct wj_err *e);
/* Delete link NAME; ENODEV is success. */
int wglink_delete(const char *name, struct wj_err *e);
/* Append the names of the wireguard links of this namespace. */
int wglink_list(char ***names, size_t *n, struct wj_err *e);
/* 1 if NAME is a wireguard link here, 0 if not, -1 on error. */
int wglink_is_wireguard(const char *name, struct wj_err *e);

#endif
