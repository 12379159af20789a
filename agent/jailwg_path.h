/* Where a jail's WireGuard files are, and what they are called
 * (agent/jailwg.h describes the layout): pure names, for the loader
 * (agent/jailwg.c), the journal (agent/jailtx_journal.c) and the error
 * messages of agent/peername.c, none of which it calls. */
#ifndef WGJAIL_JAILWG_PATH_H
#define WGJAIL_JAILWG_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

struct wj_err;

#define JAILWG_DROPIN_NAME_LEN (2 * WG_KEY_LEN + 5) /* HEX.conf */

/* CONFDIR/NAME/IF.conf and CONFDIR/NAME/IF.peers. */
int jailwg_main_path(char *buf, size_t sz, const char *jail, const char *ifname, struct wj_err *e);
int jailwg_dir_path(char *buf, size_t sz, const char *jail, const char *ifname, struct wj_err *e);
/* Is NAME (an entry of a jail's directory) a peer directory "IF.peers"? */
bool jailwg_is_dir_name(const char *name);

/* "HEX.conf" for KEY (OUT: JAILWG_DROPIN_NAME_LEN + 1 bytes). */
void jailwg_dropin_name(char *out, const uint8_t key[WG_KEY_LEN]);
/* DIR/HEX.conf. */
int jailwg_dropin_path(char *buf, size_t sz, const char *dir, const uint8_t key[WG_KEY_LEN], struct wj_err *e);
/* Is NAME a drop-in's name?  If so, and KEY is not NULL, its key. */
bool jailwg_is_dropin_name(const char *name, uint8_t key[WG_KEY_LEN]);

#endif
