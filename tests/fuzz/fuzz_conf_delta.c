/* libFuzzer: the cut of a wg0.conf into sections and the delta between two
 * of them (wg/conf_sections.h, wg/conf_delta.h), against the full cut, a
 * comparison done the slow way and the real parser (conf_delta_check.h).
 * The input is OLD, a NUL byte, NEW; without a NUL, NEW is OLD with its
 * middle third reversed (a local edit). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/conf_delta_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *t = (const char *)data, *nul = memchr(data, '\0', size);
	char *edit;

	if (!ready) {
		if (keys_init() < 0)
			abort();
		ready = 1;
	}
	if (nul) {
		conf_delta_check(t, (size_t)(nul - t), nul + 1, size - (size_t)(nul - t) - 1);
		return 0;
	}
	if (!(edit = malloc(size + 1)))
		return 0;
	memcpy(edit, t, size);
	for (size_t a = size / 3, b = 2 * size / 3; a + 1 < b; a++, b--) {
		char c = edit[a];
		edit[a] = edit[b - 1];
		edit[b - 1] = c;
	}
	conf_delta_check(t, size, edit, size);
	conf_delta_check(edit, size, t, size);
	free(edit);
	return 0;
}
