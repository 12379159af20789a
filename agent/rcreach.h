/* FreeBSD: the pf anchor of a jail spec (agent/reach.h -> rc/pfanchor.h),
 * for `provision`. */
#ifndef WGJAIL_RCREACH_H
#define WGJAIL_RCREACH_H

#include <stdbool.h>
#include <stddef.h>

struct jail_spec;
struct wj_err;

/* The anchor file of S in *TEXT (heap; NULL when S has no NAT), *LEN its
 * length, *NEED6 whether the jail forwards IPv6.  NAT on FreeBSD needs
 * nat_interface (no default-route lookup there). */
int rcreach_pf_anchor(const struct jail_spec *s, char **text, size_t *len, bool *need6, struct wj_err *e);

#endif
