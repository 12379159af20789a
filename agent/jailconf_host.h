/* The host's jail.conf as rc.d/jail's jail(8) reads it: the file and,
 * through its .include lines, the files those name in turn (jail(8)
 * follows them up to 32 deep), for `boot` (agent/jailcmd.c) and
 * `provision` (agent/cmd_provision.c), which ask one question: does it
 * include the jail's own /etc/jail.conf.d/NAME.conf?  rc/jailinc.c reads
 * each file's tokens; this reads the files, under a host root. */
#ifndef WGJAIL_JAILCONF_HOST_H
#define WGJAIL_JAILCONF_HOST_H

#include "rc/gen.h"

struct jail_conf_walk {
	struct rc_jail_conf_follow follow; /* for rc_jail_conf_includes */
	const char *hostroot;              /* "": the host's own files */
	const char *file;                  /* the jail's file, a host path */
	unsigned depth;
};

/* W follows the .include lines of the files under HOSTROOT, looking for
 * FILE: a pattern's files (glob(3) under HOSTROOT) are FILE itself - by
 * any name: "..", a link - or are read and their own .include lines
 * followed.  More than 32 levels (jail(8)'s limit; a loop) is an error.
 * HOSTROOT and FILE must outlive W. */
void jail_conf_walk_init(struct jail_conf_walk *w, const char *hostroot, const char *file);

#endif
