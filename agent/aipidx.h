/* The allowed-IP index of a jail's peer drop-ins (agent/jailwg.h), so that
 * `peer add` checks a new peer's allowed IPs without reading every peer.
 *
 * DIR/.aip/ holds one symbolic link per (masked) prefix of a drop-in peer,
 * named "4-10.0.0.0_24" or "6-fd00::_64" and pointing at the owner's key in
 * hex (its drop-in is DIR/HEX.conf).  Checking a prefix p/len looks up
 * mask(p, L)/L for L = len down to 1 (and /0 itself when len is 0): at most
 * 33 lookups for IPv4, 129 for IPv6, whatever the number of peers.
 *
 * The index is derived data, never the truth:
 *   - a link whose drop-in is missing or no longer lists that prefix is
 *     stale (a crash between the link and the drop-in, a hand edit): it is
 *     ignored, and replaced when needed;
 *   - DIR/.aip/.stamp records the identity and mtime of DIR after wgjail's
 *     last change; if DIR changed since (a drop-in added, removed or
 *     replaced by hand), or .aip/ is missing, aipidx_ensure rebuilds the
 *     index from the drop-ins (O(N), once) and removes the temporary
 *     files of killed writers; a drop-in that does not parse is left out
 *     (the loader reports it);
 *   - a prefix may be routed to one peer only, but `peer add --force` can
 *     list it twice; the link names the last owner and DIR/.aip/.shared
 *     marks that the index has fewer owners than the drop-ins, so that the
 *     next `peer remove` rebuilds it.
 * Every function here must be called under the jail's edit lock. */
#ifndef WGJAIL_AIPIDX_H
#define WGJAIL_AIPIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"
#include "wg/model.h"

struct wj_err;

/* "4-10.0.0.0_24" for the masked M (OUT: at least 64 bytes). */
void aipidx_name(char *out, size_t sz, const struct wg_ipmask *m);

/* Rebuild the index of DIR if it is missing or out of date.  A missing
 * DIR has nothing to index.  *REBUILT (may be NULL) says whether it did. */
int aipidx_ensure(const char *dir, bool *rebuilt, struct wj_err *e);
/* Rebuild it unconditionally. */
int aipidx_rebuild(const char *dir, struct wj_err *e);

/* A drop-in peer that routes one of AIPS[0..N) (masked) already (same
 * prefix, or a non-/0 prefix around it: peer_aip_conflict's rule).
 * Returns 1 and fills *HIT, 0 if none, -1 on error. */
struct aipidx_hit {
	size_t idx;                 /* the entry of AIPS */
	struct wg_ipmask theirs;    /* the owner's prefix */
	uint8_t owner[WG_KEY_LEN];
	unsigned line;              /* the owner's [Peer] line in its drop-in */
};
int aipidx_find(const char *dir, const struct wg_ipmask *aips, size_t n, struct aipidx_hit *hit,
		struct wj_err *e);

/* Index AIPS[0..N) as KEY's (existing links replaced).  The links must
 * be durable before the drop-in they describe: with SYNC_FD NULL the .aip
 * directory is fsync'd here; else *SYNC_FD gets it open, for the caller to
 * fsync (and close) before the drop-in's rename (wj_write_atomic_with:
 * with the drop-in's own fsync, one flush of the disk instead of two). */
int aipidx_add(const char *dir, const uint8_t key[WG_KEY_LEN], const struct wg_ipmask *aips, size_t n,
	       int *sync_fd, struct wj_err *e);
/* Remove the links of AIPS[0..N) that point at KEY (the others are
 * another peer's); rebuilds instead if .aip/.shared is there. */
int aipidx_remove(const char *dir, const uint8_t key[WG_KEY_LEN], const struct wg_ipmask *aips, size_t n,
		  struct wj_err *e);
/* Peer names (wg/peer_meta.h) are indexed too, as links "n-NAME" -> HEX
 * (names never start a prefix's "4-"/"6-"), with the same rules: believed
 * only if the drop-in still has that name.  aipidx_name_find: 1 and *KEY,
 * 0 if no drop-in has NAME, -1 on error. */
int aipidx_name_find(const char *dir, const char *name, uint8_t key[WG_KEY_LEN], struct wj_err *e);
/* (Not synced: call it before aipidx_add, whose fsync makes it durable.) */
int aipidx_name_set(const char *dir, const uint8_t key[WG_KEY_LEN], const char *name, struct wj_err *e);
/* Remove the link of NAME if it points at KEY. */
void aipidx_name_unset(const char *dir, const uint8_t key[WG_KEY_LEN], const char *name);

/* Record DIR as it is now (after wgjail's own change). */
void aipidx_stamp(const char *dir);

#endif
