/* wireguard-go, started and stopped by wgjail (Linux, userspace
 * implementation).
 *
 * The UAPI socket path /var/run/wireguard/IF.sock is global across network
 * namespaces, so two jails that both call their interface wg0 would clash.
 * wgjail therefore starts each jail's wireguard-go in a private mount
 * namespace where the jail's own directory
 * (/run/wgjail/jails/JAIL/wireguard-go) is bind-mounted on
 * /var/run/wireguard; the jail's UAPI directory (.../JAIL/wireguard, where
 * agent/platform_linux.c reaches it) holds a symbolic link IF.sock to that
 * socket.  The process runs in the foreground (-f),
 * in its own session, logging to a file; its pid and start time are kept in
 * the jail's state file so that `down` stops exactly that process. */
#ifndef WGJAIL_WGGO_LINUX_H
#define WGJAIL_WGGO_LINUX_H

#include <stdbool.h>
#include <sys/types.h>

struct wj_err;

/* Start wireguard-go (util/paths.h: wj_wireguard_go) for IFNAME in the network namespace NETNS_FD (-1: the
 * current one), with UAPI_DIR seen as /var/run/wireguard, output appended to
 * LOGPATH.  Returns once UAPI_DIR/IFNAME.sock accepts connections (or fails,
 * quoting the end of the log).  *PID and *START identify the process. */
int wggo_start(const char *ifname, int netns_fd, const char *uapi_dir, const char *logpath, pid_t *pid,
	       unsigned long long *start, struct wj_err *e);
/* The start time (clock ticks since boot) of PID, 0 if it is gone. */
unsigned long long wggo_proc_start(pid_t pid);
/* true if PID still is the process that started at START. */
bool wggo_alive(pid_t pid, unsigned long long start);
/* Stop it: SIGTERM, then SIGKILL after a grace period.  A process that is
 * gone (or whose pid was reused) is success. */
int wggo_stop(pid_t pid, unsigned long long start, struct wj_err *e);

#endif
