/* A growing text buffer for the generators: printf-style appends that
 * remember an allocation failure instead of reporting each one. */
#ifndef WGJAIL_RC_SBUF_H
#define WGJAIL_RC_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct rc_sbuf {
	char *p;       /* NUL-terminated once anything was appended */
	size_t len, cap;
	bool oom;
};

void rc_sb_printf(struct rc_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rc_sb_append(struct rc_sbuf *b, const char *s, size_t n);
/* Hand the text over (caller frees); NULL (and the buffer freed) after an
 * allocation failure.  An empty buffer gives "". */
char *rc_sb_take(struct rc_sbuf *b, size_t *len);
void rc_sb_free(struct rc_sbuf *b);

#endif
