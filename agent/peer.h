/* Peers and keys of a jail on a running box: the operations behind
 * `wgjail peer add/remove/list`, `wgjail rotate` and
 * `wgjail export --generate-remote-key`.
 *
 * Every change follows the same steps:
 *   validate the request (the command edge does the syntax) ->
 *   lock CONFDIR/JAIL/.lock -> read and parse CONFDIR/JAIL/IF.conf ->
 *   check the request against it -> edit the text with wg/conf_edit.h
 *   (comments and unknown lines kept) -> parse the result with the real
 *   parser and check that it says exactly what was meant -> replace the
 *   file atomically (0600) -> apply only that change to the live interface
 *   (one backend set, no read-back: the cost does not grow with the number
 *   of peers) -> unlock.
 * A crash at any point leaves the file as it was before or after.
 *
 * "Live" means: the jail's network namespace /run/netns/JAIL exists (the
 * jail is up, `wgjail up`).  Without it only the file changes, and the
 * result says so; the change applies at the next `wgjail up`. */
#ifndef WGJAIL_PEER_H
#define WGJAIL_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <limits.h>

#include "util/strutil.h"
#include "keys/keys.h"
#include "wg/model.h"

struct wj_err;

/* Called once a change is checked, just before it is written: a command
 * that hands a secret over prints it here, and checks that its output
 * took it (cmd_output_done).  A failure cancels the change: nothing is
 * written, so a secret printed nowhere is never the only copy of a key.
 * P is the peer as it will be written. */
struct peer_commit_hook {
	int (*fn)(void *arg, const struct wg_peer *p, struct wj_err *e);
	void *arg;
};

struct peer_add_req {
	uint8_t public_key[WG_KEY_LEN];
	struct wg_ipmask *aips; /* masked */
	size_t n_aips;
	const char *endpoint;   /* "host:port" / "[v6]:port", NULL if none */
	int keepalive;          /* -1 = not given, else 0..65535 */
	bool has_psk;
	uint8_t psk[WG_KEY_LEN]; /* caller wipes */
	bool force;             /* allow allowed IPs already routed to another peer */
	const struct peer_commit_hook *hook; /* may be NULL */
};

/* What happened to the live interface. */
struct peer_outcome {
	bool written;         /* the change is in the configuration */
	bool live;            /* applied to the running interface */
	char ifname[16];
	char path[4096];      /* the config file that was written or read */
};

int peer_add(const char *jail, const struct peer_add_req *req, struct peer_outcome *out, struct wj_err *e);
int peer_remove(const char *jail, const uint8_t key[WG_KEY_LEN], struct peer_outcome *out, struct wj_err *e);

/* New interface private key: persisted first, then applied.  PUB gets the
 * new public key. */
int peer_rotate_key(const char *jail, uint8_t pub[WG_KEY_LEN], struct peer_outcome *out, struct wj_err *e);
/* New PSK for peer KEY: persisted, then applied.  PSK gets it (caller
 * wipes). */
int peer_rotate_psk(const char *jail, const uint8_t key[WG_KEY_LEN], uint8_t psk[WG_KEY_LEN],
		    const struct peer_commit_hook *hook, struct peer_outcome *out, struct wj_err *e);
/* Replace peer OLD's public key by NEW in the config (the peer keeps its
 * allowed IPs, endpoint, PSK, keepalive and comments) and on the live
 * interface (old peer removed, new one added).  A drop-in is written
 * under the new name, then the old one removed, journalled
 * (agent/jailtx.h): a kill in between never leaves both. */
int peer_replace_key(const char *jail, const uint8_t old[WG_KEY_LEN], const uint8_t new_key[WG_KEY_LEN],
		     const struct peer_commit_hook *hook, struct peer_outcome *out, struct wj_err *e);

/* The jail's config parsed (no lock needed: the file is replaced
 * atomically), with live handshake and transfer counters merged in when
 * WANT_LIVE and the jail is up (*LIVE set).  Caller frees *DEV. */
int peer_load(const char *jail, bool want_live, struct wg_device **dev, bool *live, struct peer_outcome *out,
	      struct wj_err *e);

/* Does peer NEW route an address that peer OTHER already routes?  Same
 * prefix, or NEW inside a prefix of OTHER other than a default route (/0).
 * Returns the index of the first conflicting entry of NEW_AIPS (and of
 * OTHER's in *OTHER_IDX), or -1. */
long peer_aip_conflict(const struct wg_ipmask *new_aips, size_t n_new, const struct wg_peer *other,
		       size_t *other_idx);

/* The fast pre-check of peer_add (agent/peer_scan.c): one pass over the
 * config text.  DUP: a [Peer] has the key; OWN: it is the interface's own
 * key; CONFLICT: an allowed IP conflicts (peer_aip_conflict) unless
 * req->force.  Line ends counted for the new lines' style. */
struct peer_scan {
	bool dup, own, conflict;
	size_t n_crlf, n_lf;
};
int peer_scan_for_add(const char *text, size_t len, const struct peer_add_req *req, struct peer_scan *r);

/* ---- live part (agent/peer_live.c) ---- */

/* Where a jail's interface is reached (agent/jailcall.h). */
struct peer_target {
	char jail[WJ_JAIL_NAME_MAX + 1];
	char ifname[WJ_IFNAME_MAX + 1]; /* the interface's name inside the jail */
};

/* Is JAIL running here (the platform's is_up, agent/platform.h)?  1 and
 * *T filled if so, 0 if not, -1 on error.  On Linux: its namespace
 * /run/netns/JAIL exists (`wgjail up`, or made with ip-netns(8)); on
 * FreeBSD: jail(8) runs it. */
struct jail_spec;
int peer_jail_target(const struct jail_spec *s, struct peer_target *t, struct wj_err *e);
/* Apply CHANGES to the device at T with one backend set, no read-back.
 * Hostname endpoints are resolved first, in the caller's namespace (its
 * resolver configuration). */
int peer_live_set(const struct peer_target *t, struct wg_device *changes, struct wj_err *e);
/* Read the device at T (full get, for listing). */
int peer_live_get(const struct peer_target *t, struct wg_device **out, struct wj_err *e);

/* "a.b.c.d[/n]" in S[0..N), strict decimal (no leading zeros), not
 * masked: the common case of AllowedIPs, without inet_pton.  -1 for
 * anything else (the caller then uses wg_ipmask_parse). */
int peer_v4_fast(const char *s, size_t n, struct wg_ipmask *m);

#endif
