/* Decoder of UAPI replies (the text protocol of wireguard-go, boringtun
 * and wg(8)'s userspace backend): a pure function over bytes, fed in
 * pieces as they come from the socket, or over one buffer (fuzzing).
 *
 * A GET reply is "key=value\n" lines, then "errno=N\n", then an empty
 * line.  A SET reply is just "errno=N\n\n".  Rules:
 *  - a line is at most WG_UAPI_MAX_LINE bytes, a reply at most
 *    WG_UAPI_MAX_REPLY bytes; NUL bytes, lines without '=', empty keys,
 *    keys other than [a-z0-9_] and bad values of known keys are errors;
 *  - unknown keys with well-formed values are ignored (newer daemons add
 *    keys; ignoring them keeps an old wgjail working);
 *  - device keys (private_key, listen_port, fwmark) after the first
 *    public_key, a peer key before it, a peer listed twice, anything after
 *    errno but the empty line, or bytes after the empty line are errors;
 *  - errno is signed (wireguard-go sends -EINVAL, boringtun EINVAL): any
 *    non-zero value is a failure, reported with its absolute value;
 *  - the PSK gets WGPEER_HAS_PSK only when non-zero; the endpoint goes to
 *    peer->endpoint_addr (peer->endpoint stays NULL); boringtun's
 *    own_public_key is taken as the device's public key. */
#ifndef WGJAIL_UAPI_DECODE_H
#define WGJAIL_UAPI_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "wg/model.h"

struct wj_err;

#define WG_UAPI_MAX_LINE 4096
#define WG_UAPI_MAX_REPLY ((size_t)256 << 20)
/* The longest endpoint a set carries as text (a host name and port). */
#define WG_UAPI_ENDPOINT_TEXT_MAX 240

struct wg_uapi_dec;

/* SET_REPLY: accept only "errno=N" (the reply to a set). */
struct wg_uapi_dec *wg_uapi_dec_new(bool set_reply);
/* A set instead of a reply (what wg_uapi_write_set writes, wg/uapi_write.h):
 * "set=1" first, no errno, an empty line at the end; no key is unknown
 * (both ends are wgjail's); a key flags its field even when its value is
 * zero (a zero private_key or preshared_key removes it, a zero keepalive
 * turns it off); "true" is the only value of remove, update_only,
 * replace_allowed_ips and replace_peers; an endpoint that is not numeric
 * is kept as text (peer->endpoint: a host name for the sync engine).
 * The device taken is the change set, flags included. */
struct wg_uapi_dec *wg_uapi_dec_new_set(void);
/* Feed LEN bytes.  Returns 0 (need more), 1 (the reply is complete; *USED
 * says how many bytes of DATA belonged to it), or -1 with E set (a
 * protocol error, or the daemon's non-zero errno with E->code set). */
int wg_uapi_dec_feed(struct wg_uapi_dec *d, const char *data, size_t len, size_t *used, struct wj_err *e);
/* Streaming: each peer, once complete (at the next public_key or at
 * errno), is handed to FN and then dropped, so that a reply with many
 * peers is never held whole.  The device then only keeps its own fields,
 * which are complete when FN is first called.  A non-zero return from FN
 * stops decoding (feed returns -1 with FN's error).  Set before feeding. */
typedef int (*wg_uapi_peer_fn)(void *arg, const struct wg_device *dev, const struct wg_peer *peer,
			       struct wj_err *e);
void wg_uapi_dec_stream(struct wg_uapi_dec *d, wg_uapi_peer_fn fn, void *arg);
/* After feed returned 1: the decoded device (NULL for a set reply), owned
 * by the caller. */
struct wg_device *wg_uapi_dec_take(struct wg_uapi_dec *d);
void wg_uapi_dec_free(struct wg_uapi_dec *d); /* wipes */

/* A reply's errno=N, N > 0, as an error: -1, E naming it, E->code N.
 * (The decoder and the shape check, wg/uapi_frame.c, end a reply alike.) */
int wg_uapi_daemon_error(int daemon_errno, struct wj_err *e);

/* The whole reply in one buffer; trailing bytes are an error.  *OUT is a
 * new device (GET).  Returns 0 or -1 with E set.  Its users are
 * tests/fuzz/fuzz_uapi.c and tests/unit/test_uapi.c (the backend feeds the
 * decoder as the socket answers: wg_uapi_dec_*). */
int wg_uapi_decode(const char *buf, size_t len, struct wg_device **out, struct wj_err *e);
/* The same for a whole set (wg_uapi_dec_new_set). */
int wg_uapi_decode_set(const char *buf, size_t len, struct wg_device **out, struct wj_err *e);

#endif
