/* Rendering a device read from a backend: text like `wg show`, and JSON
 * (schema in wgjail(8), JSON OUTPUT).  Private keys and PSKs are never
 * shown: the private key is "(hidden)", a PSK is "(hidden)" in text and
 * "preshared_key": true in JSON. */
#ifndef WGJAIL_SHOW_H
#define WGJAIL_SHOW_H

#include <stdio.h>
#include <time.h>

#include "wg/model.h"

/* NOW is the wall-clock time used for handshake ages. */
void wg_show_text(FILE *f, const struct wg_device *dev, time_t now);
/* One interface object of the JSON schema (no trailing newline). */
void wg_show_json(FILE *f, const struct wg_device *dev, time_t now);
/* The same without its closing brace, for a caller that adds members. */
void wg_show_json_open(FILE *f, const struct wg_device *dev, time_t now);
/* JSON string literal of S (quotes included). */
void wg_json_string(FILE *f, const char *s);
/* "1 day, 2 hours, 3 minutes, 4 seconds"; "0 seconds" for 0. */
char *wg_show_age(char *out, size_t outsz, long long secs);
/* "1.50 KiB", "12 B". */
char *wg_show_bytes(char *out, size_t outsz, unsigned long long bytes);

#endif
