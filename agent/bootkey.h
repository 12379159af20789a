/* First boot: giving a jail its private key.
 *
 * A jail's IF.conf needs a key when it does not exist, when its
 * [Interface] has no PrivateKey, or when PrivateKey is empty or the word
 * "generate" (OpenWrt's convention for images built without keys).  The
 * key is generated, written into the file (the rest of the file is kept
 * as it is, comments included), and the file replaced atomically with mode
 * 0600, under the jail's edit lock, before anything uses it. */
#ifndef WGJAIL_BOOTKEY_H
#define WGJAIL_BOOTKEY_H

#include <stdbool.h>
#include <stddef.h>

struct jail_spec;
struct wj_err;

enum bootkey_need {
	BOOTKEY_PRESENT,  /* PrivateKey has a value (valid or not: the parser judges) */
	BOOTKEY_MISSING,  /* no PrivateKey in [Interface] (or no [Interface]) */
	BOOTKEY_GENERATE, /* PrivateKey is empty or "generate" */
};

/* Scan TEXT[0..LEN) as wg(8) reads lines (whitespace removed, '#' starts
 * a comment, keys and section names case-insensitive). */
enum bootkey_need bootkey_scan(const char *text, size_t len);

/* The text with KEY_B64 put in as the PrivateKey (replacing an empty or
 * "generate" value, else inserted after the first [Interface] header, or
 * in a new [Interface] section at the top).  *OUT is a heap buffer holding
 * a secret: wipe it (sodium_memzero) before freeing.  Returns 0, or -1
 * with E set if nothing is to be done (BOOTKEY_PRESENT) or out of memory. */
int bootkey_fill(const char *text, size_t len, const char *key_b64, char **out, size_t *outlen, struct wj_err *e);

/* Make CONFDIR/NAME/IF.conf of S hold a private key (creating the file
 * with [Interface], PrivateKey and the spec's ListenPort if it is
 * missing), as an operation on the jail's transaction (agent/jailtx.h),
 * and record it as the jail's key.  *GENERATED tells whether a key was
 * made.  Returns 0 or -1. */
int bootkey_ensure(const struct jail_spec *s, bool *generated, struct wj_err *e);

#endif
