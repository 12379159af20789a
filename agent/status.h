/* Health of the jails, as the agent sees them: per jail its interface and
 * state, per peer its public key, endpoint, handshake age, bytes and a
 * verdict ok / stale / down.  Rendered as JSON (schema in wgjail(8),
 * STATUS FILE) and written atomically to RUNDIR/status.json, so a reader
 * sees the previous file or the next one, never a part.  No secret is ever
 * part of it (the private key and PSKs are not rendered). */
#ifndef WGJAIL_STATUS_H
#define WGJAIL_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "util/err.h"
#include "util/strutil.h"
#include "wg/model.h"

struct jail_spec;

/* Verdict on one peer, from its latest handshake:
 *   ok     a handshake within the last STALE seconds (default 180: a
 *          WireGuard session key is used for at most 180 s, so a peer that
 *          talks handshakes at least that often);
 *   stale  a handshake, older than STALE but not older than DOWN seconds;
 *   down   no handshake since the interface came up, or older than DOWN
 *          seconds (default 600). */
enum peer_health { PEER_OK, PEER_STALE, PEER_DOWN };

struct health_limits {
	unsigned stale_after; /* seconds; $WGJAIL_STALE_AFTER, default 180 */
	unsigned down_after;  /* seconds; $WGJAIL_DOWN_AFTER, default 600 */
};
void health_limits_default(struct health_limits *l);
enum peer_health peer_health(const struct wg_peer *p, time_t now, const struct health_limits *l);
const char *peer_health_name(enum peer_health h);

/* State of one jail, as the agent saw it last. */
enum jail_state_kind { JAIL_UP, JAIL_DOWN, JAIL_ERROR };

/* The resolution of a peer whose endpoint is a host name. */
struct status_resolution {
	uint8_t key[WG_KEY_LEN];
	const char *endpoint;    /* as written */
	const char *state;       /* "ok", "pending" (no answer yet), "failed" (the last answer) */
	const char *error;       /* state "failed": why */
	time_t when;             /* the last answer, 0 none */
};

struct status_jail {
	char name[WJ_JAIL_NAME_MAX + 1];
	char ifname[WJ_IFNAME_MAX + 1];
	enum jail_state_kind state;
	char message[WJ_ERR_MAX];   /* last error or note, "" if none */
	const struct wg_device *dev; /* device as read, NULL if unreadable */
	unsigned restarts;          /* times the agent brought it back after its daemon died */
	const struct jail_spec *spec; /* its spec, NULL if unreadable: nat, published, host_link */
	uint64_t reconciles, reconcile_failures, resolution_failures;
	time_t last_ok;             /* the last successful reconcile, 0 none */
	const struct status_resolution *res;
	size_t n_res;
};

/* The agent itself. */
struct status_agent {
	long pid, resolver_pid;      /* resolver_pid 0: none running */
	time_t start;
	unsigned resolver_restarts;
};

/* The JSON text of the whole status (heap, NUL-terminated, *LEN bytes);
 * NULL on allocation failure.  AG may be NULL (no "agent" member). */
char *status_render(const struct status_jail *jails, size_t n, const struct status_agent *ag, time_t now,
		    const struct health_limits *l, size_t *len);
/* The "resolution" object of a jail: {"KEY": {"endpoint": ..., "state":
 * ..., "error": ... | null, "time": ... | null}, ...}. */
void status_render_resolution(FILE *f, const struct status_resolution *res, size_t n);

/* The run directory (util/paths.h: $WGJAIL_RUNDIR, else /var/run/wgjail). */
const char *status_rundir(void);
/* Write the rendered status to PATH atomically (mode 0644), creating its
 * directory.  Returns 0 or -1 with E set. */
int status_write(const char *path, const struct status_jail *jails, size_t n, const struct status_agent *ag,
		 time_t now, const struct health_limits *l, struct wj_err *e);

#endif
