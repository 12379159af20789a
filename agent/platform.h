/* One platform seam: the jail operations of the system wgjail runs on.
 *
 * A jail is a Linux network namespace (agent/platform_linux.c) or a
 * FreeBSD vnet jail (agent/platform_freebsd.c).  Everything that differs
 * between them is an entry of struct wj_platform, and the platform is
 * chosen in one place, wj_platform() (agent/platform.c).  The commands and
 * the agent call these entries and never test the platform themselves; a
 * third platform is one new file of operations (and its line in
 * agent/platform.c).
 *
 * Reaching a running jail's interface goes through `enter`, in a fresh
 * (exec'd) process made for that one call (agent/jailcall.h): Linux enters the
 * jail's network namespace (and, where wireguard-go runs for the jail, its
 * private UAPI socket directory); FreeBSD attaches to the jail, which a
 * process can do only once (jail_attach(2)), as jexec(8) does. */
#ifndef WGJAIL_PLATFORM_H
#define WGJAIL_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct jail_spec;
struct wj_err;

struct jail_up_opts {
	bool dry;   /* print what would be done, change nothing */
	FILE *out;  /* one line per change (and the sync engine's report) */
};

struct watch_ops;

struct wj_platform {
	const char *name; /* "Linux", "FreeBSD": for messages */
	/* Is jail NAME running here? */
	bool (*is_up)(const char *name);
	/* This platform's way to start jail NAME, for messages ("wgjail up
	 * NAME"), written to BUF. */
	void (*start_hint)(const char *name, char *buf, size_t sz);
	/* In a process made for this (never the caller's own): enter the
	 * running jail NAME so that wg_backend_for(IFNAME) answers for the
	 * jail's interface.  0, or -1 with E set.  The process cannot leave
	 * the jail again. */
	int (*enter)(const char *name, const char *ifname, struct wj_err *e);
	/* Replace this process by ARGV[0] (searched in PATH) run inside the
	 * running jail NAME, so that wg(8) finds the jail's interfaces there.
	 * Returns only on failure, with E set: -1 when the jail could not be
	 * entered, -2 when the program could not be run (E->code: ENOENT when
	 * it was not found). */
	int (*exec)(const char *name, char *const argv[], struct wj_err *e);
	/* Realise jail S, or reconcile it when it runs: 0; 1 when done except
	 * for peers whose endpoint did not resolve; -1 with E set. */
	int (*up)(const struct jail_spec *s, const struct jail_up_opts *o, struct wj_err *e);
	/* Stop jail NAME and remove what `up` made for it. */
	int (*down)(const char *name, FILE *out, struct wj_err *e);
	/* boot's part once a jail's key and config were checked (agent/boot.h):
	 * returns as `up` does, or 2 when the jail was prepared but is left
	 * to the system's own start at boot (FreeBSD: rc.d/jail, which the
	 * host's rc.conf enables for it and which runs after wgjail; state
	 * "ready"); BOOT_DONE is the state word of a success. */
	int (*boot_up)(const struct jail_spec *s, FILE *out, struct wj_err *e);
	const char *boot_done;
	/* The name of S's WireGuard interface inside the running jail, into
	 * BUF (Linux: the spec's; FreeBSD: wgjN with the WireGuard-only
	 * uplink, rc/names.h). */
	void (*jail_ifname)(const struct jail_spec *s, char *buf, size_t sz);
	/* Did the userspace daemon that `up` started for NAME die?  true and
	 * *PID if the jail's state names one that is gone. */
	bool (*daemon_died)(const char *name, long *pid);
	/* Keep the jail's own copies of its files in step after its config
	 * changed (FreeBSD: ROOT/etc/IF.conf, agent/jailifconf.h); NULL
	 * when the platform has none.  1 written, 0 in step, -1 with E set. */
	int (*keep_files)(const struct jail_spec *s, FILE *out, struct wj_err *e);
	/* Does `provision` write this host's own files (without --root)? */
	bool provisions_host;
	/* Watching the configuration directory (agent/watch.h). */
	const struct watch_ops *watch;
};

/* The platform wgjail runs on. */
const struct wj_platform *wj_platform(void);

/* "jail NAME is not running here (start it with: HINT)" in E; -1. */
int wj_jail_not_running(const char *name, struct wj_err *e);

extern const struct wj_platform wj_platform_linux, wj_platform_freebsd;

#endif
