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

/* Host /etc/rc.conf: OLD (may be NULL) with jail_enable="YES" and JAIL in
 * jail_list (rc/hostrc.c).  HAVE_JAIL_CONF: the host has /etc/jail.conf;
 * with an empty jail_list nothing is changed then, and NOTE says why
 * (else NOTE is ""). */
char *rc_host_rc_conf(const char *jail, const char *old, size_t oldlen, bool have_jail_conf, const char *path,
		      char *note, size_t note_sz, size_t *len, struct wj_err *e);

/* Does the host's rc.conf TEXT (LEN bytes; NULL: no file) make rc.d/jail
 * start JAIL at boot: jail_enable yes (rc.subr's checkyesno) and JAIL
 * named in jail_list?  1 yes, 0 no, -1 with E set (PATH:LINE, a jail_list
 * that is not a plain list).  `boot` on FreeBSD leaves such a jail to
 * rc.d/jail, which starts after it (rc/hostrc.c). */
int rc_host_starts_jail(const char *jail, const char *text, size_t len, const char *path, struct wj_err *e);

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
