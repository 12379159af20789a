/* libFuzzer: the UAPI reply decoder.  The whole buffer and the same bytes
 * fed in pieces must give the same verdict and the same device; a decoded
 * device must survive rendering (show, JSON) and planning against it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/plan.h"
#include "wg/show.h"
#include "wg/uapi_decode.h"

static int chunked(const uint8_t *data, size_t size, size_t step, struct wg_device **out)
{
	struct wg_uapi_dec *d = wg_uapi_dec_new(false);
	struct wj_err e = {0};
	size_t off = 0, used;
	int r = 0;

	*out = NULL;
	if (!d)
		abort();
	while (off < size && r == 0) {
		size_t n = size - off < step ? size - off : step;
		r = wg_uapi_dec_feed(d, (const char *)data + off, n, &used, &e);
		off += used;
	}
	if (r == 1 && off != size)
		r = -1;
	if (r == 1)
		*out = wg_uapi_dec_take(d);
	wg_uapi_dec_free(d);
	return r == 1 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct wg_device *a = NULL, *b = NULL, *plan;
	struct wj_err e = {0};
	int ra, rb;
	FILE *f;

	if (!init) {
		if (keys_init() < 0)
			abort();
		init = 1;
	}
	ra = wg_uapi_decode((const char *)data, size, &a, &e);
	rb = chunked(data, size, size ? (size_t)data[0] % 17 + 1 : 1, &b);
	if (ra != rb || (ra == 0 && (!a || !b || a->n_peers != b->n_peers || a->listen_port != b->listen_port)))
		abort();
	if (ra == 0) {
		for (size_t i = 0; i < a->n_peers; i++) {
			const struct wg_peer *p = &a->peers[i];
			if ((p->flags & WGPEER_HAS_PSK) && key_is_zero(p->psk))
				abort();
			if (memcmp(p, &b->peers[i], offsetof(struct wg_peer, endpoint)) != 0)
				abort();
		}
		f = fopen("/dev/null", "w");
		if (f) {
			wg_show_text(f, a, 1700000000);
			wg_show_json(f, a, 1700000000);
			fclose(f);
		}
		/* planning a device against itself changes nothing */
		plan = wg_plan(a, b, &e);
		if (!plan || plan->n_peers != 0)
			abort();
		wg_device_free(plan);
	}
	wg_device_free(a);
	wg_device_free(b);
	return 0;
}
