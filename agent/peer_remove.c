/* `peer remove` as an operation on the jail's transaction
 * (agent/jailtx.h): the peer's drop-in is unlinked (then its index
 * links), or its section(s) are cut out of the main file, keeping every
 * other line. */
#include "agent/peer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/aipidx.h"
#include "agent/jailwg.h"
#include "util/err.h"
#include "wg/conf_edit.h"
#include "wg/config.h"

struct remove {
	const uint8_t *key;
	struct wg_device *one; /* the drop-in as parsed, NULL if it does not parse */
};

/* The drop-in: removed even if it does not parse (that repairs the
 * config); its index links are then stale, and harmless. */
static void edit_dropin(struct jailtx *t, struct remove *rm)
{
	struct wj_err ignored;

	wj_err_clear(&ignored);
	if (jailwg_parse_dropin(t->text, t->len, t->path, rm->key, &rm->one, &ignored) < 0)
		rm->one = NULL;
}

/* The main file: every [Peer] section of the key (a key listed twice goes
 * entirely).  A file wgjail wrote and parsed last need not be parsed
 * again; otherwise it is, before and after the edit. */
static int edit_main(struct jailtx *t, struct remove *rm, struct wj_err *e)
{
	struct conf_block b;
	char k[WG_KEY_B64_LEN + 1];
	bool known = jailtx_main_known(t);
	unsigned found = 0;

	key_to_base64(k, rm->key);
	if (!known && wg_config_parse(t->text, t->len, t->path, &t->dev, e) < 0)
		return -1;
	if (conf_doc_load(&t->doc, t->text, t->len, e) < 0)
		return -1;
	t->doc_loaded = true;
	while (conf_find_peer(&t->doc, rm->key, &b) == 1) {
		if (conf_remove_block(&t->doc, &b, e) < 0)
			return -1;
		found++;
	}
	if (!found) {
		if (t->dev && wg_device_find_peer(t->dev, rm->key))
			return wj_errf(e, "%s: cannot find the [Peer] section of %s to edit", t->path, k);
		return wj_errf(e, "%s: no peer %s", t->path, k);
	}
	if (known) {
		/* Whole sections removed from a file that parses: what is left
		 * is a sequence of complete sections, and parses. */
		if (!(t->new_text = conf_doc_text(&t->doc, &t->new_len)))
			return wj_errnof(e, ENOMEM, "%s", t->path);
		return 0;
	}
	if (jailtx_render(t, e) < 0)
		return -1;
	if (wg_device_find_peer(t->after, rm->key) || t->after->n_peers >= t->dev->n_peers)
		return wj_errf(e, "%s: the edited config does not read back as the peer removed (nothing written)",
			       t->path);
	return 0;
}

static int remove_edit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct remove *rm = arg;
	struct wg_device *ch;

	if (jailtx_index(t, e) < 0 || jailtx_read(t, rm->key, JAILTX_MAPPED, e) < 0)
		return -1;
	if (t->dropin)
		edit_dropin(t, rm);
	else if (edit_main(t, rm, e) < 0)
		return -1;
	if (!(ch = jailtx_changes(t, e)) || peer_remove_change(ch, rm->key, e) < 0)
		return -1;
	return 0;
}

/* The drop-in: the file first (the config is as before or after), then
 * its index links. */
static int remove_commit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct remove *rm = arg;

	if (!t->dropin)
		return jailtx_write(t, e);
	if (unlink(t->path) < 0)
		return wj_errnof(e, errno, "%s", t->path);
	t->written = true;
	if (jailwg_sync_dir(t->dir, e) < 0)
		return -1;
	if (rm->one && aipidx_remove(t->dir, rm->key, rm->one->peers[0].aips, rm->one->peers[0].n_aips, e) < 0)
		return -1;
	aipidx_stamp(t->dir);
	return 0;
}

static const struct jailtx_op remove_op = {"peer remove", 0, remove_edit, remove_commit};

int peer_remove(const char *jail, const uint8_t key[WG_KEY_LEN], struct jailtx_report *out, struct wj_err *e)
{
	struct remove rm = {.key = key};
	int r = jailtx_run(jail, &remove_op, &rm, NULL, out, e);

	wg_device_free(rm.one);
	return r;
}
