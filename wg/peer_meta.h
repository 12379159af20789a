/* What wgjail keeps about a peer besides what WireGuard needs: its name,
 * an expiry and a disabled mark.  They are comment lines inside the
 * peer's [Peer] section, so that wg(8), wg-quick and `wg syncconf` ignore
 * them and every line editor keeps them:
 *
 *   [Peer]
 *   # Name = alice
 *   # Expires = 2027-01-01T00:00:00Z
 *   # Disabled = yes
 *   PublicKey = ...
 *
 * The key is matched without regard to case, blanks around '=' and after
 * '#' are free; any other comment is just a comment.  A value that is not
 * valid (a name with other characters, a date that does not parse) is an
 * error naming file:line (wg/config_parse.c reads them).  A peer that is
 * disabled or whose expiry has passed is "inactive": it stays in the
 * jail's files (so it can be enabled again with the same key and
 * address) but never reaches an interface or a file that wg(8) reads. */
#ifndef WGJAIL_PEER_META_H
#define WGJAIL_PEER_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg/conf_lex.h"
#include "wg/model.h"

struct wj_err;

enum wg_meta_kind { WG_META_NONE, WG_META_NAME, WG_META_EXPIRES, WG_META_DISABLED };

/* The keys as written by wgjail, indexed by enum wg_meta_kind. */
extern const char *const wg_meta_keys[];

/* Is comment line T (CONF_LEX_COMMENT) one of ours?  Its kind, and the
 * value's span [*VS, *VE) in TEXT (blanks trimmed). */
enum wg_meta_kind wg_meta_comment(const char *text, const struct conf_tok *t, size_t *vs, size_t *ve);

/* NULL if S[0..N) is a valid peer name ([A-Za-z0-9_.@-], 1-63
 * characters), else why not. */
const char *wg_peer_name_invalid(const char *s, size_t n);

/* "2027-01-01T00:00:00Z" (UTC, 'Z' required) or "2027-01-01" (midnight
 * UTC) into seconds since the epoch; -1 if S[0..N) is neither. */
int wg_time_parse(const char *s, size_t n, int64_t *out);
/* T as "2027-01-01T00:00:00Z" (OUT: at least 21 bytes). */
char *wg_time_fmt(int64_t t, char *out, size_t sz);

/* Given to a peer by the interface: neither disabled nor expired at NOW. */
static inline bool wg_peer_active(const struct wg_peer *p, int64_t now)
{
	return !p->disabled && (p->expires == 0 || p->expires > now);
}

/* Remove DEV's inactive peers (those a live interface must not have). */
void wg_device_drop_inactive(struct wg_device *dev, int64_t now);

/* In block B of DOC (a [Peer] section, wg/conf_edit.h), make the comment
 * of KIND say VALUE: its line replaced ("# Key = VALUE"), or inserted just
 * after the header; VALUE NULL removes every such line (up to the next
 * header, as the parser reads them).  B->end kept in
 * step.  -1 on ENOMEM. */
struct conf_doc;
struct conf_block;
int wg_meta_set(struct conf_doc *doc, struct conf_block *b, enum wg_meta_kind kind, const char *value,
		struct wj_err *e);

/* Copy the names, expiries and marks of CONF's peers onto the same
 * peers of LIVE (a device read from an interface knows none of them). */
void wg_device_copy_meta(struct wg_device *live, const struct wg_device *conf);

/* The earliest expiry of DEV's peers after NOW (seconds), 0 if none. */
int64_t wg_device_next_expiry(const struct wg_device *dev, int64_t now);

#endif
