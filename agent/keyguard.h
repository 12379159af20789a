/* A jail's private key is never lost nor replaced behind the operator's
 * back.
 *
 * wgjail makes a key in three places only: `create` of a jail that has
 * none, `rotate`, and first boot (`boot`, the agent) for a jail whose
 * config has none.  First boot is for a jail that has never had a key and
 * is not running: a config that lost its key (deleted, the line removed,
 * `PrivateKey = generate` written over it) is a broken file, reported with
 * file:line; a running jail keeps running with the key it has.
 *
 * "Has had a key" is recorded: CONFDIR/NAME/.pubkey holds the public key
 * of the jail's private key, written when wgjail makes a key or first sees
 * one (it is not secret).  Removing it, with the jail down, is how an
 * operator says "start over with a new key". */
#ifndef WGJAIL_KEYGUARD_H
#define WGJAIL_KEYGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

struct wj_err;
struct wg_device;

/* 1 and PUB if jail NAME has a recorded key, 0 if not. */
int keyguard_recorded(const char *name, uint8_t pub[WG_KEY_LEN]);
/* Record PUB as jail NAME's key (atomic write, under the jail's lock). */
int keyguard_record(const char *name, const uint8_t pub[WG_KEY_LEN], struct wj_err *e);
/* Record the key of DEV (a parsed config) unless one is recorded already;
 * failures are ignored (the record is a safeguard, not a dependency). */
void keyguard_note(const char *name, const struct wg_device *dev);

/* May a first key be made for jail NAME, whose main file PATH is missing
 * (TEXT NULL) or has no usable PrivateKey (TEXT[0..LEN))?  Not if the jail
 * had a key, nor, for a jail that EXISTS (has a spec), if it is running.
 * 0 if so; -1 with E naming PATH (and the line of PrivateKey) and why not. */
int keyguard_first_key(const char *name, const char *path, const char *text, size_t len, bool exists,
		       struct wj_err *e);

/* Is jail NAME running on this host (the platform says it is up, or `up`
 * left state for it)?  A running jail's key is never replaced behind the
 * operator's back. */
bool jail_is_running(const char *name);

#endif
