/* Wiped scratch memory (see util/secmem.h).  The size is kept in front of
 * the block, so that the whole of it is wiped. */
#include "util/secmem.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HEAD 16 /* keeps the block aligned as malloc's */

void *wj_secret_alloc(size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - HEAD - 1 || !(p = malloc(HEAD + n + 1)))
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + HEAD;
}

void wj_secret_free(void *mem)
{
	unsigned char *p = mem;
	size_t n;

	if (!p)
		return;
	p -= HEAD;
	memcpy(&n, p, sizeof(n));
	sodium_memzero(p, HEAD + n + 1);
	free(p);
}
