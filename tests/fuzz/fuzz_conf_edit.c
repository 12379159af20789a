/* libFuzzer target for wg/conf_edit and the peer-add pre-check scan:
 * loading and re-rendering any input gives it back byte for byte; finding,
 * removing, appending and setting values never crash; the scanners accept
 * anything. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/peer.h"
#include "util/err.h"
#include "keys/keys.h"
#include "wg/conf_edit.h"

static int count(void *arg, const char *section, const char *key, const char *value, unsigned line)
{
	(void)section;
	(void)value;
	(void)line;
	if (key)
		(*(size_t *)arg)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_doc d;
	struct wj_err e = {0};
	struct conf_block b;
	const char *text = (const char *)data;
	uint8_t key[WG_KEY_LEN];
	char *out;
	size_t n = 0, crlf, lf;
	static int init;

	if (!init) {
		keys_init();
		init = 1;
	}
	memset(key, 0x11, sizeof(key));
	if (conf_doc_load(&d, text, size, &e) < 0)
		return 0;
	out = conf_doc_text(&d, &n);
	if (!out || n != size || memcmp(out, data, size) != 0)
		abort();
	conf_doc_free_text(out, n);
	if (conf_find_interface(&d, &b) == 1)
		conf_set_value(&d, &b, "PrivateKey", "x", &e);
	for (size_t from = 0; conf_find_peer_from(&d, key, from, &b) == 1; from = b.end)
		conf_set_value(&d, &b, "PresharedKey", "y", &e);
	if (conf_find_peer(&d, key, &b) == 1)
		conf_remove_block(&d, &b, &e);
	out = conf_doc_text(&d, &n);
	conf_doc_free_text(out, n);
	conf_doc_free(&d);

	n = 0;
	conf_scan(text, size, count, &n, &crlf, &lf);
	{
		struct peer_add_req req;
		struct wg_ipmask aip = {.family = AF_INET, .cidr = 32};
		struct peer_scan r;
		memset(&req, 0, sizeof(req));
		memcpy(req.public_key, key, sizeof(key));
		req.aips = &aip;
		req.n_aips = 1;
		peer_scan_for_add(text, size, &req, &r);
	}
	return 0;
}
