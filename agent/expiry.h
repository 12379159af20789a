/* Taking expired peers off a jail (the agent's part of peer expiry,
 * agent/daemon_expiry.c).  The configuration keeps an expired peer (it
 * can be given a new expiry with the same key and address); what the
 * jail runs drops it: one remove per peer on the live interface, and, on
 * a platform that keeps copies of the jail's files in the jail
 * (FreeBSD's ROOT/etc/IF.conf, applied at every start of the jail), those
 * copies brought in step, through the same step as every change
 * (jailtx_follow, agent/jailtx.h), so that a restarted jail does not
 * bring an expired peer back. */
#ifndef WGJAIL_EXPIRY_H
#define WGJAIL_EXPIRY_H

#include <stdint.h>

#include "wg/model.h"

struct jail_spec;
struct wj_platform;
struct wj_err;

/* The peers of CONF (jail S's config as last loaded) that expire at AT
 * (not disabled ones: they are off already), logged by name and taken off
 * as above, PL being the platform.  0, or -1 with E set (the caller
 * reconciles). */
int expiry_take_off(const struct wj_platform *pl, const struct jail_spec *s, const struct wg_device *conf, int64_t at,
		    struct wj_err *e);

#endif
