/* The derived stores: what wgjail keeps beside the truth (the files in
 * CONFDIR and the devices) only to go faster.  Each is derived again when
 * it is missing, so forgetting one costs time, never correctness; keeping
 * one that no longer describes what it was derived from would be a bug.
 * This is the one list of them and of the events that make them stale: a
 * new store is a row in util/stores.c, and every place where such an
 * event happens calls wj_stores_forget.
 *
 *   store                      path (util/paths.h)                forgotten on
 *   record of the last sync    STATEDIR/applied/NS[-H]-IF[,lock]  DOWN, DEVICE_SET
 *   endpoint memory            STATEDIR/endpoints/NS[-H]-IF       DOWN
 *   main file that parsed      CONFDIR/NAME/.IF.conf.parsed       RENAMED
 *   allowed-IP index's stamp   CONFDIR/NAME/IF.peers/.aip/.stamp  DROPINS_MOVED
 *
 * The records that say what wgjail did, so that it can be undone, are no
 * derived stores and never forgotten this way: STATEDIR/jails/NAME/ (what
 * `up` made; removed by `down` once it is undone, agent/jailstate.h),
 * STATEDIR/bridges/BRIDGE[.added] (what `up` did to a bridge that jails
 * share; removed when the last jail leaves it), CONFDIR/NAME/.pubkey (the
 * key a jail had, agent/keyguard.h; only an operator removes it). */
#ifndef WGJAIL_STORES_H
#define WGJAIL_STORES_H

#include <stdbool.h>

enum wj_store_event {
	/* A jail was taken down: its interface IFNAME in the network
	 * namespace NS (every interface, IFNAME NULL: the namespace itself)
	 * is gone. */
	WJ_FORGET_DOWN = 1u << 0,
	/* IFNAME of this namespace is changed by anything but `sync`'s own
	 * record (peer add/remove, rotate, the agent, `up`). */
	WJ_FORGET_DEVICE_SET = 1u << 1,
	/* A jail's interface files were renamed (`create --interface`):
	 * what was kept under the old name IFNAME. */
	WJ_FORGET_RENAMED = 1u << 2,
	/* Drop-ins of PEERS_DIR move under the allowed-IP index (a key
	 * replaced): it is rebuilt at its next use. */
	WJ_FORGET_DROPINS_MOVED = 1u << 3,
};

struct wj_store_scope {
	const char *jail;
	const char *ifname;
	unsigned long long ns;  /* DOWN: the namespace's inode */
	const char *peers_dir;  /* DROPINS_MOVED */
};

/* Forget every store that EVENT makes stale in S (best effort: a store
 * that cannot be removed is one nobody can use either). */
void wj_stores_forget(enum wj_store_event event, const struct wj_store_scope *s);

#endif
