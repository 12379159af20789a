/* `wgjail create` on the jail's transaction (see agent/jailcreate.h). */
#include "agent/jailcreate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "agent/jaillock.h"
#include "agent/jailtx.h"
#include "agent/jailwg.h"
#include "agent/keyguard.h"
#include "util/err.h"
#include "util/paths.h"
#include "util/fsutil.h"
#include "util/safefile.h"
#include "util/strutil.h"
#include "wg/conf_edit.h"
#include "wg/config.h"

/* The ids of every other jail: refuse a taken --id, find the lowest free
 * one for a new jail. */
static int pick_id(struct jail_spec *s, bool is_new, bool id_given, struct wj_err *e)
{
	static unsigned char used[JAIL_ID_MAX + 1];
	char **names;
	size_t n;

	memset(used, 0, sizeof(used));
	if (jailspec_list(&names, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct jail_spec other = {0};
		struct wj_err ignore;
		if (strcmp(names[i], s->name) && jailspec_load(names[i], &other, &ignore) == 0)
			used[other.id] = 1;
		free(names[i]);
	}
	free(names);
	if (id_given || !is_new) {
		if (used[s->id])
			return wj_errf(e, "jail %s: id %u is used by another jail (see --id)", s->name, s->id);
		return 0;
	}
	for (unsigned id = 0; id <= JAIL_ID_MAX; id++)
		if (!used[id]) {
			s->id = id;
			return 0;
		}
	return wj_errf(e, "jail %s: every id from 0 to %d is taken", s->name, JAIL_ID_MAX);
}

static bool file_equals(const char *path, const char *text)
{
	struct wj_err ignore;
	char *cur;
	size_t len;
	bool same;

	if (!wj_exists(path) || wj_read_conf(path, 1 << 20, false, &cur, &len, &ignore) < 0)
		return false;
	same = len == strlen(text) && !memcmp(cur, text, len);
	free(cur);
	return same;
}

/* The jail's main file as create sees it: read (TEXT, secret memory) and
 * parsed (DEV), or made new (TEXT NULL, DEV with a new key). */
struct mainf {
	char path[PATH_MAX];
	char *text;
	size_t len;
	struct wg_device *dev;
	bool fresh;              /* a new key was made */
	char *out;               /* the new text (NULL: unchanged) */
	size_t out_len;
	bool out_formatted;      /* OUT from wg_config_format (else conf_doc_text) */
};

static void mainf_free(struct mainf *m)
{
	if (m->text)
		wj_free_file(m->text, m->len, true);
	if (m->out && m->out_formatted)
		wg_config_free_text(m->out, m->out_len);
	else if (m->out)
		conf_doc_free_text(m->out, m->out_len);
	wg_device_free(m->dev);
	memset(m, 0, sizeof(*m));
}

/* A new main file: a new key (and the listen port). */
static int mainf_new(struct mainf *m, const struct jail_spec *s, struct wj_err *e)
{
	uint8_t *key = sodium_malloc(WG_KEY_LEN);
	int r;

	if (!key || !(m->dev = wg_device_new())) {
		sodium_free(key);
		return wj_errnof(e, ENOMEM, "jail %s", s->name);
	}
	key_generate_private(key);
	r = wg_device_set_private_key(m->dev, key);
	sodium_free(key);
	if (r < 0)
		return wj_errnof(e, ENOMEM, "jail %s", s->name);
	if (s->listen_port) {
		m->dev->listen_port = s->listen_port;
		m->dev->flags |= WGDEV_HAS_LISTEN_PORT;
	}
	m->fresh = true;
	if (!(m->out = wg_config_format(m->dev, 0, &m->out_len)))
		return wj_errnof(e, ENOMEM, "jail %s", s->name);
	m->out_formatted = true;
	return 0;
}

/* The existing main file with ListenPort set to PORT, edited in place
 * (comments and the rest kept), read back by the parser: same key, same
 * peers, the new port. */
static int mainf_set_port(struct mainf *m, unsigned port, struct wj_err *e)
{
	struct conf_doc doc;
	struct conf_block b;
	struct wg_device *after = NULL;
	char v[8];
	int r = -1;

	if (conf_doc_load(&doc, m->text, m->len, e) < 0)
		return -1;
	snprintf(v, sizeof(v), "%u", port);
	if (conf_find_interface(&doc, &b) != 1) {
		wj_errf(e, "%s: no [Interface] section to put ListenPort in", m->path);
		goto out;
	}
	if (conf_set_value(&doc, &b, "ListenPort", v, e) < 0 || !(m->out = conf_doc_text(&doc, &m->out_len)))
		goto out;
	if (wg_config_parse(m->out, m->out_len, m->path, &after, e) < 0) {
		wj_err_prefix(e, "%s: the edited config does not parse (nothing written)", m->path);
		goto out;
	}
	if (!(after->flags & WGDEV_HAS_LISTEN_PORT) || after->listen_port != port ||
	    after->n_peers != m->dev->n_peers || !!m->dev->private_key != !!after->private_key ||
	    (m->dev->private_key && !key_equal(m->dev->private_key, after->private_key))) {
		wj_errf(e, "%s: the edited config does not read back with ListenPort %u (nothing written)", m->path,
			port);
		goto out;
	}
	r = 0;
out:
	wg_device_free(after);
	conf_doc_free(&doc);
	return r;
}

/* Refuse, before anything is written, a rename of the interface that
 * cannot be completed: the jail is up with the old one, or files of the
 * new name are there already. */
static int check_rename(const char *name, bool exists, const char *old_if, const char *new_if, struct wj_err *e)
{
	char p[PATH_MAX];

	if (exists && jail_is_running(name))
		return wj_errf(e, "jail %s is up with interface %s: take it down first (wgjail down %s), then rename "
				  "the interface",
			       name, old_if, name);
	if (jailwg_main_path(p, sizeof(p), name, new_if, e) < 0)
		return -1;
	if (wj_exists(p))
		return wj_errf(e, "%s exists: interface %s cannot be renamed to %s over it (move it away first)", p,
			       old_if, new_if);
	if (jailwg_dir_path(p, sizeof(p), name, new_if, e) < 0)
		return -1;
	if (wj_exists(p))
		return wj_errf(e, "%s exists: interface %s cannot be renamed to %s over it (move it away first)", p,
			       old_if, new_if);
	return 0;
}

/* Read (or make) the main file, and work out its new text. */
static int plan_main(const char *name, bool is_new, const struct jail_spec *old, struct jail_spec *s,
		     const struct create_req *req, struct mainf *m, const char **old_if, struct wj_err *e)
{
	char newp[PATH_MAX];
	bool port_change = false;
	unsigned port = 0;

	/* A new jail adopts a main file already under its interface's name
	 * (its key is never replaced). */
	*old_if = old->ifname;
	if (jailwg_main_path(newp, sizeof(newp), name, s->ifname, e) < 0 ||
	    jailwg_main_path(m->path, sizeof(m->path), name, old->ifname, e) < 0)
		return -1;
	if (is_new && (wj_exists(newp) || !wj_exists(m->path))) {
		*old_if = s->ifname;
		snprintf(m->path, sizeof(m->path), "%s", newp);
	}
	if (strcmp(*old_if, s->ifname) && check_rename(name, !is_new, *old_if, s->ifname, e) < 0)
		return -1;
	if (!wj_exists(m->path)) {
		/* No main file: a first key, if this jail may have one. */
		if (keyguard_first_key(name, m->path, NULL, 0, !is_new, e) < 0)
			return -1;
		return mainf_new(m, s, e);
	}
	if (wj_read_conf(m->path, 64u << 20, true, &m->text, &m->len, e) < 0 ||
	    wg_config_parse(m->text, m->len, m->path, &m->dev, e) < 0)
		return -1;
	/* The spec's listen_port is the file's ListenPort. */
	if (s->listen_port && (!(m->dev->flags & WGDEV_HAS_LISTEN_PORT) || m->dev->listen_port != s->listen_port)) {
		port = s->listen_port;
		port_change = true;
	} else if (!s->listen_port && !req->listen_port_given && (m->dev->flags & WGDEV_HAS_LISTEN_PORT)) {
		s->listen_port = m->dev->listen_port; /* adopt what the file says */
	} else if (req->listen_port_given && !s->listen_port && (m->dev->flags & WGDEV_HAS_LISTEN_PORT) &&
		   m->dev->listen_port) {
		port = 0; /* a random port, as without ListenPort */
		port_change = true;
	}
	if (port_change)
		return mainf_set_port(m, port, e);
	if (strcmp(*old_if, s->ifname)) {
		/* Renamed: the same bytes under the new name. */
		if (!(m->out = malloc(m->len + 1)))
			return wj_errnof(e, ENOMEM, "jail %s", name);
		memcpy(m->out, m->text, m->len + 1);
		m->out_len = m->len;
	}
	return 0;
}

/* The operation's state. */
struct create {
	const struct create_req *req;
	struct create_result *out;
	struct jail_spec s;
	struct mainf m;
	const char *old_if;
	char *text;              /* the new spec */
};

/* Everything decided, nothing written: the new spec and main file. */
static int create_edit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct create *c = arg;
	struct create_result *out = c->out;
	struct jail_spec old = t->spec;

	c->s = t->spec;
	out->is_new = t->is_new;
	if (c->req->apply(&c->s, c->req->opts, e) < 0 || jailspec_validate(&c->s, e) < 0 ||
	    pick_id(&c->s, t->is_new, c->req->id_given, e) < 0)
		return -1;
	/* The WireGuard config: kept (key and peers) if it exists, under the
	 * old interface name if that changed.  Only the main file is read and
	 * rewritten here: the peers' drop-ins (IF.peers/) are kept as they
	 * are, and renamed with the interface. */
	if (plan_main(t->name, t->is_new, &old, &c->s, c->req, &c->m, &c->old_if, e) < 0)
		return -1;
	out->conf_changed = c->m.out != NULL;
	out->fresh = c->m.fresh;
	if (!(c->text = jailspec_format(&c->s)))
		return wj_errnof(e, ENOMEM, "jail %s", t->name);
	if (jail_path(out->spec_path, sizeof(out->spec_path), t->name, "jail.conf") < 0 ||
	    jailwg_main_path(out->conf_path, sizeof(out->conf_path), t->name, c->s.ifname, e) < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	out->spec_changed = !file_equals(out->spec_path, c->text);
	memcpy(out->pub, c->m.dev->public_key, WG_KEY_LEN);
	if (c->req->dry && out->spec_changed)
		out->spec_text = strdup(c->text);
	if (c->req->dry && out->conf_changed && wg_config_parse(c->m.out, c->m.out_len, out->conf_path, &out->conf, e) < 0)
		wj_err_clear(e);
	return 0;
}

/* The spec alone: one atomic write.  Several files: the create journal
 * (agent/jailtx.h); a kill at any instant leaves the jail as it was or
 * as asked. */
static int create_commit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct create *c = arg;
	const struct create_result *out = c->out;

	if (!out->spec_changed && !out->conf_changed)
		return 0;
	if (!out->conf_changed) {
		if (wj_write_atomic(out->spec_path, c->text, strlen(c->text), 0644, e) < 0)
			return -1;
	} else {
		struct jailtx_create j = {
			.old_if = c->old_if,
			.new_if = c->s.ifname,
			.spec = out->spec_changed ? c->text : NULL,
			.conf = c->m.out,
			.conf_len = c->m.out_len,
			.pub = c->m.fresh ? c->m.dev->public_key : NULL,
		};
		if (jailtx_create(t->name, &j, e) < 0)
			return -1;
	}
	t->written = true;
	keyguard_note(t->name, c->m.dev);
	return 0;
}

static const struct jailtx_op create_op = {"create", JAILTX_NEW, create_edit, create_commit};
static const struct jailtx_op create_dry_op = {"create -n", JAILTX_NEW | JAILTX_DRY, create_edit, NULL};

int create_jail(const char *name, const struct create_req *req, struct create_result *out, struct wj_err *e)
{
	struct create c = {.req = req, .out = out};
	struct jailtx_report rep;
	struct jail_spec pre;
	char q[80];
	const char *why = wj_jail_name_invalid(name);
	int r;

	memset(out, 0, sizeof(*out));
	if (why)
		return wj_errf(e, "jail name '%s': %s", wj_quote(name, q, sizeof(q)), why);
	/* Every option value checked before anything is created. */
	jailspec_defaults(&pre, name);
	if (req->apply(&pre, req->opts, e) < 0)
		return -1;
	r = jailtx_run(name, req->dry ? &create_dry_op : &create_op, &c, NULL, &rep, e);
	free(c.text);
	mainf_free(&c.m);
	return r;
}

void create_result_free(struct create_result *r)
{
	free(r->spec_text);
	wg_device_free(r->conf);
	r->spec_text = NULL;
	r->conf = NULL;
}
