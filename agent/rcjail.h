/* The agent's side of rc/ (the FreeBSD generators): what they are told
 * about a jail, filled from its spec, and the WireGuard configuration they
 * write into the jail, read and checked against the spec.  rc/ includes
 * nothing of agent/; this is where the spec is narrowed for it. */
#ifndef WGJAIL_RCJAIL_H
#define WGJAIL_RCJAIL_H

#include "rc/jail.h"

struct jail_spec;
struct wg_device;
struct wj_err;

/* Describe S for the generators.  J borrows S's strings and arrays: S
 * must outlive every use of J. */
void rcjail_from_spec(const struct jail_spec *s, struct rc_jail *j);

/* Load the jail's WireGuard configuration (main file and drop-ins,
 * agent/jailwg.h).  The spec's listen_port is filled in when the config
 * has no ListenPort; a different ListenPort is an error. */
int rcjail_load_conf(const struct jail_spec *s, struct wg_device **dev, struct wj_err *e);

#endif
