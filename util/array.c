/* Growing a heap array (see util/array.h). */
#include "util/array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

void *wj_grow(void *v, size_t *cap, size_t n, size_t size, size_t min)
{
	size_t want;
	void *nv;

	if (n < *cap)
		return v;
	want = *cap ? *cap * 2 : min;
	if (want < *cap || (size && want > SIZE_MAX / size)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!(nv = realloc(v, want * size)))
		return NULL;
	*cap = want;
	return nv;
}
