/* Peers and keys of a jail on a running box: the operations behind
 * `wgjail peer add/remove/list`, `wgjail rotate` and
 * `wgjail export --generate-remote-key`.
 *
 * Each change is an operation on the jail's transaction (agent/jailtx.h:
 * lock, read, check, edit, re-parse, hand a secret over, write atomically,
 * apply only that change live, report): agent/peer_add.c,
 * agent/peer_remove.c, agent/peer_keys.c.  A crash at any point leaves the
 * files as they were before or after.
 *
 * "Live" means: the jail is running here (agent/jailctx.h).  Otherwise
 * only the files change, and the report says so; the change applies at
 * the next `wgjail up`. */
#ifndef WGJAIL_PEER_H
#define WGJAIL_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/jailtx.h"
#include "keys/keys.h"
#include "util/strutil.h"
#include "wg/model.h"

struct wj_err;

struct peer_add_req {
	uint8_t public_key[WG_KEY_LEN];
	struct wg_ipmask *aips; /* masked */
	size_t n_aips;
	const char *endpoint;   /* "host:port" / "[v6]:port", NULL if none */
	int keepalive;          /* -1 = not given, else 0..65535 */
	bool has_psk;
	uint8_t psk[WG_KEY_LEN]; /* caller wipes */
	bool force;             /* allow allowed IPs already routed to another peer */
	/* Issue 18.  NAME (NULL: none) must be free in the jail; EXPIRES: 0
	 * = never.  No AIPS: one address in each of the jail's tunnel
	 * networks is handed out (agent/peer_alloc.h), and listed in *GIVEN
	 * (may be NULL). */
	const char *name;
	int64_t expires;
	struct peer_add_given *given;
};

struct peer_add_given {
	struct wg_ipmask a[8];
	size_t n;
};

/* A new drop-in IF.peers/HEX.conf for the peer.  HOOK (may be NULL) gets
 * the peer as written (its PSK). */
int peer_add(const char *jail, const struct peer_add_req *req, const struct jailtx_hook *hook,
	     struct jailtx_report *out, struct wj_err *e);
/* Its drop-in, or its section(s) of the main file. */
int peer_remove(const char *jail, const uint8_t key[WG_KEY_LEN], struct jailtx_report *out, struct wj_err *e);

/* New interface private key: persisted first, then applied.  PUB gets the
 * new public key. */
int peer_rotate_key(const char *jail, uint8_t pub[WG_KEY_LEN], struct jailtx_report *out, struct wj_err *e);
/* New PSK for peer KEY: persisted, then applied.  PSK gets it (caller
 * wipes); HOOK hands it over first. */
int peer_rotate_psk(const char *jail, const uint8_t key[WG_KEY_LEN], uint8_t psk[WG_KEY_LEN],
		    const struct jailtx_hook *hook, struct jailtx_report *out, struct wj_err *e);
/* Replace peer OLD's public key by NEW in the config (the peer keeps its
 * allowed IPs, endpoint, PSK, keepalive and comments) and on the live
 * interface (old peer removed, new one added).  A drop-in is written
 * under the new name, then the old one removed, journalled
 * (agent/jailtx.h): a kill in between never leaves both. */
int peer_replace_key(const char *jail, const uint8_t old[WG_KEY_LEN], const uint8_t new_key[WG_KEY_LEN],
		     const struct jailtx_hook *hook, struct jailtx_report *out, struct wj_err *e);

/* The jail's config (main file and drop-ins) read under its lock, with
 * live handshake and transfer counters merged in when WANT_LIVE and the
 * jail is up (*LIVE set).  Caller frees *DEV. */
int peer_load(const char *jail, bool want_live, struct wg_device **dev, bool *live, struct jailtx_report *out,
	      struct wj_err *e);

/* Set or clear (VALUE NULL) peer KEY's comment mark KIND (enum
 * wg_meta_kind: disabled, expiry; wg/peer_meta.h) in its drop-in or its
 * section(s) of the main file, and bring the live interface in step: an
 * inactive peer is removed from it, an active one (re-)added with
 * everything the file says (so `peer enable` restores the same key and
 * addresses).  *ACTIVE says which (agent/peer_mark.c). */
int peer_set_mark(const char *jail, const uint8_t key[WG_KEY_LEN], int kind, const char *value, bool *active,
		  struct jailtx_report *out, struct wj_err *e);

/* Does peer NEW route an address that peer OTHER already routes?  Same
 * prefix, or NEW inside a prefix of OTHER other than a default route (/0).
 * Returns the index of the first conflicting entry of NEW_AIPS (and of
 * OTHER's in *OTHER_IDX), or -1. */
long peer_aip_conflict(const struct wg_ipmask *new_aips, size_t n_new, const struct wg_peer *other,
		       size_t *other_idx);

/* A change-set copy of peer P (everything the file says about it), with
 * the flags EXTRA, added to CH. */
int peer_copy_change(struct wg_device *ch, const struct wg_peer *p, uint32_t extra, struct wj_err *e);
/* A change set entry that removes peer KEY from the device. */
int peer_remove_change(struct wg_device *ch, const uint8_t key[WG_KEY_LEN], struct wj_err *e);

/* In transaction T: read peer KEY's file (its drop-in or the main file),
 * hand each of its [Peer] sections (normally one) to FN, and render the
 * result for the caller's read-back (jailtx_render); FN may move B's end
 * (the search goes on after it).  The in-place edits
 * of `rotate --peer` and `peer disable/enable/expire`.  Errors name the
 * file and the key. */
typedef int (*peer_section_fn)(struct conf_doc *doc, struct conf_block *b, void *arg, struct wj_err *e);
int peer_edit_sections(struct jailtx *t, const uint8_t key[WG_KEY_LEN], peer_section_fn fn, void *arg,
		       struct wj_err *e);

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
 * resolver configuration).  Called by jailtx_follow only (agent/jailtx.h:
 * a transaction's apply, and the agent's expiry, agent/expiry.h), which
 * keeps the jail's own copies of its files in step first. */
int peer_live_set(const struct peer_target *t, struct wg_device *changes, struct wj_err *e);
/* Read the device at T (full get, for listing). */
int peer_live_get(const struct peer_target *t, struct wg_device **out, struct wj_err *e);
/* The same in two steps (agent/jailcall.h's jail_dev_get_start): a start
 * that returned 0 is always finished. */
struct jail_call;
int peer_live_get_start(const struct peer_target *t, struct jail_call *c, struct wj_err *e);
int peer_live_get_finish(const struct peer_target *t, struct jail_call *c, struct wg_device **out, struct wj_err *e);

/* "a.b.c.d[/n]" in S[0..N), strict decimal (no leading zeros), not
 * masked: the common case of AllowedIPs, without inet_pton.  -1 for
 * anything else (the caller then uses wg_ipmask_parse). */
int peer_v4_fast(const char *s, size_t n, struct wg_ipmask *m);

#endif
