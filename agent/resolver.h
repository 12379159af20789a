/* Host names, resolved for the agent by a process of their own.
 *
 * Privilege separation in the style of OpenBSD's daemons: the agent holds
 * every jail's private key and runs as root, so it never resolves a name
 * itself.  At start it exec's a fresh copy of its own binary as the
 * resolver (`wgjail _resolver`, agent/resolver_child.c), which chroots
 * into RUNDIR/resolver, becomes an unprivileged user and answers over a
 * socketpair (agent/resolver_proto.h).  Being exec'd, never merely
 * forked, it has no byte of the agent's memory: no key.  The agent keeps
 * copies of the host's resolver files in RUNDIR/resolver/etc (resolv.conf,
 * hosts, gai.conf, host.conf; refreshed when the host's change, checked at
 * most once a second) and an nsswitch.conf of its own ("hosts: files
 * dns": the sources libc has built in).
 *
 * The agent side never blocks: a name it has no answer for is asked and
 * the caller is told "not yet"; the answer arrives through the loop
 * (resolver_fd).  Answers are cached per endpoint text ("host:port");
 * the last good address is kept through later failures, so that a DNS
 * outage never takes a working peer away.  At most RSV_INFLIGHT requests
 * are outstanding; the others queue.  A resolver that dies, closes its
 * end, breaks the protocol, fails to start or does not answer a request
 * within RSV_TIMEOUT_MS is killed if need be, logged, counted and
 * started again (at once the first time, then after a delay that doubles
 * up to a minute while it keeps dying young); the requests it held fail
 * as temporary and are asked again by whoever needs them. */
#ifndef WGJAIL_RESOLVER_H
#define WGJAIL_RESOLVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "agent/resolver_proto.h"
#include "wg/model.h"

struct wj_err;

#define RSV_INFLIGHT 16
#define RSV_TIMEOUT_MS 60000

/* What is known of one endpoint text. */
struct rsv_entry {
	char *name;               /* "host:port" as written */
	bool answered;            /* an answer came (SEQ, WHEN, OK are meaningful) */
	bool ok;                  /* the last answer was an address */
	bool have_addr;           /* ADDR: the last good address (kept through failures) */
	bool inflight, queued, used;
	int code;                 /* last answer failed: EAGAIN (temporary) or ENOENT */
	union wg_sockaddr addr;
	char error[512];          /* last answer failed: why (names the endpoint) */
	uint64_t seq;             /* resolver_seq() of its last answer, 0 none */
	time_t when;              /* wall-clock time of its last answer */
	int64_t sent_ms;          /* in flight since (monotonic ms) */
	uint32_t id;              /* in flight: the request's id */
};

struct resolver;

/* Prepare RUNDIR/resolver and start the resolver process.  NULL with E set
 * only when nothing can work (no memory, the directory cannot be made,
 * the executable cannot be opened); a process that fails to start is
 * logged and started again later. */
struct resolver *resolver_new(const char *rundir, struct wj_err *e);
/* Stop it (closing the socket ends it) and free everything. */
void resolver_free(struct resolver *r);

/* The descriptor to poll for input, -1 while there is no process. */
int resolver_fd(const struct resolver *r);
/* Read what the process sent (call when resolver_fd() is readable or hung
 * up). */
void resolver_read(struct resolver *r);
/* Start or restart the process when due, time requests out, send what
 * waits.  Returns the number of ms until it needs calling again, -1 if
 * only on input. */
int resolver_tick(struct resolver *r, int64_t now_ms);
/* The agent reaped PID with STATUS: true if it was (a) resolver. */
bool resolver_reaped(struct resolver *r, pid_t pid, int status);

/* What is known of NAME (NULL: nothing yet). */
const struct rsv_entry *resolver_get(struct resolver *r, const char *name);
/* Ask (again) for NAME, unless a request for it is already on its way. */
void resolver_ask(struct resolver *r, const char *name);
/* The number of answers received so far: an entry whose SEQ is above a
 * number a caller remembered was answered since. */
uint64_t resolver_seq(const struct resolver *r);
/* Forgetting names no peer uses any more: mark each name in use, then
 * sweep (names on their way stay). */
void resolver_mark(struct resolver *r, const char *name);
void resolver_sweep(struct resolver *r);

long resolver_pid(const struct resolver *r);         /* 0 if none */
unsigned resolver_restarts(const struct resolver *r); /* times it was started again */

/* The hook for wg_resolve_endpoint (wg/resolve.h), ARG the resolver: the
 * last good address if there is one; else the last error; else ask, and
 * fail with EINPROGRESS. */
int resolver_hook(const char *text, union wg_sockaddr *out, struct wj_err *e, void *arg);

#endif
