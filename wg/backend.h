/* The WireGuard backend interface: read a device, apply a change set, list
 * interfaces, name a device instance.  Implementations: uapi (userspace socket, wg/uapi.c), kernel
 * (Linux generic netlink, wg/kernel_linux.c), freebsd (if_wg nvlist ioctl,
 * wg/kernel_freebsd.c, compiled only on FreeBSD).  Which one drives an
 * interface is decided in exactly one place: wg/backend.c (wg_backend_for,
 * and wg_backend_quiet for `sync`'s record). */
#ifndef WGJAIL_BACKEND_H
#define WGJAIL_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "wg/model.h"

struct wj_err;

struct wg_backend {
	const char *name; /* "uapi", "kernel", "kernel (if_wg)": for messages */
	/* Does IFNAME exist for this backend?  (No error reporting: a probe.) */
	bool (*has)(const char *ifname);
	/* Read the whole device: keys, port, fwmark, peers with their
	 * endpoints (resolved addresses), allowed IPs, handshake, transfer. */
	int (*get)(const char *ifname, struct wg_device **out, struct wj_err *e);
	/* Apply CHANGES (flags say which fields are sent; see wg/model.h).
	 * Never partially silent: any failure is reported; note that every
	 * WireGuard API applies changes up to the failure. */
	int (*set)(const char *ifname, const struct wg_device *changes, struct wj_err *e);
	/* Append the names of this backend's interfaces to *NAMES. */
	int (*list)(char ***names, size_t *n, struct wj_err *e);
	/* The identity of IFNAME's device instance, for the record of the
	 * last sync (wg/applied.h): a string no re-created device can have.
	 * MINT: give the device one if it has none (FreeBSD: a random
	 * interface group, see wg/kernel_freebsd.c); without MINT nothing
	 * is changed.  Returns 0, or -1 if there is none.  May be NULL. */
	int (*identity)(const char *ifname, bool mint, char *out, size_t outsz);
	/* The device as a UAPI GET reply (wg/uapi_write.h) written to OUT:
	 * a userspace daemon's own reply, passed through as it comes,
	 * checked for size and shape only (wg/uapi_frame.h): the reader
	 * decodes it.  NULL: get, then wg_uapi_write_get.  0, or -1 with E
	 * set (the reply may be cut short). */
	int (*pass_get)(const char *ifname, int out, struct wj_err *e);
};

extern const struct wg_backend wg_backend_uapi;
#if defined(__linux__)
extern const struct wg_backend wg_backend_kernel;
#elif defined(__FreeBSD__)
extern const struct wg_backend wg_backend_freebsd;
#endif

/* The backend that drives IFNAME: its UAPI socket if one answers (as wg(8)
 * does), else the kernel's.  NULL with a message saying what was tried if
 * neither has it. */
const struct wg_backend *wg_backend_for(const char *ifname, struct wj_err *e);

/* The backend whose device IFNAME names, seen without talking to it: a
 * UAPI socket that is there counts, whether or not a daemon still listens
 * on it (that shows when something is sent, and a refused connection then
 * removes the stale socket, as wg_backend_for does).  For `sync`'s record
 * (wg/sync_file.c): the fast path, which sends nothing when nothing
 * changed, and the identity recorded after a full sync, whose backend was
 * just probed.  Waking a daemon costs it a context switch for nothing,
 * and in a VM a wake-up of an idle vCPU now and then costs milliseconds.
 * NULL if neither is there. */
const struct wg_backend *wg_backend_quiet(const char *ifname);

/* The kernel backend of this platform (for creating interfaces), NULL if
 * the platform has none. */
const struct wg_backend *wg_backend_kernel_native(void);

/* Every WireGuard interface known to any backend, sorted, without
 * duplicates. */
int wg_backend_list_all(char ***names, size_t *n, struct wj_err *e);
void wg_backend_free_list(char **names, size_t n);

#endif
