/* When to re-resolve a peer's hostname endpoint (the agent).
 *
 * As wireguard-tools' contrib/reresolve-dns does, a peer whose endpoint is
 * written as a host name is re-resolved when its latest handshake is older
 * than AFTER seconds (default 135: REKEY_AFTER_TIME 120 + REKEY_TIMEOUT 5
 * + slack; a peer that talks handshakes at least every 120 s) or never
 * happened; and, whatever its handshake, once after the host's uplink
 * came up or changed address (rr_trigger).  Attempts on one peer back off:
 * the first is made at once, the next after MIN seconds, then twice as
 * long each time up to MAX; a handshake resets it, and so does a trigger
 * (a name that failed while the uplink was down is tried again as soon as
 * it is up, but never twice within MIN seconds, so a flapping link does
 * not flood the resolver).  This module only schedules (pure, no clock,
 * no resolver); the agent resolves and sends the single-peer change.
 * Peers are found by a hash of jail and key: the agent asks for every
 * host-name peer at every check. */
#ifndef WGJAIL_RERESOLVE_H
#define WGJAIL_RERESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/strutil.h"
#include "keys/keys.h"

struct wg_peer;

struct rr_params {
	unsigned after;       /* $WGJAIL_RERESOLVE_AFTER, default 135 s */
	unsigned backoff_min; /* $WGJAIL_RERESOLVE_BACKOFF_MIN, default 15 s */
	unsigned backoff_max; /* $WGJAIL_RERESOLVE_BACKOFF_MAX, default 600 s */
};
void rr_params_default(struct rr_params *p);

/* true if TEXT ("host:port") names its host by name rather than by a
 * numeric address: only those are worth re-resolving. */
bool rr_endpoint_is_name(const char *text);

/* true if a handshake at LAST_HANDSHAKE (seconds since the epoch, 0 =
 * never) is older than P->after at NOW. */
bool rr_handshake_stale(int64_t last_handshake, time_t now, const struct rr_params *p);

struct rr_entry {
	char jail[WJ_JAIL_NAME_MAX + 1];
	uint8_t key[WG_KEY_LEN];
	time_t next;      /* no attempt before this */
	time_t last;      /* the last attempt, 0 none */
	unsigned backoff; /* the delay after the next attempt */
	bool seen;        /* marked by rr_mark, for rr_sweep */
	uint64_t asked;   /* the agent's: an answer newer than this is awaited (0: none) */
};

struct rr_sched {
	struct rr_entry *v;
	size_t n, cap;
	uint32_t *idx;    /* open addressing: position in V + 1, 0 empty */
	size_t icap;
	time_t trigger;   /* the last rr_trigger, 0 none */
	unsigned char hkey[16];
};

void rr_init(struct rr_sched *s);
void rr_free(struct rr_sched *s);

/* Should peer KEY of JAIL, whose latest handshake is LAST_HANDSHAKE, be
 * re-resolved at NOW?  A fresh handshake resets the peer's back-off. */
bool rr_due(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN], int64_t last_handshake,
	    time_t now, const struct rr_params *p);
/* An attempt was made at NOW (whatever its outcome): schedule the next.
 * Returns -1 on allocation failure (the peer is then retried next time). */
int rr_attempted(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN], time_t now,
		 const struct rr_params *p);
/* The host's uplink came up or changed address at NOW: every peer is due
 * once more (whatever its handshake), not earlier than MIN seconds after
 * its last attempt; back-offs start again from MIN. */
void rr_trigger(struct rr_sched *s, time_t now, const struct rr_params *p);
/* The entry of peer KEY of JAIL, NULL if it has none (no attempt yet). */
struct rr_entry *rr_find(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN]);

/* Forgetting peers that are gone: rr_mark each peer that still exists,
 * then rr_sweep(JAIL) drops JAIL's unmarked entries (JAIL NULL: every
 * jail's).  Keeps memory flat under churn. */
void rr_mark(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN]);
void rr_sweep(struct rr_sched *s, const char *jail);

#endif
