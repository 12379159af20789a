/* Peers by name (the "# Name = " comment of wg/peer_meta.h).
 *
 * A name is unique per jail (main file and drop-ins together), so every
 * command that takes a peer's key also takes its name: an argument that is
 * a valid key is a key, anything else is a name.  Drop-in peers are found
 * through the allowed-IP index's name links (agent/aipidx.h: O(1)); the
 * main file's hand-written peers by parsing it (it is small).
 * agent/peername.c checks uniqueness (for the loader, agent/jailwg.c);
 * agent/peername_find.c finds a name (above the loader and its index). */
#ifndef WGJAIL_PEERNAME_H
#define WGJAIL_PEERNAME_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"
#include "wg/model.h"

struct wj_err;

/* No two peers of DEV (N_MAIN first from MAIN_PATH, the others drop-ins
 * of DIR) share a name; the error names both places. */
int peername_check_unique(const struct wg_device *dev, size_t n_main, const char *main_path, const char *dir,
			  struct wj_err *e);

/* Under the jail's lock, the index current (aipidx_ensure): the peer
 * called NAME, looked for in MAIN (the main file's peers, may be NULL)
 * and DIR's index.  1 and *KEY, 0 if none, -1 on error. */
int peername_lookup(const struct wg_device *main, const char *dir, const char *name, uint8_t key[WG_KEY_LEN],
		    struct wj_err *e);

/* ARG (a command line's peer) as a key: a base64 key as is, else the
 * name of one of JAIL's peers (takes the jail's lock for the lookup).
 * Errors name the jail and quote ARG. */
int peername_resolve(const char *jail, const char *arg, uint8_t key[WG_KEY_LEN], struct wj_err *e);

#endif
