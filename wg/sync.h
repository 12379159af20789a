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
	 * in the state directory (util/paths.h) so that a roamed peer is
	 * not pulled back.  no_state disables it (every differing endpoint is
	 * then sent). */
	bool no_state;
	/* Set by wg_sync_file only: it holds the lock of the interface's
	 * record of the last sync (wg/applied.h) and rewrites the record
	 * itself.  Everyone else's changes drop the record. */
	bool holds_record;
	/* wg_sync_file: read the device and compare everything, even when a
	 * record of the last sync to this device exists. */
	bool full;
	/* wg_sync_file: say on REPORT whether the device was read, and why. */
	bool verbose;
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

/* Report "IFNAME: no change" as a sync that planned nothing does (R, if
 * not NULL, zeroed): for a file that is byte for byte the one known to be
 * on the device (wg/sync_file.c), with nothing parsed or planned. */
void wg_sync_unchanged(const char *ifname, const struct wg_sync_opts *o, struct wg_sync_result *r);

/* Apply the difference between BEFORE (a configuration known to be on the
 * device, parsed: endpoints numeric) and AFTER, without reading the
 * device: peers in neither are not touched; a peer in BEFORE only is
 * removed; the others are planned field by field as wg_sync does against
 * the device.  Return values as wg_sync. */
int wg_sync_delta(const struct wg_backend *backend, const char *ifname, const struct wg_device *before,
		  struct wg_device *after, const struct wg_sync_opts *o, struct wg_sync_result *r, struct wj_err *e);

/* `wgjail sync IFNAME PATH`: read and check PATH, then apply it.  When the
 * record of the last sync (wg/applied.h) was made for this very device and
 * O->full is not set, PATH is compared with the recorded file section by
 * section (wg/conf_sections.h) and only the sections that differ are
 * parsed and planned: the device is not read.  Otherwise PATH is parsed
 * whole and synced with wg_sync.  Either way the record is rewritten
 * afterwards (not in a dry run, and not when PATH names hosts: those are
 * resolved again at every sync).  Return values as wg_sync. */
int wg_sync_file(const char *ifname, const char *path, const struct wg_sync_opts *o, struct wg_sync_result *r,
		 struct wj_err *e);

#endif
