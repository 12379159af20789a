/* First-boot keys (see agent/bootkey.h). */
#include "agent/bootkey.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/jailspec.h"
#include "agent/jailtx.h"
#include "agent/keyguard.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/safefile.h"
#include "keys/keys.h"
#include "wg/conf_lex.h"

#define NONE SIZE_MAX

struct scan {
	enum bootkey_need need;
	size_t hdr_end;              /* just after the first [Interface] line */
	size_t key_start, key_end;   /* the PrivateKey line to replace (no newline) */
};

/* The first [Interface]'s header and its PrivateKey lines, read with the
 * wg0.conf lexer (wg/conf_lex.h): as wg(8) reads them. */
static void scan(const char *text, size_t len, struct scan *r)
{
	bool in_iface = false;
	struct conf_lex lx;
	struct conf_tok t;

	r->need = BOOTKEY_MISSING;
	r->hdr_end = r->key_start = r->key_end = NONE;
	conf_lex_init(&lx, text, len);
	while (conf_lex_next(&lx, &t)) {
		if (t.kind == CONF_LEX_SECTION) {
			in_iface = conf_lex_section(text, &t) == CONF_SEC_INTERFACE;
			if (in_iface && r->hdr_end == NONE)
				r->hdr_end = t.next;
		} else if (in_iface && conf_lex_key_is(text, &t, "privatekey")) {
			if (t.ve > t.vs && !conf_lex_squeezed_is(text + t.vs, t.ve - t.vs, "generate")) {
				r->need = BOOTKEY_PRESENT;
				return;
			}
			if (r->key_start == NONE) {
				r->need = BOOTKEY_GENERATE;
				r->key_start = t.off;
				r->key_end = t.next - (t.flags & CONF_LEX_EOL ? 1 : 0); /* the '\n' */
			}
		}
	}
}

enum bootkey_need bootkey_scan(const char *text, size_t len)
{
	struct scan r;

	scan(text, len, &r);
	return r.need;
}

int bootkey_fill(const char *text, size_t len, const char *key_b64, char **out, size_t *outlen, struct wj_err *e)
{
	char line[WG_KEY_B64_LEN + 32];
	size_t ll, cut_from, cut_to, n;
	const char *prefix = "";
	struct scan r;
	char *buf;

	*out = NULL;
	*outlen = 0;
	scan(text, len, &r);
	if (r.need == BOOTKEY_PRESENT)
		return wj_errf(e, "the file already has a private key");
	ll = (size_t)snprintf(line, sizeof(line), "PrivateKey = %s\n", key_b64);
	if (r.need == BOOTKEY_GENERATE) {
		cut_from = r.key_start;
		cut_to = r.key_end < len ? r.key_end + 1 : len; /* with its newline */
	} else if (r.hdr_end != NONE) {
		cut_from = cut_to = r.hdr_end;
		/* The header was the last line, without a newline. */
		if (cut_from == len && len && text[len - 1] != '\n')
			prefix = "\n";
	} else {
		cut_from = cut_to = 0;
		prefix = "[Interface]\n";
	}
	n = len - (cut_to - cut_from) + ll + strlen(prefix);
	if (!(buf = malloc(n + 1))) {
		sodium_memzero(line, sizeof(line));
		return wj_errnof(e, ENOMEM, "adding a private key");
	}
	memcpy(buf, text, cut_from);
	memcpy(buf + cut_from, prefix, strlen(prefix));
	memcpy(buf + cut_from + strlen(prefix), line, ll);
	memcpy(buf + cut_from + strlen(prefix) + ll, text + cut_to, len - cut_to);
	buf[n] = '\0';
	sodium_memzero(line, sizeof(line));
	*out = buf;
	*outlen = n;
	return 0;
}

/* The operation on the jail's transaction (agent/jailtx.h). */
struct bootkey {
	uint8_t pub[WG_KEY_LEN];
	bool generated;
};

/* A new key in TEXT (the main file, or a fresh one), as NEW_TEXT. */
static int fill(struct jailtx *t, struct bootkey *bk, const char *text, size_t len, struct wj_err *e)
{
	uint8_t key[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN + 1];
	int r;

	key_generate_private(key);
	r = key_public_from_private(bk->pub, key);
	key_to_base64(b64, key);
	sodium_memzero(key, sizeof(key));
	if (r == 0)
		r = bootkey_fill(text, len, b64, &t->new_text, &t->new_len, e);
	else
		wj_errf(e, "key generation failed");
	sodium_memzero(b64, sizeof(b64));
	bk->generated = r == 0;
	return r;
}

/* Only for a jail that never had a key and is not running
 * (agent/keyguard.h). */
static int bootkey_edit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct bootkey *bk = arg;
	const struct jail_spec *s = &t->spec;

	if (!wj_exists(t->main_path)) {
		char fresh[64];
		if (s->listen_port)
			snprintf(fresh, sizeof(fresh), "[Interface]\nListenPort = %u\n", s->listen_port);
		else
			snprintf(fresh, sizeof(fresh), "[Interface]\n");
		if (keyguard_first_key(s->name, t->main_path, NULL, 0, true, e) < 0)
			return -1;
		return fill(t, bk, fresh, strlen(fresh), e);
	}
	if (jailtx_read(t, NULL, 0, e) < 0)
		return -1;
	if (bootkey_scan(t->text, t->len) == BOOTKEY_PRESENT)
		return 0;
	if (keyguard_first_key(s->name, t->main_path, t->text, t->len, true, e) < 0)
		return -1;
	return fill(t, bk, t->text, t->len, e);
}

/* The file written atomically (0600), then the key recorded as the
 * jail's. */
static int bootkey_commit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct bootkey *bk = arg;
	struct wj_err ignored;

	if (!bk->generated)
		return 0;
	if (wj_write_atomic(t->path, t->new_text, t->new_len, 0600, e) < 0)
		return -1;
	t->written = true;
	keyguard_record(t->name, bk->pub, &ignored); /* a safeguard, not a dependency */
	return 0;
}

static const struct jailtx_op bootkey_op = {"first-boot key", 0, bootkey_edit, bootkey_commit};

int bootkey_ensure(const struct jail_spec *s, bool *generated, struct wj_err *e)
{
	struct bootkey bk = {.generated = false};
	struct jailtx_report out;
	int r = jailtx_run(s->name, &bootkey_op, &bk, NULL, &out, e);

	*generated = r == 0 && bk.generated;
	if (r < 0)
		wj_err_prefix(e, "jail %s: first-boot key", s->name);
	return r;
}
