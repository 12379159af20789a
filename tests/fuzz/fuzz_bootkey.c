/* libFuzzer: first-boot key insertion.  For any text: the scan and the
 * fill never crash; a filled text always scans as having a key; and when
 * the input is a valid wg config without a private key, the filled text
 * is still valid and carries exactly the inserted key. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/bootkey.h"
#include "util/err.h"
#include "keys/keys.h"
#include "wg/config.h"
#include "wg/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key_b64[] = "YIg8T3nFkpCgmtpP6eX0OhItJP0b6mxuvZ5bm7YuX1c=";
	const char *text = (const char *)data;
	struct wg_device *in = NULL, *out_dev = NULL;
	uint8_t key[WG_KEY_LEN];
	struct wj_err e = {0};
	char *out = NULL;
	size_t outlen = 0;

	if (keys_init() < 0)
		abort();
	if (bootkey_scan(text, size) == BOOTKEY_PRESENT)
		return 0;
	if (bootkey_fill(text, size, key_b64, &out, &outlen, &e) != 0)
		abort(); /* only allocation may fail */
	if (bootkey_scan(out, outlen) != BOOTKEY_PRESENT)
		abort();
	if (wg_config_parse(text, size, "in", &in, &e) == 0 && !(in->flags & WGDEV_HAS_PRIVATE_KEY)) {
		if (wg_config_parse(out, outlen, "out", &out_dev, &e) != 0)
			abort();
		if (!(out_dev->flags & WGDEV_HAS_PRIVATE_KEY) || !key_from_base64(key, key_b64) ||
		    memcmp(out_dev->private_key, key, WG_KEY_LEN) != 0 || out_dev->n_peers != in->n_peers)
			abort();
	}
	wg_device_free(in);
	wg_device_free(out_dev);
	sodium_memzero(out, outlen);
	free(out);
	return 0;
}
