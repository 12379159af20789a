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
 * a base (a file's bytes and their cut into sections, wg/conf_sections.h)
 * and a log of section replacements: a sync that changes one peer appends
 * that peer's section, not the whole file again.  The log is compacted
 * into a new base now and then (every WG_APPLIED_MAX_EDITS edits, or when
 * it outgrows a quarter of the base); a new base is held in huge pages
 * where the kernel can (util/platform.h, wj_file_hugepages), as every sync
 * reads it whole.  A device that was re-created
 * (wireguard-go restarted, interface deleted and added) does not match the
 * record any more.
 *
 * Crash safety: a sync appends BEGIN before it changes the device and the
 * edit after; each entry carries a check value chained to the one before.
 * A record whose log ends in BEGIN, or in an entry cut short (a torn
 * append) or damaged, is not used: the next sync reads the device.
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
#include <stdint.h>

#include "wg/conf_view.h"
#include "wg/model.h"

struct wj_err;
struct wg_backend;

/* The record's path, and the endpoint memory's: util/paths.h, wj_state_path. */

/* The directory of PATH (a state file), made private (0700) if missing. */
int wg_state_mkdir(const char *path, struct wj_err *e);

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

/* Edits kept in the log before it is compacted into a new base. */
#define WG_APPLIED_MAX_EDITS 32

/* A record, loaded: its text is read through FD where it is needed, its
 * spans are used where they lie in the mapping, nothing big is copied. */
struct wg_applied {
	int fd;               /* the record: read (pread) and appended to (pwrite) */
	void *map;            /* the record mapped read-only (the spans) */
	size_t maplen;
	uint64_t size;        /* bytes of the file read and checked */
	struct conf_view view; /* the config as applied: base + edits */
	unsigned edits;       /* edits in the log */
	uint64_t log_bytes, base_len;
	uint64_t seq;         /* entries in the log */
	unsigned char check[16]; /* the last entry's check value */
	char ident[128];      /* the device instance */
};

/* The record of IFNAME if it was made for IDENTITY: 1 (A filled, free with
 * wg_applied_free), else 0 (none, another device, damaged, a torn or
 * unfinished log, or a file that someone else owns or could write). */
int wg_applied_load(const char *ifname, const char *identity, struct wg_applied *a);
void wg_applied_free(struct wg_applied *a);

/* Record TEXT and its cut V[0..N) as applied to IDENTITY: a new base, no
 * log (atomically, 0600). */
int wg_applied_save(const char *ifname, const char *identity, const char *text, size_t len,
		    const struct conf_span *v, size_t n, struct wj_err *e);

/* Before A's device is changed: append BEGIN (until the edit follows, the
 * record is not used).  -1 if it could not be written (the caller then
 * drops the record). */
int wg_applied_begin(struct wg_applied *a, struct wj_err *e);
/* After the device was changed as the delta says: append the edit (spans
 * [OA, OB) replaced by V[0..N), offsets into TEXT[0..TLEN)), and compact
 * the log into a new base when it is due.  V must outlive A.  -1 if it
 * could not be written (the caller drops the record). */
int wg_applied_edit(const char *ifname, struct wg_applied *a, size_t oa, size_t ob, const char *text, size_t tlen,
		    const struct conf_span *v, size_t n, struct wj_err *e);

/* Drop IFNAME's record (the caller holds the lock). */
void wg_applied_forget(const char *ifname);

/* B->set(IFNAME, CHANGES) with IFNAME's record dropped first, under its
 * lock: the way every caller but the record's own sync changes a device. */
int wg_device_set(const struct wg_backend *b, const char *ifname, const struct wg_device *changes,
		  struct wj_err *e);

#endif
