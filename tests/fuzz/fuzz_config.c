/* libFuzzer: the wg0.conf parser; for every accepted input the canonical
 * text must re-parse, and be a fixed point of format(parse(.)). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct wg_device *a, *b;
	struct wj_err e = {0};
	char *t1, *t2;
	size_t n1, n2;

	if (!ready) {
		if (keys_init() < 0)
			abort();
		ready = 1;
	}
	if (wg_config_parse((const char *)data, size, "fuzz", &a, &e) != 0) {
		if (!e.msg[0] || a)
			abort(); /* a failure always says why, and allocates nothing */
		return 0;
	}
	t1 = wg_config_format(a, 0, &n1);
	if (!t1)
		abort();
	if (wg_config_parse(t1, n1, "fuzz2", &b, &e) != 0) {
		fprintf(stderr, "canonical text does not re-parse: %s\n", e.msg);
		abort();
	}
	t2 = wg_config_format(b, 0, &n2);
	if (!t2 || n1 != n2 || memcmp(t1, t2, n1) != 0 || a->n_peers != b->n_peers || a->flags != b->flags)
		abort();
	wg_config_free_text(t1, n1);
	wg_config_free_text(t2, n2);
	wg_device_free(a);
	wg_device_free(b);
	return 0;
}
