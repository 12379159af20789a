/* Where wgjail keeps everything, decided here and nowhere else.  An empty
 * variable counts as unset.
 *
 *   CONFDIR    -c DIR (wj_set_confdir), else $WGJAIL_CONFDIR, else
 *              /etc/wgjail on Linux and /usr/local/etc/wgjail on FreeBSD:
 *              the jails' specs and WireGuard configs, the truth;
 *   STATEDIR   $WGJAIL_STATEDIR, else /run/wgjail on Linux and
 *              /var/run/wgjail on FreeBSD (which has no /run; its rc
 *              clears /var/run at boot): what is derived from the truth or
 *              records what `up` created (util/stores.h lists it);
 *   RUNDIR     $WGJAIL_RUNDIR, else /var/run/wgjail: the agent's lock, pid
 *              file and status.json;
 *   UAPI dir   $WGJAIL_UAPI_DIR, else /var/run/wireguard: the sockets of
 *              userspace WireGuard (IF.sock), as wg(8) looks for them (the
 *              process that enters a jail sets the variable to the jail's
 *              private directory for itself alone, agent/platform_linux.c);
 *   wireguard-go  $WGJAIL_WIREGUARD_GO, else "wireguard-go" on PATH.
 *
 * A jail's files, CONFDIR/NAME/...: jail.conf (the spec), IF.conf (its
 * WireGuard config), IF.peers/ (drop-ins, agent/jailwg.h), .lock, .pubkey
 * (agent/keyguard.h), and the derived .IF.conf.parsed and IF.peers/.aip/.
 * Per-interface state: STATEDIR/KIND/NSINO[-DIRHASH]-IF.  Per-jail run
 * state: STATEDIR/jails/NAME/.  Bridges: STATEDIR/bridges/.
 *
 * Every builder returns 0, or -1 if the result would not fit in SZ. */
#ifndef WGJAIL_PATHS_H
#define WGJAIL_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* ---- directories ---- */
void wj_set_confdir(const char *dir); /* -c DIR: set once by main() */
const char *wj_confdir(void);
const char *wj_statedir(void);
const char *wj_rundir(void);
/* The UAPI socket directory. */
#define WJ_UAPI_DIR_SYSTEM "/var/run/wireguard"
const char *wj_uapi_dir(void);
/* Is the UAPI directory the system's (/var/run/wireguard)? */
bool wj_uapi_dir_is_system(void);
/* The wireguard-go program (a path, or a name looked up on PATH). */
const char *wj_wireguard_go(void);

/* ---- a jail's files in CONFDIR ---- */
#define WJ_SPEC_FILE "jail.conf"
#define WJ_LOCK_FILE ".lock"
#define WJ_PUBKEY_FILE ".pubkey"
/* The allowed-IP index inside IF.peers/, and its stamp. */
#define WJ_AIP_DIR ".aip"
#define WJ_AIP_STAMP ".stamp"

/* CONFDIR/NAME/FILE, or CONFDIR/NAME if FILE is NULL. */
int jail_path(char *buf, size_t sz, const char *name, const char *file);
/* CONFDIR/NAME/IFSUFFIX: the interface's main file (".conf"), its
 * drop-ins (".peers"). */
int jail_if_path(char *buf, size_t sz, const char *name, const char *ifname, const char *suffix);
/* CONFDIR/NAME/.IF.conf.parsed: the identity of the main file that
 * parsed last (agent/peer.c). */
int jail_parsed_stamp_path(char *buf, size_t sz, const char *name, const char *ifname);
/* CONFDIR/NAME/.IF.alloc: the marks of the addresses handed out to new
 * peers (agent/alloc.h). */
int jail_alloc_path(char *buf, size_t sz, const char *name, const char *ifname);
/* PEERSDIR/.aip/.stamp: the allowed-IP index's stamp (agent/aipidx.h). */
int jail_aip_stamp_path(char *buf, size_t sz, const char *peers_dir);

/* ---- STATEDIR ---- */
/* STATEDIR/KIND/NSINO[-DIRHASH]-IFNAME[SUFFIX]: per-interface state
 * (NSINO: the calling thread's network namespace's inode; 0 on FreeBSD,
 * which has no /proc/self/ns/net and whose vnet jails have their own
 * /var/run; DIRHASH: the UAPI directory's, when it is not the system's,
 * since every jail has its wg0).  KIND "applied" (the record of the last
 * sync), "endpoints" (the endpoint memory).  SUFFIX starts with a
 * character no interface name has (",lock"). */
int wj_state_path(const char *kind, const char *ifname, const char *suffix, char *out, size_t outsz);
/* STATEDIR/jails/NAME/FILE (FILE NULL: the directory): what `up` made. */
int jail_run_path(char *buf, size_t sz, const char *name, const char *file);
/* STATEDIR/bridges/BRIDGE SUFFIX: "" marks a bridge wgjail created,
 * ".added" what `up` added to one it did not; BRIDGE "" with SUFFIX
 * ".lock" is the directory's lock (no interface name starts with '.'). */
int wj_bridge_path(char *buf, size_t sz, const char *bridge, const char *suffix);
/* STATEDIR/nat/FILE (FILE NULL: the directory): what jails with NAT share
 * on Linux, ".lock" (serialises the host's table inet wgjail) and
 * "forwarding" (the forwarding switches wgjail turned on). */
int wj_nat_path(char *buf, size_t sz, const char *file);

#endif
