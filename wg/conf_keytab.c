/* Key sets for section comparisons (see wg/conf_keytab.h). */
#include "wg/conf_keytab.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key_hash(const char *key)
{
	uint64_t h, h2;

	memcpy(&h, key, sizeof(h));
	memcpy(&h2, key + 8, sizeof(h2));
	/* base64 text carries 6 bits a byte: spread them */
	h = (h ^ (h2 * 0xff51afd7ed558ccdull)) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

int conf_keytab_init(struct conf_keytab *t, const char *text, const struct conf_span *v, size_t n)
{
	size_t size = 16;

	while (size < n * 2)
		size *= 2;
	t->mask = size - 1;
	t->text = text;
	t->v = v;
	return (t->slot = calloc(size, sizeof(*t->slot))) ? 0 : -1;
}

void conf_keytab_free(struct conf_keytab *t)
{
	free(t->slot);
	t->slot = NULL;
}

size_t conf_keytab_probe(struct conf_keytab *t, const char *key, size_t insert_as)
{
	uint64_t h = key_hash(key), tag = h >> 32;

	for (size_t i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
		uint64_t s = t->slot[i];
		if (!s) {
			if (insert_as != SIZE_MAX)
				t->slot[i] = tag << 32 | (uint64_t)(insert_as + 1);
			return SIZE_MAX;
		}
		if (s >> 32 == tag && !memcmp(t->text + t->v[(uint32_t)s - 1].key, key, WG_KEY_B64_LEN))
			return (uint32_t)s - 1;
	}
}
