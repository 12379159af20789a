/* Scratch memory that may hold secrets (config text, keys): heap memory,
 * wiped when freed.  For the short-lived buffers of one command, where
 * sodium_malloc's guard pages would cost several system calls each; the
 * device's private key keeps its sodium_malloc memory (wg/model.c). */
#ifndef WGJAIL_SECMEM_H
#define WGJAIL_SECMEM_H

#include <stddef.h>

/* N bytes (and one more, so that text can be NUL-terminated); NULL if out
 * of memory. */
void *wj_secret_alloc(size_t n);
/* Wipe and free P (from wj_secret_alloc; NULL is fine). */
void wj_secret_free(void *p);

#endif
