/* `peer add` without --allowed-ips: the new peer's tunnel addresses, one
 * host address in each of the jail's tunnel networks (agent/alloc.h for
 * the rule), checked against the drop-ins' allowed-IP index and the main
 * file's peers.  Under the jail's lock, the index current. */
#ifndef WGJAIL_PEER_ALLOC_H
#define WGJAIL_PEER_ALLOC_H

#include <stddef.h>

#include "agent/jailspec.h"
#include "wg/model.h"

struct wj_err;

struct peer_alloc {
	char state[PATH_MAX];                 /* CONFDIR/JAIL/.IF.alloc */
	struct wg_ipmask net[JAIL_MAX_ADDRS];  /* the networks (host bits: the jail's own address) */
	struct wg_ipmask got[JAIL_MAX_ADDRS];  /* the addresses handed out */
	size_t n;
};

/* Addresses for a new peer of JAIL (SPEC; main file MAIN_PATH read as
 * TEXT[0..LEN), its parse MAIN or NULL; drop-ins in DIR) into *A.  An
 * error names the full network, or says the jail has no tunnel network. */
int peer_alloc_run(const char *jail, const struct jail_spec *spec, const char *main_path, const char *text,
		   size_t len, const struct wg_device *main, const char *dir, struct peer_alloc *a, struct wj_err *e);
/* Record the marks (just before the peer is written). */
void peer_alloc_commit(const struct peer_alloc *a);

#endif
