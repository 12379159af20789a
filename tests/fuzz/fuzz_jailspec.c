/* libFuzzer: the jail spec parser, and format/re-parse must agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jailspec.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_spec a, b;
	struct wj_err e = {0};
	char *text;

	if (jailspec_parse((const char *)data, size, "fuzz", "fuzz", &a, &e) != 0)
		return 0;
	text = jailspec_format(&a);
	if (!text)
		abort();
	if (jailspec_parse(text, strlen(text), "fuzz2", "fuzz", &b, &e) != 0 || memcmp(&a, &b, sizeof(a)) != 0)
		abort(); /* the canonical form must re-parse to the same spec */
	free(text);
	return 0;
}
