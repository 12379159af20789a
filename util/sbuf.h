/* A growing text buffer: printf-style appends that
 * remember an allocation failure instead of reporting each one. */
#ifndef WGJAIL_SBUF_H
#define WGJAIL_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct wj_sbuf {
	char *p;       /* NUL-terminated once anything was appended */
	size_t len, cap;
	bool oom;
};

void wj_sb_printf(struct wj_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wj_sb_append(struct wj_sbuf *b, const char *s, size_t n);
/* Room for MORE bytes more, allocated now (one allocation for a text
 * whose size is known about): false after an allocation failure. */
bool wj_sb_reserve(struct wj_sbuf *b, size_t more);
/* Hand the text over (caller frees); NULL (and the buffer freed) after an
 * allocation failure.  An empty buffer gives "". */
char *wj_sb_take(struct wj_sbuf *b, size_t *len);
void wj_sb_free(struct wj_sbuf *b);

#endif
