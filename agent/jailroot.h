/* Where a FreeBSD jail's files are: its `path`, as the jail(8) file that
 * starts it says (HOSTROOT/etc/jail.conf.d/NAME.conf, which `provision`
 * writes and an administrator may edit), else the spec's root
 * (agent/jailspec.h).  Platform-neutral: it only reads text. */
#ifndef WGJAIL_JAILROOT_H
#define WGJAIL_JAILROOT_H

#include <stddef.h>

struct jail_spec;
struct wj_err;

/* The `path` of jail NAME in TEXT[0..LEN), a jail.conf(5) file called FILE
 * (for messages): the one of NAME's block, else a global one (or the
 * block "*"'s); ${name} and $name stand for NAME.  1 and OUT if there is
 * one, 0 if none, -1 with E set (FILE:LINE and what is wrong: a syntax
 * error, a relative path, another variable). */
int jailconf_path(const char *text, size_t len, const char *file, const char *name, char *out, size_t sz,
		  struct wj_err *e);

/* Jail S's root directory: the path of HOSTROOT/etc/jail.conf.d/NAME.conf
 * ("" HOSTROOT: the host's) when that file exists and sets one, else the
 * spec's (jail_root).  *PROVISIONED (may be NULL): whether the file
 * exists.  0 or -1 with E set. */
int jail_root_dir(const struct jail_spec *s, const char *hostroot, char *out, size_t sz, int *provisioned,
		  struct wj_err *e);

#endif
