/* The agent's state, shared by its parts (not for other modules):
 *   agent/daemon.c         the loop: watching, reconciling, reaping, signals
 *   agent/daemon_rr.c      host names: re-resolution and the resolver's answers
 *   agent/daemon_report.c  status.json, the agent's state file, the metrics file */
#ifndef WGJAIL_DAEMON_INT_H
#define WGJAIL_DAEMON_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "agent/jailspec.h"
#include "agent/notify.h"
#include "agent/reresolve.h"
#include "agent/status.h"
#include "util/err.h"
#include "util/strutil.h"

struct ajail {
	char name[WJ_JAIL_NAME_MAX + 1];
	bool present;               /* still has a spec in the directory */
	bool have_spec;             /* SPEC and CONF are the last good ones */
	struct jail_spec spec;
	struct wg_device *conf;     /* last good config (endpoint texts kept) */
	struct wg_device *dev;      /* device as read at the last check */
	enum jail_state_kind state;
	char message[WJ_ERR_MAX];
	int64_t due_ms;             /* reconcile at this time, 0 = not due */
	unsigned restarts;          /* brought back up after its daemon died */
	bool restart;               /* the next reconcile is such a restart */
	uint64_t reconciles, reconcile_failures, resolution_failures;
	time_t last_ok;             /* the last successful reconcile, 0 none */
	uint64_t rsv_seen;          /* resolver answers taken into account, up to this number */
	uint64_t rsv_reconciled;    /* resolver answers known when it was last reconciled */
	bool dirty;                 /* changed since the last report: read again for the next */
	int64_t expiry_ms;          /* a peer of CONF expires then (monotonic), 0 = none */
	int64_t expiry_at;          /* ... at this wall-clock second */
};

struct resolver;
struct uplinkwatch;
struct watch;

struct agent {
	struct ajail *v;
	size_t n, cap;
	struct watch *w;
	int sigfd;
	bool rescan, stop, started, reap, ready;
	unsigned debounce_ms, status_ms;
	int64_t next_status_ms;     /* the next check of every jail */
	bool report_due;            /* a change to report: the dirty jails are read, then the report */
	struct rr_sched rr;
	struct rr_params rrp;
	struct health_limits hl;
	char status_path[PATH_MAX];
	time_t start;               /* when the agent started */
	struct resolver *rsv;
	uint64_t rsv_seen;          /* answers handled, up to this number */
	struct uplinkwatch *uw;     /* NULL: none (logged) */
	int64_t uplink_ms;          /* re-resolve for an uplink change at this time, 0 none */
	char uplink_why[128];
	struct notify nt;
	const char *metrics_path;   /* NULL: no metrics file */
	char metrics_err[WJ_ERR_MAX]; /* the last error writing it (logged once) */
};

/* Peer expiry (agent/daemon_expiry.c): the next deadline of J after the
 * wall-clock second DONE, and what is done at it. */
void agent_expiry_schedule(struct ajail *j, int64_t done);
void agent_expiry_due(struct agent *a, struct ajail *j);

/* agent/daemon_rr.c */
/* Re-resolve J's host-name peers that are due (NOW: wall clock), asking
 * the resolver; the answers come later (agent_answers). */
void agent_reresolve(struct agent *a, struct ajail *j, time_t now);
/* Act on the resolver's new answers: add peers whose name resolves now
 * (a reconcile), send the new endpoints of peers that were due, count and
 * log failures. */
void agent_answers(struct agent *a);
/* Read the uplink watch; an uplink change makes every host name due
 * after a short settling time. */
void agent_uplink_read(struct agent *a);
void agent_uplink_due(struct agent *a, int64_t now_ms);

/* agent/daemon_report.c */
/* Write status.json, the agent's state file and the metrics file from
 * what the last check saw. */
void agent_report(struct agent *a, time_t now);
/* Remove the state file (the agent stops). */
void agent_report_end(void);

#endif
