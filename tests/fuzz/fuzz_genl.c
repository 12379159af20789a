/* libFuzzer target: the WG_CMD_GET_DEVICE reply decoder over arbitrary
 * bytes (a buffer of netlink messages as read from the socket).  Seeds in
 * tests/fuzz/corpus/fuzz_genl/ are real-shaped dumps (tests/fuzz/gen_genl_seeds.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/genl_decode_linux.h"
#include "wg/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct wg_device *dev;
	struct wj_err e = {0, ""};
	void *buf;

	if (!init) {
		if (keys_init() < 0)
			abort();
		init = 1;
	}
	/* Netlink buffers are 4-byte aligned; give the decoder an aligned copy. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	dev = wg_device_new();
	if (dev) {
		if (wg_genl_decode_buf(dev, buf, size, &e) == 0) {
			/* Whatever was accepted must be usable. */
			for (size_t i = 0; i < dev->n_peers; i++)
				wg_peer_canonical_aips(&dev->peers[i]);
		}
		wg_device_free(dev);
	}
	free(buf);
	return 0;
}
