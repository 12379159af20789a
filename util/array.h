/* Growing a heap array by doubling: the one place that does it. */
#ifndef WGJAIL_ARRAY_H
#define WGJAIL_ARRAY_H

#include <stddef.h>

/* Room for one more element in array V (N used, *CAP allocated, SIZE bytes
 * each): V as it is when N < *CAP, else V reallocated to twice *CAP (MIN
 * when empty) and *CAP updated.  NULL (errno ENOMEM) leaves V and *CAP as
 * they were: the caller stores the result only when it is not NULL. */
void *wj_grow(void *v, size_t *cap, size_t n, size_t size, size_t min);

#endif
