/* A text as a QR code (libqrencode does the encoding; this file only
 * draws the modules):
 *   QR_UTF8  for a terminal: two rows of modules per line as Unicode half
 *            blocks, light modules drawn (a dark background shows them as
 *            `qrencode -t utf8` does), a quiet zone of 2 modules;
 *   QR_SVG   an SVG image (plain text), quiet zone of 4;
 *   QR_PNG   a PNG image (libpng: 8-bit grey, 8 pixels per module),
 *            quiet zone of 4.
 * The text is usually a wg-quick config with a private key: the encoder's
 * module buffer, libpng's buffers and the output are wiped (qr_free). */
#ifndef WGJAIL_QR_H
#define WGJAIL_QR_H

#include <stddef.h>

struct wj_err;

enum qr_form { QR_UTF8, QR_SVG, QR_PNG };

/* TEXT drawn in FORM into *OUT (heap, *LEN bytes; release with qr_free). */
int qr_render(const char *text, enum qr_form form, char **out, size_t *len, struct wj_err *e);
void qr_free(char *buf, size_t len);

/* The image form a file name asks for (".svg", ".png", any case); -1 and
 * E naming PATH otherwise. */
int qr_form_of_path(const char *path, enum qr_form *form, struct wj_err *e);

#endif
