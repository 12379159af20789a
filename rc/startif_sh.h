/* The text of a jail's /etc/start_if.IF (rc/startif.c derives the names
 * from the jail spec and checks them; this file only writes the shell). */
#ifndef WGJAIL_RC_STARTIF_SH_H
#define WGJAIL_RC_STARTIF_SH_H

#include <stddef.h>

struct rc_uplink;

/* start_if for interface IFN (VAR: its name in rc variables) of jail
 * JAIL; UPLINK->start_if writes what is done when the interface does not
 * exist.  Every word must have passed rc_word_check.  Returns heap text
 * (LEN set), NULL when out of memory. */
char *rc_start_if_sh(const char *ifn, const char *var, const char *jail, const struct rc_uplink *uplink,
		     size_t *len);

#endif
