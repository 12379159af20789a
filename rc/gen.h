/* The FreeBSD artifacts of `wgjail provision`, each generated from a
 * jail's description (rc/jail.h, filled by agent/ from its validated spec)
 * as text.  Pure functions: no
 * file is read or written here (rc/plan.h does that), so every generator
 * is tested by what it returns.  Returned text is heap-allocated; errors
 * fill E and return NULL / -1. */
#ifndef WGJAIL_RC_GEN_H
#define WGJAIL_RC_GEN_H

#include <stdbool.h>
#include <stddef.h>

#include "rc/jail.h"

struct wj_err;

/* Host /boot/loader.conf: OLD (may be NULL: no file) with if_wg_load and
 * the uplink kind's modules (the bridge uplink: if_epair_load and
 * if_bridge_load) set to "YES". */
char *rc_loader_conf(const struct rc_jail *j, const char *old, size_t oldlen, const char *path,
		     size_t *len, struct wj_err *e);

/* Host /etc/jail.conf.d/NAME.conf, whole. */
char *rc_jail_conf(const struct rc_jail *j, size_t *len, struct wj_err *e);

/* The host's jail.conf as read: TEXT (LEN bytes; NULL: there is none)
 * from PATH (for messages); CONF is its path on the host (rc.conf's
 * jail_conf, else /etc/jail.conf: rc_host_jail_conf_path), against which
 * an `.include` of a relative name is resolved. */
struct rc_host_jail_conf {
	const char *text;
	size_t len;
	const char *path;
	const char *conf;
	const struct rc_jail_conf_follow *follow; /* its .include files (NULL: not read) */
};

/* Which jail.conf `provision` reads for the note of rc_host_rc_conf: with
 * no jail_list (or an empty one) in the host's rc.conf TEXT (LEN bytes,
 * read from PATH; NULL: no file), its path on the host - rc.conf's
 * jail_conf, else /etc/jail.conf - into CONF and 1; with a list, 0 (no
 * jail.conf is read then); -1 with E set, naming PATH:LINE (a jail_conf
 * that is not a plain absolute path). */
int rc_host_jail_conf_path(const char *text, size_t len, const char *path, char *conf, size_t conf_sz,
			   struct wj_err *e);

/* Host /etc/rc.conf: OLD (may be NULL) with jail_enable="YES" and JAIL in
 * jail_list (rc/hostrc.c).  With an empty jail_list and a jail.conf (JC)
 * nothing is changed, and NOTE says why (else NOTE is ""): whether
 * jail.conf includes /etc/jail.conf.d/JAIL.conf (rc_jail_conf_includes,
 * whose errors are then this function's) tells which case it is. */
char *rc_host_rc_conf(const char *jail, const char *old, size_t oldlen, const struct rc_host_jail_conf *jc,
		      const char *path, char *note, size_t note_sz, size_t *len, struct wj_err *e);

/* Does the host's rc.conf TEXT (LEN bytes; NULL: no file) make rc.d/jail
 * start JAIL at boot?  RC_HOST_BY_NAME: jail_enable yes (rc.subr's
 * checkyesno) and JAIL named in jail_list.  RC_HOST_EVERY: jail_enable yes
 * and jail_list empty, so rc.d/jail starts every jail of the jail.conf
 * whose host path (rc.conf's jail_conf, else /etc/jail.conf) is put in
 * CONF: JAIL among them if that file includes JAIL's
 * (rc_jail_conf_includes).  0 no; -1 with E set (PATH:LINE: a jail_list
 * that is not a plain list, a jail_conf that is not a plain absolute
 * path).  `boot` on FreeBSD leaves such a jail to rc.d/jail, which starts
 * after it (rc/hostrc.c). */
enum { RC_HOST_BY_NAME = 1, RC_HOST_EVERY = 2 };
int rc_host_starts_jail(const char *jail, const char *text, size_t len, const char *path, char *conf,
			size_t conf_sz, struct wj_err *e);

/* The files a jail.conf's .include lines name are read by the caller, not
 * here (rc/ does no I/O): OTHER is called with every pattern that does not
 * name the jail's file itself (absolute, "//" and "/./" folded), and
 * answers as rc_jail_conf_includes does for the files that pattern names
 * (agent/jailconf_host.c: jail(8) reads .include lines in included files
 * too). */
struct rc_jail_conf_follow {
	int (*other)(void *arg, const char *pattern, struct wj_err *e);
	void *arg;
};

/* Does the jail.conf TEXT (LEN bytes, read from PATH; CONF: its path on
 * the host, for relative names) include FILE (a host path) by a
 * `.include`: a file name or a glob(3) pattern, absolute or relative to
 * CONF's directory (FreeBSD 14's jail(8))?  FOLLOW (may be NULL: the
 * files it includes are not read) reads the files of every other pattern.
 * 1 yes, 0 no, -1 with E set (PATH:LINE: a string or comment that does not
 * end, an .include without a file name or ';', or naming a variable; or
 * FOLLOW's error) (rc/jailinc.c). */
int rc_jail_conf_includes(const char *text, size_t len, const char *path, const char *conf, const char *file,
			  const struct rc_jail_conf_follow *follow, struct wj_err *e);

/* The jail's /etc/rc.conf: OLD (may be NULL) with the interface keys set.
 * ADDRS/N_ADDRS are the tunnel addresses, MTU 0 for the default. */
char *rc_rc_conf(const struct rc_jail *j, const struct wg_ipmask *addrs, size_t n_addrs, unsigned mtu,
		 const char *old, size_t oldlen, const char *path, size_t *len, struct wj_err *e);

/* The interface an earlier provision wrote into the jail's rc.conf OLD
 * (the second word of its network_interfaces="lo0 IF"), into OUT; false
 * if there is none (or it is not a valid interface name). */
bool rc_rc_conf_previous_if(const char *old, size_t oldlen, char *out, size_t sz);

/* Is TEXT a start_if script that provision wrote? */
bool rc_start_if_is_ours(const char *text, size_t len);

/* The jail's /etc/start_if.IF, whole. */
char *rc_start_if(const struct rc_jail *j, size_t *len, struct wj_err *e);

#endif
