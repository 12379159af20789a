/* The sync engine: make a live interface match a desired configuration,
 * sending only what differs (wg/plan.h), through the backend chosen by
 * wg_backend_for().  Used by `wgjail sync`, `up`, `boot` and the agent. */
#ifndef WGJAIL_SYNC_H
#define WGJAIL_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "wg/model.h"

struct wj_err;

struct wg_sync_opts {
	bool dry_run;     /* plan and report only; the device is not touched */
	bool show_keys;   /* print private keys / PSKs in the report (never by default) */
	FILE *report;     /* plan / result lines, NULL = silent */
	/* Endpoint memory (see wg_plan_ex): by default the engine keeps, per
	 * network namespace and interface, the endpoints it configured last
	 * in WGJAIL_STATEDIR (default /run/wgjail) so that a roamed peer is
	 * not pulled back.  no_state disables it (every differing endpoint is
	 * then sent). */
	bool no_state;
};

struct wg_sync_result {
	size_t added, removed, changed, unresolved;
	bool device_changed;
};

/* Resolve DESIRED's endpoints (per peer; unresolvable peers are skipped -
 * neither added, changed nor removed - and reported), read IFNAME through
 * its backend, plan the minimal change set, apply it (unless dry_run).
 * DESIRED's peers get their endpoint_addr filled in.  Returns 0; 1 when
 * everything else was applied but some peers were skipped (callers exit
 * 1); -1 with E set on failure (the device may then be partly changed:
 * every WireGuard API applies changes up to the failure).  R may be
 * NULL. */
int wg_sync(const char *ifname, struct wg_device *desired, const struct wg_sync_opts *o,
	    struct wg_sync_result *r, struct wj_err *e);

/* Same, with the current state already read (CURRENT, from BACKEND's get)
 * - for callers that just created the interface or hold the state. */
struct wg_backend;
int wg_sync_with(const struct wg_backend *backend, const char *ifname, const struct wg_device *current,
		 struct wg_device *desired, const struct wg_sync_opts *o, struct wg_sync_result *r,
		 struct wj_err *e);

#endif
