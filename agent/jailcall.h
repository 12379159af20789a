/* Doing something inside a running jail and getting the answer back.
 *
 * A process that enters a jail (setns, jail_attach) can be seen by that
 * jail's root, so it holds that jail's data only.  Each call (read the
 * jail's interface, change it, sync it) forks and exec's a fresh copy of
 * wgjail (`wgjail _jailcall`, agent/jailcall_child.c; the executable
 * opened at start, agent/selfexe.h): it starts with none of the caller's
 * memory (the agent's holds every jail's config and key), no descriptor
 * but its pipes, and wgjail's own environment variables only.  The caller
 * writes it one request over a socket (agent/jailcall_proto.h): the
 * operation, the jail, the interface, and that jail's device only - the
 * change set, or the desired config - in the UAPI set form
 * (wg/uapi_write.h), never on argv or in the environment.  The process
 * reads it whole, then the platform's `enter` (agent/platform.h) puts it
 * in the jail: on Linux the jail's network namespace (and its private UAPI
 * socket directory when wireguard-go drives its interface), on FreeBSD
 * jail_attach(2) after procctl(PROC_TRACE_CTL) made it untraceable, as
 * jexec(8) does; then it runs the operation and writes the reply (a UAPI
 * GET reply; the sync engine's report lines) and its status back.  The
 * caller's own namespace, root and socket directory never change, so it
 * can visit any number of jails in turn.
 *
 * A command about one jail (`peer add J` and the other peer commands) may
 * have its call made by a process forked instead (jail_call_prefork):
 * forked first thing, before the command read any configuration, key or
 * file of any jail, so that it too holds nothing but what its request
 * gives it.  It keeps wgjail's own environment variables only (the others
 * are wiped from its copy of the memory), no descriptor but its pipes,
 * and waits for the request like the exec'd process; it saves the exec
 * and the dynamic linking of a fresh wgjail (milliseconds, on every
 * `peer add`).  The agent holds every jail's keys before any call: its
 * calls are always exec'd.  The choice is made in one place (jc_start in
 * agent/jailcall.c): the preforked process if there is one for that jail,
 * else an exec'd one.
 *
 * What the sync engine keeps besides the device (the record of the last
 * sync, the endpoint memory: wg/applied.h, wg/sync.h) is under the state
 * directory as the process sees it once inside: on Linux the host's (a
 * network namespace shares the file system), on FreeBSD the jail's own
 * /var/run/wgjail, where the jail's start_if (`wgjail sync`) keeps them
 * too.  Nothing of the host's is opened after entering. */
#ifndef WGJAIL_JAILCALL_H
#define WGJAIL_JAILCALL_H

#include <stdio.h>
#include <sys/types.h>

#include "util/err.h"
#include "util/strutil.h"
#include "wg/model.h"

struct wg_sync_result;

/* The most a call returns besides its bytes (a small struct). */
#define JAIL_CALL_RET_MAX 128

/* Open wgjail's own executable for the calls (main does, at start); a
 * call opens it if nobody did.  0, or -1 with E set. */
int jail_call_init(struct wj_err *e);

/* A command about jail NAME alone calls this before it reads anything
 * (while it is single-threaded): if NAME runs, the process for its call
 * is forked now (above); the command's first call into NAME uses it.
 * 1 if forked, 0 if not (NAME does not run, or one was forked already),
 * -1 if it could not be (errno set; the call will exec one). */
int jail_call_prefork(const char *name);
/* The environment the process started with (main's ENVP), for the
 * preforked process to wipe what is not wgjail's; without it, no
 * prefork. */
void jail_call_env(char **envp);
/* At the end of the command: a preforked process that was not used is
 * told so (the end of its request) and reaped. */
void jail_call_prefork_end(void);

/* Each returns -1 with E set when the jail does not run (saying how to
 * start it), could not be entered, the operation failed, or the process
 * that entered it died. */

/* The jail's interface IFNAME as its backend reads it (*OUT, named IFNAME). */
int jail_dev_get(const char *name, const char *ifname, struct wg_device **out, struct wj_err *e);

/* A call under way: the process started, its request sent. */
struct jail_call {
	pid_t pid;
	int data, stp, sent;
	struct wj_err se;
	char jail[WJ_JAIL_NAME_MAX + 1];
};
/* jail_dev_get in two steps, so that the caller works while the jail
 * answers (a userspace daemon's reply is held whole by the process in the
 * jail, wg/uapi.c): every start that returned 0 is finished, which reaps
 * the process. */
int jail_dev_get_start(const char *name, const char *ifname, struct jail_call *c, struct wj_err *e);
int jail_dev_get_finish(struct jail_call *c, const char *ifname, struct wg_device **out, struct wj_err *e);
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
