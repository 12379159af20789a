/* The remote side's wg-quick config for a peer of a jail: what `wgjail
 * export` prints and `peer add --generate-key` hands over, as text, as a
 * QR code for the terminal, or as a QR code image file (util/qr.h).
 * The text may hold the remote's new private key: it is built in secure
 * memory and wiped. */
#ifndef WGJAIL_EXPORT_TEXT_H
#define WGJAIL_EXPORT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/jailspec.h"
#include "wg/model.h"

struct wj_err;

struct export_form {
	bool qr;                /* a QR code for the terminal instead of the text */
	const char *qr_file;    /* NULL, or write a QR code image there (0600), nothing on stdout */
	bool default_route;     /* AllowedIPs = 0.0.0.0/0, ::/0 */
};

/* The config for peer P of JAIL (SPEC, the jail's public key JAIL_PUB);
 * PRIV_B64 the remote's private key or NULL.  *OUT is sodium_malloc'd
 * (release with sodium_free). */
int export_render(const char *jail, const struct jail_spec *spec, const uint8_t jail_pub[WG_KEY_LEN],
		  const struct wg_peer *p, const char *priv_b64, bool default_route, char **out, size_t *len,
		  struct wj_err *e);

/* Render and emit in FORM: stdout (text or terminal QR code), or the
 * image file; the output is checked (cmd_output_done). */
int export_emit(const char *jail, const struct jail_spec *spec, const uint8_t jail_pub[WG_KEY_LEN],
		const struct wg_peer *p, const char *priv_b64, const struct export_form *form, struct wj_err *e);

/* A QR option's file name checked before anything changes. */
int export_form_check(const struct export_form *form, struct wj_err *e);

#endif
