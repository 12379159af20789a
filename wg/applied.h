/* The record of what `wgjail sync` applied last to an interface, so that
 * the next sync can compare the file with it instead of reading the whole
 * device (wg/sync_file.c).
 *
 * Per (network namespace, UAPI socket directory, interface) one file
 * STATEDIR/applied/ID (util/paths.h: /run/wgjail, /var/run/wgjail on
 * FreeBSD; 0700, the file 0600: it holds the config as applied, private
 * key included) that names the device instance it was applied to - the
 * backend's identity: the UAPI socket's inode and ctime, the Linux
 * interface's index, the FreeBSD interface's identity group - followed by
 * the file's bytes and their cut into sections (wg/conf_sections.h).  A
 * device that was re-created (wireguard-go restarted, interface deleted
 * and added) does not match it any more.
 *
 * Every other change wgjail makes to a device goes through wg_device_set,
 * which drops the record first, under the record's lock: `peer add`, the
 * agent, `up` and `boot` never leave a record that no longer describes the
 * device.  Changes made by other tools (`wg set`) cannot be seen without
 * reading the device: `wgjail sync --full` does. */
#ifndef WGJAIL_APPLIED_H
#define WGJAIL_APPLIED_H

#include <stdbool.h>
#include <stddef.h>

#include "wg/model.h"

struct wj_err;
struct wg_backend;

/* STATEDIR/KIND/NSINO[-DIRHASH]-IFNAME[SUFFIX]: per-interface state
 * (NSINO: the network namespace's inode; 0 on FreeBSD, which has no
 * /proc/self/ns/net and whose vnet jails have their own /var/run)
 * (KIND "endpoints" for the endpoint memory, "applied" for the record;
 * SUFFIX starts with a character no interface name has, e.g. ",lock"). */
int wg_state_path(const char *kind, const char *ifname, const char *suffix, char *out, size_t outsz);

/* The identity of IFNAME's device instance behind backend B (its
 * identity method: "uapi DEV:INO:CTIME", "kernel IFINDEX" on Linux,
 * "freebsd IFINDEX COOKIE"); -1 if B has none.  MINT (only when a record
 * is about to be written): let B give the device an identity if it has
 * none. */
int wg_applied_identity(const struct wg_backend *b, const char *ifname, bool mint, char *out, size_t outsz);

/* The lock that serialises the record with every change to the device.
 * Returns a descriptor, or -1 if the state directory is not usable (the
 * caller then neither reads nor writes a record). */
int wg_applied_lock(const char *ifname);
void wg_applied_unlock(int fd);

struct wg_applied {
	char *buf;        /* the record file, mapped read-only (no copy of
			   * the secrets it holds is made) */
	size_t buflen;
	const char *text; /* the config as applied, inside BUF */
	size_t len;
	const void *cut;  /* its cut, as stored (wg_conf_sections_unpack) */
	size_t cutlen;
};

/* The record of IFNAME if it was made for IDENTITY: 1 (A filled, free
 * with wg_applied_free), else 0 (none, another device, damaged, or a file
 * that someone else owns or could write).  The file is mapped, not read:
 * records are only ever replaced by rename, never rewritten in place. */
int wg_applied_load(const char *ifname, const char *identity, struct wg_applied *a);
void wg_applied_free(struct wg_applied *a);

/* Record TEXT and its CUT (CUTLEN bytes) as applied to IDENTITY
 * (atomically, 0600). */
int wg_applied_save(const char *ifname, const char *identity, const char *text, size_t len, const void *cut,
		    size_t cutlen, struct wj_err *e);

/* Forget everything kept for IFNAME in the network namespace whose inode
 * is NS_INO (every interface of it if IFNAME is NULL): records, their
 * locks, endpoint memories - for `down`, once the interface or the
 * namespace is gone. */
void wg_state_forget(unsigned long long ns_ino, const char *ifname);

/* Drop IFNAME's record (the caller holds the lock). */
void wg_applied_forget(const char *ifname);

/* B->set(IFNAME, CHANGES) with IFNAME's record dropped first, under its
 * lock: the way every caller but the record's own sync changes a device. */
int wg_device_set(const struct wg_backend *b, const char *ifname, const struct wg_device *changes,
		  struct wj_err *e);

#endif
