/* The shape of a UAPI GET reply, checked as it streams by without
 * decoding it: what the process inside a jail (agent/jailcall_child.c)
 * checks before it passes the daemon's reply through to the process that
 * asked, which decodes it (wg/uapi_decode.h) as it would any bytes from
 * the jail.
 *
 * Checked, with the decoder's limits and words (wg/uapi_decode.h): a line
 * is at most WG_UAPI_MAX_LINE bytes, the reply at most WG_UAPI_MAX_REPLY;
 * a non-empty line is a key of [a-z0-9_] and '=' then a value without NUL
 * bytes; "errno=N" (N decimal, optionally negative, at most 4095) is the
 * last line before the empty one that ends the reply.  A daemon's non-zero
 * errno is its error (E->code set to it), as the decoder reports it.
 * Whatever the decoder accepts, this accepts, ending at the same byte
 * (tests/fuzz/fuzz_uapi.c holds it to that); the decoder checks the rest. */
#ifndef WGJAIL_UAPI_FRAME_H
#define WGJAIL_UAPI_FRAME_H

#include <stdbool.h>
#include <stddef.h>

struct wj_err;

struct wg_uapi_frame {
	size_t total, lineno, linelen;
	size_t keylen, vlen;     /* of the current line */
	bool in_value, neg, have_errno, done;
	char key[6];             /* the key's first bytes: is it "errno"? */
	unsigned long errval;    /* the errno line's value so far */
	int daemon_errno;
};

void wg_uapi_frame_init(struct wg_uapi_frame *f);
/* As wg_uapi_dec_feed: 0 (need more), 1 (the reply ended; *USED bytes of
 * DATA belong to it), or -1 with E set (*USED: the bytes checked). */
int wg_uapi_frame_feed(struct wg_uapi_frame *f, const char *data, size_t len, size_t *used, struct wj_err *e);

#endif
