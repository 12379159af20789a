/* Key files: one base64 key, optional trailing whitespace, mode 0600. */
#ifndef WGJAIL_KEYFILE_H
#define WGJAIL_KEYFILE_H

#include <stdint.h>
#include <stdio.h>

#include "keys/keys.h"

struct wj_err;

/* Read exactly one key from PATH.  A file readable by group or others is
 * refused with a message naming the path.  KEY is zeroed on failure. */
int keyfile_read(const char *path, uint8_t key[WG_KEY_LEN], struct wj_err *e);
/* Read one key from a stream as `wg pubkey` does: exactly 44 characters,
 * then only whitespace or NUL until EOF.  NAME labels errors. */
int key_read_stream(FILE *f, const char *name, uint8_t key[WG_KEY_LEN], struct wj_err *e);

#endif
