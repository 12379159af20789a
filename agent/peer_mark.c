/* `peer disable`, `peer enable`, `peer expire` as an operation on the
 * jail's transaction (agent/jailtx.h): one comment mark of the peer's
 * [Peer] section(s) set or removed in place (wg/peer_meta.h), the result
 * re-parsed, and one change for the live interface: the peer removed if it
 * is now inactive, else (re-)added with everything its file says. */
#include "agent/peer.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "util/err.h"
#include "wg/conf_edit.h"
#include "wg/peer_meta.h"

struct mark {
	const uint8_t *key;
	enum wg_meta_kind kind;
	const char *value;
	bool active;
};

static int set_mark(struct conf_doc *doc, struct conf_block *b, void *arg, struct wj_err *e)
{
	const struct mark *m = arg;

	return wg_meta_set(doc, b, m->kind, m->value, e);
}

static int mark_edit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct mark *m = arg;
	struct wg_device *ch;
	struct wg_peer *np;

	if (peer_edit_sections(t, m->key, set_mark, m, e) < 0)
		return -1;
	np = wg_device_find_peer(t->after, m->key);
	if (!np || t->after->n_peers != t->dev->n_peers ||
	    (m->kind == WG_META_DISABLED && np->disabled != (m->value != NULL)) ||
	    (m->kind == WG_META_EXPIRES && (np->expires != 0) != (m->value != NULL)))
		return wj_errf(e, "%s: the edited config does not read back with the change (nothing written)",
			       t->path);
	m->active = wg_peer_active(np, (int64_t)time(NULL));
	if (!(ch = jailtx_changes(t, e)))
		return -1;
	return m->active ? peer_copy_change(ch, np, WGPEER_REPLACE_AIPS | WGPEER_CHANGED_AIPS, e)
			 : peer_remove_change(ch, m->key, e);
}

static const struct jailtx_op mark_op = {"peer mark", 0, mark_edit, NULL};

int peer_set_mark(const char *jail, const uint8_t key[WG_KEY_LEN], int kind, const char *value, bool *active,
		  struct jailtx_report *out, struct wj_err *e)
{
	struct mark m = {key, (enum wg_meta_kind)kind, value, false};
	int r = jailtx_run(jail, &mark_op, &m, NULL, out, e);

	*active = m.active;
	return r;
}
