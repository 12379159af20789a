/* Tunnel addresses handed out to new peers (`peer add` without
 * --allowed-ips): the next free host address of each of the jail's tunnel
 * networks, as a /32 or /128.
 *
 * Never the address of a removed peer while unused ones remain (a stale
 * config on a lost device must not route to a new person): each network
 * has a high-water mark, the last address handed out, and the next one is
 * the first free address above it.  Only when the mark reaches the end of
 * the network are addresses below it (freed ones) given again, lowest
 * first; with none free the network is full, an error naming it.
 *
 * The marks are derived data, like the allowed-IP index: one line per
 * network "10.8.0.0/24 10.8.0.57" in CONFDIR/JAIL/.IF.alloc, written
 * (atomically, not synced) before the peer's drop-in.  A missing or
 * damaged file is rebuilt from the files: the mark is then the highest
 * host address a peer routes in that network.  What a rebuild cannot know
 * is an address freed above that: documented, and the only way a freed
 * address can come back early.  "Free" is checked against the allowed-IP
 * index (drop-ins) and the main file's peers, never against the marks: a
 * hand-written peer above the mark is skipped.  Call under the jail's lock. */
#ifndef WGJAIL_ALLOC_H
#define WGJAIL_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "wg/model.h"

struct wj_err;

/* Is HOST (a /32 or /128) routed to a peer already?  1, 0, -1 (E set). */
typedef int (*alloc_used_fn)(void *arg, const struct wg_ipmask *host, struct wj_err *e);

/* The usable host range of tunnel address NET (host bits kept: the
 * jail's own address, which is never handed out).  -1 and E if the
 * network is too small to hand out any address (IPv4 /31, /32; IPv6 /127,
 * /128). */
int alloc_range(const struct wg_ipmask *net, struct wg_ipmask *first, struct wg_ipmask *last, struct wj_err *e);

/* The mark of NET's network from STATE_PATH, or *HAVE = false if it has
 * none (the caller rebuilds: alloc_mark_of). */
int alloc_mark_load(const char *state_path, const struct wg_ipmask *net, struct wg_ipmask *mark, bool *have,
		    struct wj_err *e);
/* Record MARK for NET's network (other networks' lines kept). */
void alloc_mark_store(const char *state_path, const struct wg_ipmask *net, const struct wg_ipmask *mark);
/* Rebuild: the highest /32 (/128) address inside NET's network that a
 * peer of DEV routes, or the network address if none. */
void alloc_mark_of(const struct wg_device *dev, const struct wg_ipmask *net, struct wg_ipmask *mark);

/* The next address for NET (see above) into *OUT (a /32 or /128), MARK
 * the network's mark.  AVOID[0..N_AVOID) (the jail's own addresses) are
 * never given.  -1 and an error naming the network if it is full. */
int alloc_next(const struct wg_ipmask *net, const struct wg_ipmask *mark, const struct wg_ipmask *avoid,
	       size_t n_avoid, alloc_used_fn used, void *arg, struct wg_ipmask *out, struct wj_err *e);

#endif
