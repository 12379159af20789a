/* The jails' metrics in Prometheus' text exposition format (version
 * 0.0.4): what `wgjail metrics` prints and the agent writes for
 * node_exporter's textfile collector (`agent --metrics-file`).
 *
 * Per peer, the names and labels of the widely used WireGuard exporter
 * (prometheus_wireguard_exporter), so that its dashboards work:
 *   wireguard_sent_bytes_total, wireguard_received_bytes_total (counters),
 *   wireguard_latest_handshake_seconds (gauge, Unix time, 0 = never),
 * labelled jail, interface, public_key, allowed_ips (comma-separated) and,
 * for a peer that has a name, friendly_name.  wgjail's own:
 *   wgjail_jail_up                       1 if the jail's interface can be read
 *   wgjail_peer_state{state=ok|stale|down}  1 for the peer's state, 0 for the others
 *   wgjail_peer_resolution_error{endpoint,error}  1 per peer whose last
 *                                        resolution failed (agent)
 *   wgjail_reconciles_total, wgjail_reconcile_failures_total,
 *   wgjail_resolution_failures_total,
 *   wgjail_last_reconcile_success_timestamp_seconds,
 *   wgjail_daemon_restarts_total         per jail (agent)
 *   wgjail_agent_up, wgjail_agent_start_time_seconds,
 *   wgjail_resolver_restarts_total       the agent's
 * Every family has its HELP and TYPE lines, printed even without samples;
 * the families marked "agent" have samples only from a running agent.
 * No key but public keys appears. */
#ifndef WGJAIL_METRICS_H
#define WGJAIL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "agent/status.h"
#include "wg/model.h"

struct wj_err;

/* A peer whose last resolution failed. */
struct metrics_rerr {
	uint8_t key[WG_KEY_LEN];
	const char *endpoint; /* as written */
	const char *error;
};

struct metrics_jail {
	const char *name, *ifname;
	const struct wg_device *dev; /* as read; NULL: not up */
	bool agent;                  /* the agent's counters below are known */
	uint64_t reconciles, reconcile_failures, resolution_failures, restarts;
	int64_t last_ok;             /* Unix time of the last successful reconcile, 0 never */
	const struct metrics_rerr *rerr;
	size_t n_rerr;
	/* The peer's name, or NULL (no names yet: NULL function). */
	const char *(*peer_name)(const uint8_t key[WG_KEY_LEN], void *arg);
	void *name_arg;
};

struct metrics_agent {
	bool running;
	int64_t start_time; /* Unix time */
	uint64_t resolver_restarts;
};

/* Render the metrics of N jails into F. */
void metrics_render(FILE *f, const struct metrics_jail *jails, size_t n, const struct metrics_agent *ag, time_t now,
		    const struct health_limits *hl);
/* The same into PATH, atomically (mode 0644); the directory must exist.
 * Returns 0 or -1 with E set. */
int metrics_write(const char *path, const struct metrics_jail *jails, size_t n, const struct metrics_agent *ag,
		  time_t now, const struct health_limits *hl, struct wj_err *e);

#endif
