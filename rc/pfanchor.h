/* FreeBSD: a jail's pf rules as an anchor (issue 17).  Pure text, like
 * the rest of rc/: `provision` writes the anchor file, and adds to the
 * jail's jail.conf the lines that load it before the jail starts and
 * flush it after the jail stops:
 *
 *   exec.prestart += "/sbin/pfctl -a wgjail/JAIL -f FILE";
 *   exec.poststop += "/sbin/pfctl -a wgjail/JAIL -F all";
 *
 * The anchor holds the jail's translation and filter rules, every one
 * tagged "wgjail_JAIL" so that the filter rules match exactly what the
 * translation rules let in or out:
 *
 *   nat on IF inet  from JAIL4 to any tag T -> (IF)       (IPv4 always,
 *   nat on IF inet6 from JAIL6 to any tag T -> (IF)        IPv6 if a ULA)
 *   rdr on IF inet[6] proto P from any to (IF) port H tag T -> JAIL port J
 *   pass in quick from JAIL to any tag T keep state
 *   pass quick tagged T keep state
 *
 * pf evaluates an anchor only where the main ruleset hooks it: the host's
 * /etc/pf.conf needs nat-anchor, rdr-anchor and anchor lines for
 * "wgjail/" followed by a star, and the host must forward (gateway_enable, and
 * ipv6_gateway_enable for IPv6, in /etc/rc.conf).  rc_pf_hooks_missing
 * says which lines are missing; provision prints them and never edits
 * pf.conf or rc.conf itself. */
#ifndef WGJAIL_RC_PFANCHOR_H
#define WGJAIL_RC_PFANCHOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg/model.h"

#define RC_PF_ANCHOR_DIR "/etc/pf.wgjail" /* FILE is RC_PF_ANCHOR_DIR/JAIL.conf */

struct pf_port {
	uint8_t proto;      /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t host_port;
	uint16_t jail_port;
};

struct pf_jail {
	const char *name;
	const char *ext_if;        /* the NAT interface */
	struct wg_ipmask addr[2];  /* the jail's addresses, [0] IPv4, [1] IPv6 (family 0: none) */
	bool nat6;                 /* translate IPv6 too (a ULA) */
	const struct pf_port *ports;
	size_t n_ports;
};

/* The anchor file (heap text). */
char *rc_pf_anchor(const struct pf_jail *j, size_t *len);
/* The anchor file's path for jail NAME, under ROOT ("" for /). */
int rc_pf_anchor_path(const char *root, const char *name, char *out, size_t sz);
/* The two jail.conf lines (heap text, each line indented by a tab). */
char *rc_pf_jail_lines(const char *name);
/* Is TEXT an anchor file that provision wrote? */
bool rc_pf_anchor_is_ours(const char *text, size_t len);
/* The lines missing from the host's PFCONF and RCCONF (either may be
 * NULL: no file) for the anchors to work, as text to print ("" if none;
 * heap).  NEED6: the jail forwards IPv6. */
char *rc_pf_hooks_missing(const char *pfconf, size_t pflen, const char *rcconf, size_t rclen, bool need6);

#endif
