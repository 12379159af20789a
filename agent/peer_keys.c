/* The key operations on a jail's transaction (agent/jailtx.h): `rotate`
 * (a new interface key), `rotate --peer` (a new PSK for one peer) and
 * `export --generate-remote-key` (a peer's public key replaced).  Each
 * edits one file in place (wg/conf_edit.h), checks that the re-parsed
 * result says exactly that, and persists before it applies, so a crash in
 * between leaves files whose keys the next `up` applies. */
#include "agent/peer.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/aipidx.h"
#include "agent/jailwg.h"
#include "agent/keyguard.h"
#include "util/err.h"
#include "util/paths.h"
#include "util/stores.h"
#include "util/fsutil.h"
#include "wg/conf_edit.h"
#include "wg/config.h"
#include "wg/peer_meta.h"

/* ---- rotate: a new interface key ---------------------------------------- */

struct rotate {
	uint8_t *priv;  /* sodium memory */
	char *b64;
	uint8_t *pub;
};

static int rotate_edit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct rotate *ro = arg;
	struct conf_block b;
	struct wg_device *ch;

	if (jailtx_index(t, e) < 0 || jailtx_read(t, NULL, JAILTX_PARSE, e) < 0)
		return -1;
	if (conf_find_interface(&t->doc, &b) != 1)
		return wj_errf(e, "%s: no [Interface] section", t->path);
	key_generate_private(ro->priv);
	if (key_public_from_private(ro->pub, ro->priv) < 0)
		return wj_errf(e, "rotate: key generation failed");
	key_to_base64(ro->b64, ro->priv);
	if (conf_set_value(&t->doc, &b, "PrivateKey", ro->b64, e) < 0 || jailtx_render(t, e) < 0)
		return -1;
	if (!t->after->private_key || !key_equal(t->after->private_key, ro->priv) ||
	    t->after->n_peers != t->dev->n_peers)
		return wj_errf(e, "%s: the edited config does not read back with the new key (nothing written)",
			       t->path);
	if (!(ch = jailtx_changes(t, e)) || wg_device_set_private_key(ch, ro->priv) < 0)
		return wj_errnof(e, ENOMEM, "rotate");
	return 0;
}

/* Persisted before it is applied, and recorded as the jail's key
 * (agent/keyguard.h). */
static int rotate_commit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct rotate *ro = arg;
	struct wj_err ignored;

	if (jailtx_write(t, e) < 0)
		return -1;
	keyguard_record(t->name, ro->pub, &ignored); /* a safeguard, not a dependency */
	return 0;
}

static const struct jailtx_op rotate_op = {"rotate", 0, rotate_edit, rotate_commit};

int peer_rotate_key(const char *jail, uint8_t pub[WG_KEY_LEN], struct jailtx_report *out, struct wj_err *e)
{
	struct rotate ro = {sodium_malloc(WG_KEY_LEN), sodium_malloc(WG_KEY_B64_LEN + 1), pub};
	int r = -1;

	if (!ro.priv || !ro.b64)
		wj_errnof(e, ENOMEM, "rotate");
	else
		r = jailtx_run(jail, &rotate_op, &ro, NULL, out, e);
	sodium_free(ro.priv);
	sodium_free(ro.b64);
	return r;
}

/* ---- rotate --peer: a new PSK -------------------------------------------- */

struct psk {
	const uint8_t *key;
	uint8_t *psk;   /* the caller's */
	char *b64;      /* sodium memory */
};

static int set_psk(struct conf_doc *doc, struct conf_block *b, void *b64, struct wj_err *e)
{
	return conf_set_value(doc, b, "PresharedKey", b64, e);
}

static int psk_edit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct psk *ps = arg;
	struct wg_device *ch;
	struct wg_peer *np, *c;

	key_generate_psk(ps->psk);
	key_to_base64(ps->b64, ps->psk);
	if (peer_edit_sections(t, ps->key, set_psk, ps->b64, e) < 0)
		return -1;
	np = wg_device_find_peer(t->after, ps->key);
	if (!np || !(np->flags & WGPEER_HAS_PSK) || !key_equal(np->psk, ps->psk) || t->after->n_peers != t->dev->n_peers)
		return wj_errf(e, "%s: the edited config does not read back with the new PSK (nothing written)",
			       t->path);
	if (!(ch = jailtx_changes(t, e)) || !(c = wg_device_add_peer(ch, ps->key)))
		return wj_errnof(e, ENOMEM, "rotate");
	c->flags = WGPEER_HAS_PSK | WGPEER_UPDATE_ONLY;
	memcpy(c->psk, ps->psk, WG_KEY_LEN);
	t->handover = np;
	return 0;
}

static const struct jailtx_op psk_op = {"rotate --peer", 0, psk_edit, NULL};

int peer_rotate_psk(const char *jail, const uint8_t key[WG_KEY_LEN], uint8_t psk[WG_KEY_LEN],
		    const struct jailtx_hook *hook, struct jailtx_report *out, struct wj_err *e)
{
	struct psk ps = {key, psk, sodium_malloc(WG_KEY_B64_LEN + 1)};
	int r;

	if (!ps.b64)
		return wj_errnof(e, ENOMEM, "rotate");
	r = jailtx_run(jail, &psk_op, &ps, hook, out, e);
	sodium_free(ps.b64);
	return r;
}

/* ---- export --generate-remote-key: a peer's key replaced ----------------- */

struct replace {
	const uint8_t *old, *new_key;
};

/* Is KEY a peer of the jail (the main file parsed in T->dev or not)? */
static int key_taken(struct jailtx *t, const uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	char p[PATH_MAX];
	struct stat st;
	struct wg_device *m = NULL;
	bool in_main;

	if (jailwg_dropin_path(p, sizeof(p), t->dir, key, e) < 0)
		return -1;
	if (lstat(p, &st) == 0)
		return 1;
	if (!t->dropin)
		return wg_device_find_peer(t->dev, key) != NULL;
	if (jailwg_load_main(t->main_path, &m, e) < 0)
		return -1;
	in_main = wg_device_find_peer(m, key) != NULL;
	wg_device_free(m);
	return in_main;
}

static int replace_edit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct replace *rp = arg;
	struct conf_block b;
	char k[WG_KEY_B64_LEN + 1], nk[WG_KEY_B64_LEN + 1];
	struct wg_device *ch;
	struct wg_peer *np;
	int taken;

	key_to_base64(k, rp->old);
	key_to_base64(nk, rp->new_key);
	if (jailtx_index(t, e) < 0 || jailtx_read(t, rp->old, JAILTX_PARSE, e) < 0)
		return -1;
	if (!wg_device_find_peer(t->dev, rp->old))
		return wj_errf(e, "%s: no peer %s", t->path, k);
	if ((taken = key_taken(t, rp->new_key, e)) != 0)
		return taken > 0 ? wj_errf(e, "jail %s: peer %s is already there", t->name, nk) : -1;
	if (conf_find_peer(&t->doc, rp->old, &b) != 1 || conf_set_value(&t->doc, &b, "PublicKey", nk, e) < 0 ||
	    jailtx_render(t, e) < 0)
		return -1;
	np = wg_device_find_peer(t->after, rp->new_key);
	if (!np || wg_device_find_peer(t->after, rp->old) || t->after->n_peers != t->dev->n_peers)
		return wj_errf(e, "%s: the edited config does not read back with the new key (nothing written)",
			       t->path);
	/* (A disabled or expired peer only leaves: it is not on the link.) */
	if (!(ch = jailtx_changes(t, e)) || peer_remove_change(ch, rp->old, e) < 0 ||
	    (wg_peer_active(np, (int64_t)time(NULL)) &&
	     peer_copy_change(ch, np, WGPEER_REPLACE_AIPS | WGPEER_NEW | WGPEER_CHANGED_AIPS, e) < 0))
		return -1;
	t->handover = np;
	return 0;
}

/* A drop-in: written under the new key's name and its index links moved
 * (the index stamp goes first: a crash half-way makes the next command
 * rebuild the index), then the old one removed, journalled: once the new
 * drop-in is there, the old one goes, even if this command is killed in
 * between.  The main file: edited in place. */
static int replace_commit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct replace *rp = arg;
	const struct wg_peer *np = t->handover;
	char old_path[PATH_MAX];

	if (!t->dropin)
		return jailtx_write(t, e);
	snprintf(old_path, sizeof(old_path), "%s", t->path);
	if (jailtx_replace_begin(t->name, t->spec.ifname, rp->old, rp->new_key, e) < 0 ||
	    jailwg_dropin_path(t->path, sizeof(t->path), t->dir, rp->new_key, e) < 0)
		return -1;
	wj_stores_forget(WJ_FORGET_DROPINS_MOVED, &(struct wj_store_scope){.peers_dir = t->dir});
	if (aipidx_remove(t->dir, rp->old, np->aips, np->n_aips, e) < 0 ||
	    (np->name[0] && aipidx_name_set(t->dir, rp->new_key, np->name, e) < 0) ||
	    aipidx_add(t->dir, rp->new_key, np->aips, np->n_aips, NULL, e) < 0 ||
	    wj_write_atomic(t->path, t->new_text, t->new_len, 0600, e) < 0)
		return -1;
	t->written = true;
	if (unlink(old_path) < 0 && errno != ENOENT)
		return wj_errnof(e, errno, "%s", old_path);
	if (jailwg_sync_dir(t->dir, e) < 0 || jailtx_replace_end(t->name, e) < 0)
		return -1;
	aipidx_stamp(t->dir);
	return 0;
}

static const struct jailtx_op replace_op = {"export --generate-remote-key", 0, replace_edit, replace_commit};

int peer_replace_key(const char *jail, const uint8_t old[WG_KEY_LEN], const uint8_t new_key[WG_KEY_LEN],
		     const struct jailtx_hook *hook, struct jailtx_report *out, struct wj_err *e)
{
	struct replace rp = {old, new_key};

	return jailtx_run(jail, &replace_op, &rp, hook, out, e);
}
