/* One transaction for a jail's files (see agent/jailtx.h). */
#include "agent/jailtx.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/aipidx.h"
#include "agent/jaillock.h"
#include "agent/jailwg.h"
#include "agent/peer.h"
#include "agent/platform.h"
#include "util/err.h"
#include "util/paths.h"
#include "util/stores.h"
#include "util/fsutil.h"
#include "util/safefile.h"
#include "util/strutil.h"
#include "wg/config.h"

#define CONF_MAX (256u << 20) /* a wg config larger than this is refused */

/* ---- the main file's stamp ---------------------------------------------
 * Parsing a config with 50,000 peers costs tens of milliseconds; `peer add`
 * must not pay that on every call.  After wgjail itself wrote the main
 * file (and parsed what it wrote), CONFDIR/JAIL/.IF.conf.parsed records the
 * file's identity: device, inode, size, mtime and ctime (nanoseconds).  If
 * the file still has that identity, it is the file that parsed, and the
 * operations check against a fast scan instead of a full parse.  Any other
 * writer (an editor, another tool, wj_write_atomic) makes a new inode or a
 * new ctime, so the stamp no longer matches and the next command parses
 * the whole file again.  A lost or damaged stamp only costs that parse. */

static void stamp_fmt(char *buf, size_t sz, const struct stat *st)
{
	snprintf(buf, sz, "%ju %ju %jd %jd.%09ld %jd.%09ld\n", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino,
		 (intmax_t)st->st_size, (intmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		 (intmax_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

static void stamp_write_st(const struct jailtx *t, const struct stat *st)
{
	char path[PATH_MAX], line[160];

	if (jail_parsed_stamp_path(path, sizeof(path), t->name, t->spec.ifname) < 0)
		return;
	stamp_fmt(line, sizeof(line), st);
	wj_cache_write(path, line);
}

bool jailtx_main_known(const struct jailtx *t)
{
	char path[PATH_MAX], want[160];

	if (t->dropin || jail_parsed_stamp_path(path, sizeof(path), t->name, t->spec.ifname) < 0)
		return false;
	stamp_fmt(want, sizeof(want), &t->st);
	return wj_cache_is(path, want);
}

void jailtx_main_parsed(const struct jailtx *t)
{
	/* T->ST is the fstat of the read that parsed. */
	if (!t->dropin)
		stamp_write_st(t, &t->st);
}

/* ---- open, read, edit, write, apply, close ------------------------------ */

/* JAILTX_NEW: the jail's directory (made unless DRY) and its spec, or
 * the defaults for a new one. */
static int open_new(struct jailtx *t, const char *name, bool dry, struct wj_err *e)
{
	char dir[PATH_MAX], spec[PATH_MAX], q[80];
	const char *why = wj_jail_name_invalid(name);

	if (why)
		return wj_errf(e, "jail name '%s': %s", wj_quote(name, q, sizeof(q)), why);
	if (jail_path(dir, sizeof(dir), name, NULL) < 0 || jail_path(spec, sizeof(spec), name, "jail.conf") < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	if (!dry) {
		/* CONFDIR 0755, the jail's directory 0700 (wgjail.conf(5)),
		 * made only in a configuration directory that is trusted. */
		if (wj_mkdirs(wj_confdir(), 0755, e) < 0 || jail_dirs_check(NULL, e) < 0 ||
		    wj_mkdirs(dir, 0700, e) < 0 || jail_lock(name, &t->lockfd, e) < 0)
			return -1;
	} else if (wj_exists(dir) && jail_dirs_check(name, e) < 0) {
		return -1;
	}
	t->is_new = !wj_exists(spec);
	if (t->is_new) {
		jailspec_defaults(&t->spec, name);
		return 0;
	}
	return jailspec_load(name, &t->spec, e);
}

int jailtx_open(struct jailtx *t, const char *name, unsigned flags, struct wj_err *e)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->lockfd = -1;
	if (flags & JAILTX_NEW) {
		if (open_new(t, name, flags & JAILTX_DRY, e) < 0)
			goto fail;
	} else {
		/* The spec read again under the lock: taking it may have
		 * finished an interrupted change of the interface
		 * (agent/jaillock.h). */
		if (jailspec_load(name, &t->spec, e) < 0 ||
		    (!(flags & JAILTX_DRY) && jail_lock(name, &t->lockfd, e) < 0) ||
		    jailspec_load(name, &t->spec, e) < 0)
			goto fail;
	}
	if (jailwg_main_path(t->main_path, sizeof(t->main_path), name, t->spec.ifname, e) < 0 ||
	    jailwg_dir_path(t->dir, sizeof(t->dir), name, t->spec.ifname, e) < 0) {
		wj_errf(e, "jail %s: path too long", name);
		goto fail;
	}
	snprintf(t->path, sizeof(t->path), "%s", t->main_path);
	if (t->lockfd >= 0)
		wj_remove_stale_temps(t->main_path);
	return 0;
fail:
	jailtx_close(t);
	return -1;
}

void jailtx_close(struct jailtx *t)
{
	if (t->doc_loaded)
		conf_doc_free(&t->doc);
	conf_doc_free_text(t->new_text, t->new_len);
	wg_device_free(t->after);
	wg_device_free(t->dev);
	wg_device_free(t->changes);
	if (t->text && t->room)
		wj_free_mapped(t->text, t->len + t->room);
	else if (t->text)
		wj_free_file(t->text, t->len, true);
	if (t->lockfd >= 0)
		jail_unlock(t->lockfd);
	t->lockfd = -1;
	t->text = t->new_text = NULL;
	t->dev = t->after = t->changes = NULL;
	t->doc_loaded = false;
}

int jailtx_index(struct jailtx *t, struct wj_err *e)
{
	/* (Killed writers' temporary files in IF.peers/ are removed when the
	 * index is rebuilt: their creation changed the directory.) */
	if (aipidx_ensure(t->dir, NULL, e) < 0)
		return wj_err_prefix(e, "jail %s: the allowed-IP index", t->name);
	return 0;
}

int jailtx_read(struct jailtx *t, const uint8_t *key, unsigned flags, struct wj_err *e)
{
	struct stat st;

	if (key && jailwg_dropin_path(t->path, sizeof(t->path), t->dir, key, e) == 0) {
		if (lstat(t->path, &st) == 0) {
			t->dropin = true;
			memcpy(t->dropin_key, key, WG_KEY_LEN);
		} else
			snprintf(t->path, sizeof(t->path), "%s", t->main_path);
	}
	if ((flags & JAILTX_MAPPED) && !t->dropin) {
		/* One spare byte: the mapped reader, no second copy of a big
		 * file. */
		if (wj_read_mapped_conf(t->path, CONF_MAX, 1, &t->text, &t->len, &t->st, e) < 0)
			return -1;
		t->room = 1;
	} else if (wj_read_conf(t->path, CONF_MAX, true, &t->text, &t->len, e) < 0) {
		return -1;
	}
	return (flags & JAILTX_PARSE) ? jailtx_parse(t, e) : 0;
}

int jailtx_parse(struct jailtx *t, struct wj_err *e)
{
	if (!t->dev && (t->dropin ? jailwg_parse_dropin(t->text, t->len, t->path, t->dropin_key, &t->dev, e)
				  : wg_config_parse(t->text, t->len, t->path, &t->dev, e)) < 0)
		return -1;
	if (!t->doc_loaded && conf_doc_load(&t->doc, t->text, t->len, e) < 0)
		return -1;
	t->doc_loaded = true;
	return 0;
}

int jailtx_render(struct jailtx *t, struct wj_err *e)
{
	t->new_text = conf_doc_text(&t->doc, &t->new_len);
	if (!t->new_text)
		return wj_errnof(e, ENOMEM, "%s", t->path);
	if (wg_config_parse(t->new_text, t->new_len, t->path, &t->after, e) < 0)
		return wj_err_prefix(e, "%s: the edited config does not parse (nothing written)", t->path);
	return 0;
}

struct wg_device *jailtx_changes(struct jailtx *t, struct wj_err *e)
{
	if (!t->changes && !(t->changes = wg_device_new()))
		wj_errnof(e, ENOMEM, "jail %s: change set", t->name);
	return t->changes;
}

int jailtx_write(struct jailtx *t, struct wj_err *e)
{
	struct stat st;
	char stamp[PATH_MAX];

	if (wj_write_atomic(t->path, t->new_text, t->new_len, 0600, e) < 0)
		return -1;
	t->written = true;
	if (t->dropin) {
		aipidx_stamp(t->dir); /* the index was current and still is */
	} else if (stat(t->path, &st) == 0) {
		stamp_write_st(t, &st); /* what was written parsed (jailtx_render) */
	} else if (jail_parsed_stamp_path(stamp, sizeof(stamp), t->name, t->spec.ifname) == 0) {
		unlink(stamp);
	}
	return 0;
}

int jailtx_follow(const struct wj_platform *pl, const struct jail_spec *s, bool files_changed,
		  struct wg_device *changes, const char *what, bool *live, struct wj_err *e)
{
	struct peer_target tgt;
	int up;

	*live = false;
	/* What a jail needs besides its interface: on FreeBSD its own
	 * /etc/IF.conf, which its rc applies at every start, kept in step
	 * (running or not; agent/jailifconf.h). */
	if (files_changed && pl->keep_files && pl->keep_files(s, NULL, e) < 0)
		return wj_err_prefix(e, "%s, but jail %s's own copy of its config was not updated", what, s->name);
	if (!changes)
		return 0;
	up = peer_jail_target(s, &tgt, e);
	if (up < 0)
		return wj_err_prefix(e, "%s, but jail %s's state cannot be read", what, s->name);
	if (!up)
		return 0;
	if (peer_live_set(&tgt, changes, e) < 0)
		return wj_err_prefix(e, "%s, but jail %s's interface %s was not updated", what, s->name, s->ifname);
	*live = true;
	return 0;
}

int jailtx_apply(struct jailtx *t, bool *live, struct wj_err *e)
{
	char what[PATH_MAX + 8];

	snprintf(what, sizeof(what), "%s saved", t->path);
	return jailtx_follow(wj_platform(), &t->spec, t->written, t->changes, what, live, e);
}

int jailtx_run(const char *name, const struct jailtx_op *op, void *req, const struct jailtx_hook *hook,
	       struct jailtx_report *out, struct wj_err *e)
{
	struct jailtx t;
	int rc;

	memset(out, 0, sizeof(*out));
	if (jailtx_open(&t, name, op->flags, e) < 0)
		return -1;
	snprintf(out->ifname, sizeof(out->ifname), "%s", t.spec.ifname);
	rc = op->edit(&t, req, e);
	if (!(op->flags & JAILTX_DRY)) {
		/* The secret handed over before anything is written. */
		if (rc == 0 && hook && t.handover)
			rc = hook->fn(hook->arg, t.handover, e);
		if (rc == 0)
			rc = op->commit ? op->commit(&t, req, e) : jailtx_write(&t, e);
		if (rc == 0)
			rc = jailtx_apply(&t, &out->live, e);
	}
	out->written = t.written;
	snprintf(out->path, sizeof(out->path), "%s", t.path);
	jailtx_close(&t);
	return rc;
}
