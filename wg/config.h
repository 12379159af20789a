/* wg0.conf: the wg(8) configuration format plus wg-quick's [Interface]
 * keys, read into and written from the one model (wg/model.h).
 *
 * Parsing follows wireguard-tools' semantics (what `wg setconf` accepts,
 * this accepts with the same meaning), with errors that name
 * PATH:LINE, the key and the offending value (never key material). */
#ifndef WGJAIL_CONFIG_H
#define WGJAIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "wg/model.h"

struct wj_err;

/* Parse TEXT[0..LEN) (the contents of PATH, used in messages) into a new
 * device.  On failure *OUT is NULL and nothing is allocated. */
int wg_config_parse(const char *text, size_t len, const char *path, struct wg_device **out, struct wj_err *e);
/* Does TEXT[0..LEN) parse?  (Is a file wgjail would replace its own?) */
bool wg_config_is_valid(const char *text, size_t len);

enum wg_config_write_flags {
	WG_CONFIG_STRIP_QUICK = 1u << 0, /* omit wg-quick keys: what plain wg(8) accepts */
	WG_CONFIG_HIDE_KEYS = 1u << 1,   /* PrivateKey/PresharedKey shown as "(hidden)" */
};

/* The canonical text of DEV: parse(format(m)) equals m.  Returns a
 * NUL-terminated heap buffer that may hold secrets: release it with
 * wg_config_free_text, which wipes it. */
char *wg_config_format(const struct wg_device *dev, unsigned flags, size_t *len);
void wg_config_free_text(char *text, size_t len);

#endif
