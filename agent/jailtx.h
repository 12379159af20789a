/* Changes of a jail's files that touch more than one file, made so that
 * a kill at any instant leaves the state before or the state after.
 *
 * Each is journalled in the jail's directory: everything the new state
 * needs is staged first, then a journal is written (atomically: that
 * write is the commit), then the files are changed, then the journal is
 * removed.  Under the jail's lock (agent/jaillock.h), a journal left by a
 * killed command is played to its end, and staged files without a journal
 * are removed.  Every reader and writer of a jail's files holds that lock,
 * so none ever sees a change half made.
 *
 *   create   CONFDIR/NAME/.create, staged main file CONFDIR/NAME/.create.conf:
 *            the new spec, a new main file (a new ListenPort, a first key),
 *            the interface renamed (OLD.conf -> NEW.conf, OLD.peers/ ->
 *            NEW.peers/, OLD's stamp removed), the key record
 *            (agent/keyguard.h).
 *   replace  CONFDIR/NAME/.replace: a peer's drop-in written under its new
 *            key's name, then the old one removed (export
 *            --generate-remote-key): once the new drop-in is there, the old
 *            one goes, so a peer never appears twice. */
#ifndef WGJAIL_JAILTX_H
#define WGJAIL_JAILTX_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

struct wj_err;

struct jailtx_create {
	const char *old_if, *new_if; /* equal unless the interface is renamed */
	const char *spec;            /* the new spec text (NULL: unchanged) */
	const char *conf;            /* the new main file (NULL: the old one, renamed if need be) */
	size_t conf_len;
	const uint8_t *pub;          /* the key to record (NULL: none) */
};

/* Make the change T to jail NAME.  The caller holds the jail's lock and
 * checked that the change can succeed (NEW.conf and NEW.peers absent when
 * renaming). */
int jailtx_create(const char *name, const struct jailtx_create *t, struct wj_err *e);

/* Around the replacement of drop-in OLD of interface IFNAME by drop-in NEW
 * (the caller writes NEW, then removes OLD). */
int jailtx_replace_begin(const char *name, const char *ifname, const uint8_t old[WG_KEY_LEN],
			 const uint8_t new_key[WG_KEY_LEN], struct wj_err *e);
int jailtx_replace_end(const char *name, struct wj_err *e);

/* Finish or undo what a killed command left (under the jail's lock). */
int jailtx_recover(const char *name, struct wj_err *e);

#endif
