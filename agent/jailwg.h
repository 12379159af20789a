/* A jail's WireGuard config: the main file plus one drop-in per peer.
 *
 *   CONFDIR/NAME/IF.conf          [Interface] and hand-written [Peer]s
 *                                 (comments and hand edits kept)
 *   CONFDIR/NAME/IF.peers/        0700: the peers `wgjail peer add` made
 *   CONFDIR/NAME/IF.peers/HEX.conf
 *                                 0600, exactly one [Peer] section, HEX the
 *                                 64 lower-case hex digits of its PublicKey
 *   CONFDIR/NAME/IF.peers/.aip/   the allowed-IP index (agent/aipidx.h),
 *                                 derived data
 *
 * Only names of exactly 64 lower-case hex digits + ".conf" are drop-ins;
 * everything else in IF.peers/ (temporary files of a writer, .aip/, an
 * editor's backup) is ignored.  One file per peer makes `peer add` and
 * `peer remove` O(1): a small file written or unlinked atomically, never a
 * rewrite of every peer.
 *
 * The paths and names are agent/jailwg_path.h (below the loader, which
 * checks the peers' names: agent/peername.h).
 *
 * jailwg_load is the one reader: the main file and every drop-in in name
 * order, each parsed with the real parser (wg/config.h), merged into one
 * device.  Errors name the file and line. */
#ifndef WGJAIL_JAILWG_H
#define WGJAIL_JAILWG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/jailwg_path.h"
#include "keys/keys.h"
#include "wg/model.h"

struct wj_err;

/* Parse drop-in PATH (TEXT[0..LEN)) whose name says KEY: exactly one
 * [Peer] section, no [Interface], PublicKey = KEY. */
int jailwg_parse_dropin(const char *text, size_t len, const char *path, const uint8_t key[WG_KEY_LEN],
			struct wg_device **out, struct wj_err *e);
/* Read and parse drop-in DIR/HEX.conf of KEY.  0 and *OUT, or -1.  *MISSING
 * (may be NULL) set if the file is not there (then E is set too). */
int jailwg_read_dropin(const char *dir, const uint8_t key[WG_KEY_LEN], struct wg_device **out, bool *missing,
		       struct wj_err *e);

/* Read and parse a jail's main file PATH (a regular file, never through a
 * symbolic link or a FIFO: util/safefile.h). */
int jailwg_load_main(const char *path, struct wg_device **out, struct wj_err *e);
/* The merged config of MAIN (must exist) and DIR (may be missing).  A key
 * listed both in the main file and in a drop-in is an error naming both. */
int jailwg_load_paths(const char *main_path, const char *dir, struct wg_device **out, struct wj_err *e);
/* Same for jail JAIL whose interface is IFNAME. */
int jailwg_load(const char *jail, const char *ifname, struct wg_device **out, struct wj_err *e);

/* The drop-ins' keys in name order (heap array of N keys, caller frees);
 * a missing DIR gives none. */
int jailwg_list(const char *dir, uint8_t (**keys)[WG_KEY_LEN], size_t *n, struct wj_err *e);

/* Parse every drop-in of DIR in name order and call FN with each (the
 * device holds the one peer; FN may take its parts, the device is freed
 * after).  A drop-in removed meanwhile is skipped; FN < 0 stops.  If
 * LENIENT, a drop-in that cannot be read or parsed is skipped too (the
 * allowed-IP index: the loader reports it). */
typedef int (*jailwg_fn)(void *arg, const char *dir, const uint8_t key[WG_KEY_LEN], struct wg_device *one,
			 struct wj_err *e);
int jailwg_foreach(const char *dir, bool lenient, jailwg_fn fn, void *arg, struct wj_err *e);

/* Remove the temporary files that killed writers of drop-ins left in DIR
 * (HEX.conf.tmpXXXXXX; they may hold PSKs).  Only under the jail's lock. */
void jailwg_remove_stale_temps(const char *dir);

/* Make DIR (0700) if missing. */
int jailwg_mkdir(const char *dir, struct wj_err *e);
/* fsync directory DIR (after an unlink). */
int jailwg_sync_dir(const char *dir, struct wj_err *e);

#endif
