/* The diff planner: (current device, desired configuration) -> the
 * minimal change set, as a wg_device whose flags say what is sent (see
 * wg/model.h).  Pure: no I/O, no clock, no resolver; unit-testable.
 *
 * Rules (the why is in plan.c):
 *  - device: a field absent from DESIRED is left as it is (never zeroed);
 *    the private key is sent only when it differs once clamped, the listen
 *    port only when it differs (ListenPort = 0 means "any port": sent only
 *    while the device has none), the fwmark only when it differs;
 *  - a peer on the device but not in DESIRED gets WGPEER_REMOVE alone (never
 *    replace_peers);
 *  - a new peer gets WGPEER_NEW and everything it has;
 *  - a changed peer gets only the fields that differ; a PSK or keepalive
 *    that DESIRED lacks but the device has is sent as zero (removal);
 *    allowed IPs are compared canonically and, when they differ, sent in
 *    full with WGPEER_REPLACE_AIPS | WGPEER_CHANGED_AIPS;
 *  - endpoints: see wg_plan_ex.  Endpoints are compared as resolved
 *    addresses (peer->endpoint_addr); a desired peer whose endpoint text is
 *    set but whose address is unresolved (AF_UNSPEC) is a caller error.
 * Peers in the result: removals first, then changed peers (device order),
 * then new peers (desired order). */
#ifndef WGJAIL_PLAN_H
#define WGJAIL_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "wg/model.h"

struct wj_err;

/* PREVIOUS (may be NULL) holds, per public key, the endpoint wgjail last
 * configured for that peer (peer->endpoint_addr; other fields ignored).
 * Endpoint of an existing peer, desired address D, device address C:
 *   D unset                     -> nothing sent (the device keeps whatever
 *                                  endpoint it learnt);
 *   C unset                     -> D sent;
 *   D == C                      -> nothing;
 *   PREVIOUS knows the peer     -> D sent only if D != previous (the file
 *                                  changed); otherwise the peer roamed and
 *                                  is left where it is;
 *   PREVIOUS does not know it   -> D sent (the file is authoritative).
 * Returns the change set (possibly with no peers and no device flags: see
 * wg_plan_is_empty), or NULL with E set (out of memory, unresolved
 * endpoint).  The tests' and fuzzers' entry (tests/unit/test_plan.c,
 * test_nv_freebsd.c): the backends walk the device with wg_planner_*. */
struct wg_device *wg_plan_ex(const struct wg_device *current, const struct wg_device *desired,
			     const struct wg_device *previous, struct wj_err *e);
/* The same, with the memory of previous endpoints behind an interface:
 * SAME returns true if EP is the endpoint wgjail configured last for KEY
 * (false when it was another one, or is unknown). */
struct wg_ep_memory {
	bool (*same)(const void *arg, const uint8_t key[WG_KEY_LEN], const union wg_sockaddr *ep);
	const void *arg;
};
struct wg_device *wg_plan_mem(const struct wg_device *current, const struct wg_device *desired,
			      const struct wg_ep_memory *mem, struct wj_err *e);

/* Incremental form, for a current state that streams in (a large UAPI
 * reply is planned peer by peer, never held whole):
 *   pl = wg_planner_new(desired, mem);  wg_planner_device(pl, current
 *   device fields) once;  wg_planner_peer(pl, peer) per current peer;
 *   plan = wg_planner_finish(pl)  (consumes PL, even on failure).
 * DESIRED and MEM must outlive PL.  wg_planner_free drops an unfinished
 * planner. */
struct wg_planner;
struct wg_planner *wg_planner_new(const struct wg_device *desired, const struct wg_ep_memory *mem, struct wj_err *e);
int wg_planner_device(struct wg_planner *pl, const struct wg_device *current, struct wj_err *e);
int wg_planner_peer(struct wg_planner *pl, const struct wg_peer *current_peer, struct wj_err *e);
struct wg_device *wg_planner_finish(struct wg_planner *pl, struct wj_err *e);
void wg_planner_free(struct wg_planner *pl);

/* wg_plan_ex without a memory of previous endpoints (tests and fuzzers
 * only, as wg_plan_ex). */
struct wg_device *wg_plan(const struct wg_device *current, const struct wg_device *desired, struct wj_err *e);

/* True if PLAN changes nothing. */
bool wg_plan_is_empty(const struct wg_device *plan);

/* Counts of a plan, for reports. */
struct wg_plan_counts {
	size_t added, removed, changed;
	bool device_changed;
};
void wg_plan_count(const struct wg_device *plan, struct wg_plan_counts *c);

/* Print PLAN to F, one line per device change and per peer:
 *   interface IFNAME: private key (hidden), listen port 51820, fwmark 0x1
 *   add    KEY: endpoint 192.0.2.1:51820, allowed ips 10.0.0.2/32, preshared key (hidden), keepalive 25
 *   remove KEY
 *   change KEY: allowed ips 10.0.0.3/32, endpoint 192.0.2.9:51820, preshared key removed, keepalive off
 * Public keys are printed (they are public); private keys and PSKs only if
 * SHOW_KEYS. */
void wg_plan_print(FILE *f, const char *ifname, const struct wg_device *plan, bool show_keys);

#endif
