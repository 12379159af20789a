/* libFuzzer: the UAPI reply decoder.  The whole buffer and the same bytes
 * fed in pieces must give the same verdict and the same device; a decoded
 * device must survive rendering (show, JSON) and planning against it.
 * The same bytes read as a set (wg_uapi_decode_set: the jail call's
 * request, agent/jailcall_proto.h): a set that decodes is written again
 * (wg_uapi_write_set) and must decode to the same change set, flags
 * included.  The shape check that the process in a jail makes before it
 * passes a reply through (wg/uapi_frame.h): the same verdict fed whole
 * or in pieces, and it accepts whatever the decoder accepts, ending at
 * the same byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/plan.h"
#include "wg/show.h"
#include "wg/uapi_decode.h"
#include "wg/uapi_frame.h"
#include "wg/uapi_write.h"

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

/* DATA through the shape check in pieces of STEP: 1 (ended, *END bytes
 * in), 0 (not ended), -1 (refused). */
static int framed(const uint8_t *data, size_t size, size_t step, size_t *end)
{
	struct wg_uapi_frame f;
	struct wj_err e = {0};
	size_t off = 0, used;
	int r = 0;

	wg_uapi_frame_init(&f);
	while (off < size && r == 0) {
		size_t n = size - off < step ? size - off : step;
		r = wg_uapi_frame_feed(&f, (const char *)data + off, n, &used, &e);
		off += used;
	}
	*end = off;
	return r;
}

static void frame_check(const uint8_t *data, size_t size, int decoded)
{
	size_t end_whole, end_chunked;
	int whole = framed(data, size, size ? size : 1, &end_whole);
	int chunked_r = framed(data, size, size ? (size_t)data[size - 1] % 13 + 1 : 1, &end_chunked);

	if (whole != chunked_r || (whole == 1 && end_whole != end_chunked))
		abort();
	/* a reply the decoder takes whole passes the check, whole */
	if (decoded == 0 && (whole != 1 || end_whole != size))
		abort();
}

static bool same_peer(const struct wg_peer *p, const struct wg_peer *q)
{
	if (memcmp(p->public_key, q->public_key, WG_KEY_LEN) || p->flags != q->flags)
		return false;
	if (p->flags & WGPEER_REMOVE)
		return true;
	if (((p->flags & WGPEER_HAS_PSK) && memcmp(p->psk, q->psk, WG_KEY_LEN)) || p->keepalive != q->keepalive ||
	    !wg_sockaddr_equal(&p->endpoint_addr, &q->endpoint_addr) || p->n_aips != q->n_aips ||
	    (!p->endpoint) != (!q->endpoint) || (p->endpoint && strcmp(p->endpoint, q->endpoint)))
		return false;
	for (size_t j = 0; j < p->n_aips; j++)
		if (wg_ipmask_cmp(&p->aips[j], &q->aips[j]))
			return false;
	return true;
}

/* DATA as a set: decoded, written, decoded again, the same. */
static void set_form(const uint8_t *data, size_t size)
{
	struct wg_device *a = NULL, *b = NULL;
	struct wj_err e = {0};
	char *buf;
	size_t n;
	FILE *f;

	if (wg_uapi_decode_set((const char *)data, size, &a, &e) < 0)
		return;
	if (!(f = tmpfile()))
		abort();
	if (wg_uapi_write_set(fileno(f), "wg0", a, WG_UAPI_SET_REQUEST, &e) < 0)
		abort(); /* what was read can be written */
	n = (size_t)ftell(f);
	rewind(f);
	if (!(buf = malloc(n + 1)) || fread(buf, 1, n, f) != n)
		abort();
	fclose(f);
	if (wg_uapi_decode_set(buf, n, &b, &e) < 0)
		abort();
	if (a->flags != b->flags || a->n_peers != b->n_peers || (!a->private_key) != (!b->private_key) ||
	    (a->private_key && memcmp(a->private_key, b->private_key, WG_KEY_LEN)) ||
	    ((a->flags & WGDEV_HAS_LISTEN_PORT) && a->listen_port != b->listen_port) ||
	    ((a->flags & WGDEV_HAS_FWMARK) && a->fwmark != b->fwmark))
		abort();
	for (size_t i = 0; i < a->n_peers; i++)
		if (!same_peer(&a->peers[i], &b->peers[i]))
			abort();
	free(buf);
	wg_device_free(a);
	wg_device_free(b);
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
	frame_check(data, size, ra);
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
	set_form(data, size);
	return 0;
}
