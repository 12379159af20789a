/* What the FreeBSD generators know about a jail: a narrow description,
 * filled by agent/ from the jail spec (agent/rcjail.c), so that rc/
 * depends on nothing above it.  Strings are borrowed (the caller keeps
 * them alive while the generators run) and already validated; the
 * generators check every word once more before it reaches a file
 * (rc_word_check). */
#ifndef WGJAIL_RC_JAIL_H
#define WGJAIL_RC_JAIL_H

#include <limits.h>
#include <stddef.h>

#include "util/strutil.h"
#include "wg/model.h"

struct rc_uplink;

#define RC_OTHER_IFNAMES 4

struct rc_jail {
	const char *name;                 /* the jail's name */
	unsigned id;                      /* names its links: epairN, wgjN */
	const struct rc_uplink *uplink;   /* its uplink kind's part (rc/uplink_kind.h) */
	const char *ifname;               /* the spec's WireGuard interface name */
	const char *bridge;               /* the host bridge (bridge uplink) */
	const struct wg_ipmask *jail_addr; /* the jail end's addresses (bridge uplink) */
	size_t n_jail_addr;
	const struct wg_ipmask *gateway;  /* on the bridge, one per family */
	size_t n_gateway;
	const struct wg_ipmask *address;  /* tunnel addresses of the spec (may be none) */
	size_t n_address;
	unsigned mtu;                     /* the spec's tunnel MTU, 0 if none */
	char root[PATH_MAX];              /* the jail's root directory */
	const char *hostname;
	unsigned devfs_ruleset;
	/* The names the WireGuard interface has under the other uplink
	 * kinds: an earlier provision may have written them. */
	char other_ifname[RC_OTHER_IFNAMES][WJ_IFNAME_MAX + 1];
	size_t n_other_ifname;
};

#endif
