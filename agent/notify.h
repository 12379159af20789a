/* The service manager's notification protocol (sd_notify(3)), written
 * here: one datagram of "KEY=VALUE" lines to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or "@name" for Linux's abstract namespace).
 * The agent says READY=1 once its first boot of every jail is done,
 * WATCHDOG=1 from its loop every half of $WATCHDOG_USEC (when
 * $WATCHDOG_PID, if set, is this process), and STOPPING=1 when it ends.
 * A loop that is stuck sends nothing, and systemd (WatchdogSec=)
 * restarts the service.  Without $NOTIFY_SOCKET (FreeBSD, a shell) all of
 * it is a no-op.  The variables are removed from the environment, so the
 * agent's children (wireguard-go, the resolver) never speak for it. */
#ifndef WGJAIL_NOTIFY_H
#define WGJAIL_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

struct wj_err;

struct notify {
	int fd;                  /* -1: nothing to notify */
	struct sockaddr_un addr;
	socklen_t alen;
	int64_t interval_ms;     /* watchdog pings, 0: none */
	int64_t next_ms;         /* the next ping is due then */
	bool failed;             /* a send failed (logged once) */
};

/* Read and unset $NOTIFY_SOCKET, $WATCHDOG_USEC, $WATCHDOG_PID.  Returns
 * 0 (N->fd -1 when there is nothing to notify), or -1 with E set when
 * $NOTIFY_SOCKET is unusable. */
int notify_init(struct notify *n, int64_t now_ms, struct wj_err *e);
void notify_close(struct notify *n);
/* Send MSG (e.g. "READY=1\nSTATUS=..."); a failure is logged once. */
void notify_send(struct notify *n, const char *msg);
/* Ping the watchdog if a ping is due at NOW_MS. */
void notify_watchdog(struct notify *n, int64_t now_ms);
/* Milliseconds until the next ping is due, -1 if never. */
int notify_timeout(const struct notify *n, int64_t now_ms);

#endif
