/* The jail spec: what `wgjail create` writes and everything else reads.
 *
 * Layout of the configuration directory (see wgjail.conf(5)):
 *   CONFDIR/                 0755
 *   CONFDIR/NAME/            0700, one directory per jail
 *   CONFDIR/NAME/jail.conf   the spec (INI), 0644
 *   CONFDIR/NAME/IF.conf     the jail's WireGuard config (wg(8) format
 *                            plus wg-quick keys), 0600; IF is the spec's
 *                            interface (default wg0)
 *   CONFDIR/NAME/.lock       serialises edits of the two files
 */
#ifndef WGJAIL_JAILSPEC_H
#define WGJAIL_JAILSPEC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/ifreserved.h"
#include "agent/jailspec_keys.h"

struct wj_err;

/* struct jail_spec, its keys, their types, ranges, defaults and help:
 * agent/jailspec_keys.h. */

/* Defaults for a new spec called NAME (name copied, not validated). */
void jailspec_defaults(struct jail_spec *s, const char *name);
/* Every key's value checked as the table says (agent/jailspec_keys.h),
 * then what involves several (a gateway needs a jail address of its
 * family, one gateway per family); messages name the jail and the key
 * and quote the value. */
int jailspec_validate(const struct jail_spec *s, struct wj_err *e);
/* Parse TEXT (the contents of PATH, for messages) as the spec of NAME.
 * Errors name PATH:LINE, the key and the value. */
int jailspec_parse(const char *text, size_t len, const char *path, const char *name,
		   struct jail_spec *out, struct wj_err *e);
/* Is NAME one of the spec's sections ("jail", "wireguard"; any case)? */
bool jailspec_is_section(const char *name);
/* Canonical INI text of S (heap string, caller frees). */
char *jailspec_format(const struct jail_spec *s);

/* Load CONFDIR/NAME/jail.conf (name validated first). */
int jailspec_load(const char *name, struct jail_spec *out, struct wj_err *e);
/* Names of every jail in CONFDIR (directories holding jail.conf), sorted. */
int jailspec_list(char ***names, size_t *n, struct wj_err *e);

/* Effective values. */
const char *jail_root(const struct jail_spec *s, char *buf, size_t sz);
const char *jail_hostname(const struct jail_spec *s);

#endif
