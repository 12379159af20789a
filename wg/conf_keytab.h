/* A set of public keys written in base64 inside a text, for the section
 * comparisons of wg/conf_sections.c and wg/conf_delta.c: open addressing
 * with 64-bit slots (a 32-bit tag of the key's hash and the span's index),
 * so that a probe rarely reads the text itself - 50,000 random reads of a
 * 5 MB text are what a naive table costs. */
#ifndef WGJAIL_CONF_KEYTAB_H
#define WGJAIL_CONF_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

#include "wg/conf_sections.h"

struct conf_keytab {
	uint64_t *slot;
	size_t mask;
	const char *text;
	const struct conf_span *v;
};

/* Room for N keys of spans V of TEXT. */
int conf_keytab_init(struct conf_keytab *t, const char *text, const struct conf_span *v, size_t n);
void conf_keytab_free(struct conf_keytab *t);

/* The index of the span whose key is KEY (44 characters), or SIZE_MAX; if
 * absent and INSERT_AS is not SIZE_MAX, span INSERT_AS is added. */
size_t conf_keytab_probe(struct conf_keytab *t, const char *key, size_t insert_as);

#endif
