/* Doing something inside a running jail and getting the answer back.
 *
 * jail_call runs FN in a child process made for that one call, after the
 * platform's `enter` (agent/platform.h) put it in the jail: on Linux the
 * jail's network namespace (and its private UAPI socket directory when
 * wireguard-go drives its interface), on FreeBSD jail_attach(2), which a
 * process can do only once, as jexec(8) does.  FN may write bytes to FD,
 * which REPLY (in the caller) reads; FN's result and error message come
 * back over a second pipe.  The caller's own namespace, root and socket
 * directory never change, so it can visit any number of jails in turn.
 *
 * The child is a copy of the caller: it holds what the caller held when it
 * called.  The commands hold one jail's data; on FreeBSD the child is made
 * untraceable and unreadable by the jail's root before it attaches
 * (procctl PROC_TRACE_CTL: no ptrace, no core dump, no procfs), and it
 * runs no program of the jail's. */
#ifndef WGJAIL_JAILCALL_H
#define WGJAIL_JAILCALL_H

#include <stdio.h>

#include "wg/model.h"

struct wj_err;
struct wg_sync_result;

/* The most a call returns besides its bytes (a small struct). */
#define JAIL_CALL_RET_MAX 128

/* In the jail: IFNAME is the jail's interface; FD the pipe to REPLY; RET
 * (JAIL_CALL_RET_MAX bytes, zeroed) comes back to the caller as it is. */
typedef int (*jail_fn)(const char *ifname, int fd, void *ret, void *arg, struct wj_err *e);
/* In the caller: read FN's bytes from FD until end of file. */
typedef int (*jail_reply_fn)(int fd, void *arg, struct wj_err *e);

/* Run FN(IFNAME, fd, ret, ARG) inside the running jail NAME, and
 * REPLY(fd, ARG) here (NULL: FN's bytes are dropped); RET (RETSZ <=
 * JAIL_CALL_RET_MAX bytes, may be NULL) gets what FN left in its RET.
 * Returns FN's result (>= 0), or -1 with E set: the jail does not run
 * (saying how to start it), it could not be entered, FN or REPLY failed,
 * or the child died. */
int jail_call(const char *name, const char *ifname, jail_fn fn, jail_reply_fn reply, void *arg, void *ret,
	      size_t retsz, struct wj_err *e);

/* The jail's interface IFNAME as its backend reads it (*OUT, named IFNAME). */
int jail_dev_get(const char *name, const char *ifname, struct wg_device **out, struct wj_err *e);
/* wg_sync of the jail's interface IFNAME to DESIRED (hostnames resolved
 * here first, with this host's resolver; what does not resolve is left to
 * the sync engine).  REPORT gets the engine's lines; *RES its counts.
 * Returns as wg_sync. */
int jail_dev_sync(const char *name, const char *ifname, struct wg_device *desired, bool dry_run, FILE *report,
		  struct wg_sync_result *res, struct wj_err *e);
/* Apply CHANGES to the jail's interface IFNAME (wg_device_set: only what
 * the change set flags; endpoints must be resolved already). */
int jail_dev_set(const char *name, const char *ifname, const struct wg_device *changes, struct wj_err *e);

#endif
