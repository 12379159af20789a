/* Reasons to re-resolve host names besides handshake age: the host's
 * uplink came up or changed address.  Linux listens to rtnetlink's link
 * and address groups (agent/uplinkwatch_linux.c), FreeBSD to the routing
 * socket (agent/uplinkwatch_freebsd.c), in the agent's own network stack
 * (the host's: jails have theirs).
 *
 * What counts: a link that becomes up and running (a link seen for the
 * first time counts if it is), and an address of global or site scope
 * added to or removed from a link (IPv6 addresses still in duplicate
 * address detection are not counted until they are usable); losing
 * events (the socket's buffer overflowed) counts too.  Loopback never
 * counts, nor a link the caller says is its own (a jail's host side, a
 * jail's bridge: `up` makes those, and they are not the uplink). */
#ifndef WGJAIL_UPLINKWATCH_H
#define WGJAIL_UPLINKWATCH_H

#include <stdbool.h>
#include <stddef.h>

struct wj_err;
struct uplinkwatch;

/* NULL with E set if the socket cannot be had. */
struct uplinkwatch *uplinkwatch_new(struct wj_err *e);
void uplinkwatch_free(struct uplinkwatch *u);
/* A descriptor that becomes readable when events are pending. */
int uplinkwatch_fd(const struct uplinkwatch *u);

/* Is IFNAME one of the caller's own links (ignored)? */
typedef bool (*uplinkwatch_ours_fn)(const char *ifname, void *arg);

/* Read what is pending.  Returns 1 if something counts (WHY then says
 * what, e.g. "eth0 is up", "address added on eth0"), 0 if not, -1 with E
 * set on a read error. */
int uplinkwatch_read(struct uplinkwatch *u, uplinkwatch_ours_fn ours, void *arg, char *why, size_t whysz,
		     struct wj_err *e);

#endif
