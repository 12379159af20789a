/* `wgjail agent`: boot every jail, then keep them true.
 *
 *  - file changes (agent/watch.h) reconcile the jail they concern after a
 *    debounce (a burst of writes is one reconcile); SIGHUP rescans the
 *    configuration directory and reconciles every jail;
 *  - a reconcile checks the spec and the WireGuard config first: a broken
 *    file is logged with file:line and ignored (the running state stays as
 *    it was); else the platform part (Linux: `up`, minimal diff);
 *  - every status interval, each jail's device is read: peers with a host
 *    name endpoint and a stale handshake (or after an uplink change,
 *    agent/uplinkwatch.h) are re-resolved (agent/reresolve.h) and, when
 *    the address changed, only that peer's endpoint is sent; then
 *    RUNDIR/status.json, RUNDIR/agent.state and the metrics file are
 *    written (agent/daemon_report.c); a peer left out because its name did
 *    not resolve is added (by a reconcile) once it resolves.  Names are
 *    resolved by a separate unprivileged process (agent/resolver.h) and
 *    never on the loop: a DNS server that does not answer delays only the
 *    peers behind its names;
 *  - the service manager hears READY=1 after the first pass and WATCHDOG=1
 *    from the loop (agent/notify.h);
 *  - SIGTERM and SIGINT end the loop; the tunnels stay up.
 *
 * Timing, overridable through the environment (for tests; wgjail(8)):
 *   WGJAIL_DEBOUNCE_MS         300    quiet time after a change
 *   WGJAIL_STATUS_INTERVAL_MS  5000   health check and status.json
 * and those of agent/reresolve.h and agent/status.h. */
#ifndef WGJAIL_DAEMON_H
#define WGJAIL_DAEMON_H

#include <stdbool.h>

struct wj_err;

struct agent_opts {
	const char *status_path;  /* NULL: RUNDIR/status.json */
	const char *metrics_path; /* NULL: no metrics file */
};

/* Run until SIGTERM/SIGINT.  The caller has set up logging (and
 * daemonised).  Returns 0 on a clean stop, -1 with E set if the agent
 * could not start. */
int agent_run(const struct agent_opts *o, struct wj_err *e);

#endif
