/* Journalled changes of several of a jail's files (see agent/jailtx.h). */
#include "agent/jailtx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/jailspec.h"
#include "agent/jailwg.h"
#include "agent/keyguard.h"
#include "util/err.h"
#include "util/paths.h"
#include "util/stores.h"
#include "util/fsutil.h"
#include "util/safefile.h"
#include "util/sbuf.h"
#include "util/strutil.h"

#define CREATE_JOURNAL ".create"
#define CREATE_STAGED ".create.conf"
#define REPLACE_JOURNAL ".replace"
#define JOURNAL_MAX (1u << 20)

static int path_of(char *buf, size_t sz, const char *name, const char *file, struct wj_err *e)
{
	if (jail_path(buf, sz, name, file) < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	return 0;
}

static int sync_jail_dir(const char *name, struct wj_err *e)
{
	char dir[PATH_MAX];

	if (path_of(dir, sizeof(dir), name, NULL, e) < 0)
		return -1;
	return jailwg_sync_dir(dir, e);
}

static bool file_is(const char *path, const char *text)
{
	struct wj_err ignored;
	char *cur = NULL;
	size_t len = 0;
	bool same;

	if (wj_read_conf(path, JOURNAL_MAX, false, &cur, &len, &ignored) < 0)
		return false;
	same = len == strlen(text) && !memcmp(cur, text, len);
	wj_free_file(cur, len, false);
	return same;
}

/* ---- create ------------------------------------------------------------ */

/* The journal: "key=value" lines, then "spec:" and the spec's text. */
static char *create_journal(const struct jailtx_create *t, size_t *len)
{
	struct wj_sbuf b = {0};
	char pub[WG_KEY_B64_LEN + 1] = "";

	if (t->pub)
		key_to_base64(pub, t->pub);
	wj_sb_printf(&b, "# wgjail: a create in progress, finished under the jail's lock if interrupted\n"
			 "old=%s\nnew=%s\npub=%s\nconf=%d\n",
		     t->old_if, t->new_if, pub, t->conf != NULL);
	if (t->spec)
		wj_sb_printf(&b, "spec:\n%s", t->spec);
	return wj_sb_take(&b, len);
}

struct journal {
	char old_if[WJ_IFNAME_MAX + 1], new_if[WJ_IFNAME_MAX + 1];
	uint8_t pub[WG_KEY_LEN];
	bool has_pub, conf;
	const char *spec; /* into the journal's text, NULL if none */
};

static int parse_create_journal(char *text, const char *path, struct journal *j, struct wj_err *e)
{
	char *line = text, *next;

	memset(j, 0, sizeof(*j));
	for (; line && *line; line = next) {
		char *nl = strchr(line, '\n'), *eq;
		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		if (line[0] == '#')
			continue;
		if (!strcmp(line, "spec:")) {
			j->spec = next ? next : "";
			break;
		}
		if (!(eq = strchr(line, '=')))
			goto bad;
		*eq++ = '\0';
		if (!strcmp(line, "old") || !strcmp(line, "new")) {
			char *dst = line[0] == 'o' ? j->old_if : j->new_if;
			if (wj_ifname_invalid(eq))
				goto bad;
			snprintf(dst, WJ_IFNAME_MAX + 1, "%s", eq);
		} else if (!strcmp(line, "pub")) {
			j->has_pub = *eq && key_from_base64(j->pub, eq);
		} else if (!strcmp(line, "conf")) {
			j->conf = !strcmp(eq, "1");
		}
	}
	if (j->old_if[0] && j->new_if[0])
		return 0;
bad:
	return wj_errf(e, "%s: the journal of an interrupted create cannot be read; the jail's files were left as "
			  "it found them: check them and remove this file",
		       path);
}

static int if_path(char *buf, size_t sz, const char *name, const char *ifname, const char *suffix,
		   struct wj_err *e)
{
	char file[WJ_IFNAME_MAX + 16];

	snprintf(file, sizeof(file), "%s%s", ifname, suffix);
	return path_of(buf, sz, name, file, e);
}

/* Bring the files to the state the journal describes (every step may have
 * been done already), then remove the journal. */
static int create_apply(const char *name, const struct journal *j, struct wj_err *e)
{
	char staged[PATH_MAX], spec[PATH_MAX], newconf[PATH_MAX], oldconf[PATH_MAX], oldpeers[PATH_MAX],
		newpeers[PATH_MAX], journal[PATH_MAX];
	bool rename_if = strcmp(j->old_if, j->new_if) != 0;

	if (path_of(staged, sizeof(staged), name, CREATE_STAGED, e) < 0 ||
	    path_of(spec, sizeof(spec), name, "jail.conf", e) < 0 ||
	    path_of(journal, sizeof(journal), name, CREATE_JOURNAL, e) < 0 ||
	    if_path(newconf, sizeof(newconf), name, j->new_if, ".conf", e) < 0 ||
	    if_path(oldconf, sizeof(oldconf), name, j->old_if, ".conf", e) < 0 ||
	    if_path(oldpeers, sizeof(oldpeers), name, j->old_if, ".peers", e) < 0 ||
	    if_path(newpeers, sizeof(newpeers), name, j->new_if, ".peers", e) < 0)
		return -1;
	/* The main file: the staged one takes its place. */
	if (wj_exists(staged)) {
		if (rename(staged, newconf) < 0)
			return wj_errnof(e, errno, "renaming %s to %s", staged, newconf);
		if (sync_jail_dir(name, e) < 0)
			return -1;
	}
	if (j->spec && !file_is(spec, j->spec) && wj_write_atomic(spec, j->spec, strlen(j->spec), 0644, e) < 0)
		return -1;
	if (rename_if) {
		/* The drop-ins follow the interface's name. */
		if (wj_exists(oldpeers)) {
			if (wj_exists(newpeers))
				return wj_errf(e, "jail %s: cannot finish renaming %s to %s: both %s and %s exist; "
						  "merge them by hand",
					       name, j->old_if, j->new_if, oldpeers, newpeers);
			if (rename(oldpeers, newpeers) < 0)
				return wj_errnof(e, errno, "renaming %s to %s", oldpeers, newpeers);
		}
		/* The old main file goes only once the new one is there. */
		if (wj_exists(newconf) && unlink(oldconf) < 0 && errno != ENOENT)
			return wj_errnof(e, errno, "removing %s", oldconf);
		wj_stores_forget(WJ_FORGET_RENAMED, &(struct wj_store_scope){.jail = name, .ifname = j->old_if});
		if (sync_jail_dir(name, e) < 0)
			return -1;
	}
	if (j->has_pub && keyguard_record(name, j->pub, e) < 0)
		return -1;
	if (unlink(journal) < 0 && errno != ENOENT)
		return wj_errnof(e, errno, "removing %s", journal);
	return sync_jail_dir(name, e);
}

int jailtx_create(const char *name, const struct jailtx_create *t, struct wj_err *e)
{
	char staged[PATH_MAX], journal[PATH_MAX], *text;
	struct journal j;
	size_t len;
	int r;

	if (path_of(staged, sizeof(staged), name, CREATE_STAGED, e) < 0 ||
	    path_of(journal, sizeof(journal), name, CREATE_JOURNAL, e) < 0)
		return -1;
	/* Staged first: a kill before the journal leaves the old state (the
	 * staged file is removed at the next lock). */
	if (t->conf && wj_write_atomic(staged, t->conf, t->conf_len, 0600, e) < 0)
		return -1;
	if (!(text = create_journal(t, &len)))
		return wj_errnof(e, ENOMEM, "jail %s", name);
	/* The commit. */
	r = wj_write_atomic(journal, text, len, 0600, e);
	if (r == 0)
		r = parse_create_journal(text, journal, &j, e);
	if (r == 0)
		r = create_apply(name, &j, e);
	free(text);
	return r;
}

static int recover_create(const char *name, struct wj_err *e)
{
	char staged[PATH_MAX], journal[PATH_MAX], *text = NULL;
	struct journal j;
	size_t len = 0;
	int r;

	if (path_of(staged, sizeof(staged), name, CREATE_STAGED, e) < 0 ||
	    path_of(journal, sizeof(journal), name, CREATE_JOURNAL, e) < 0)
		return -1;
	if (!wj_exists(journal)) {
		/* Killed before the commit: the old state stands. */
		if (unlink(staged) == 0)
			return sync_jail_dir(name, e);
		return 0;
	}
	if (wj_read_conf(journal, JOURNAL_MAX, false, &text, &len, e) < 0)
		return -1;
	r = parse_create_journal(text, journal, &j, e);
	if (r == 0)
		r = create_apply(name, &j, e);
	wj_free_file(text, len, false);
	return r < 0 ? wj_err_prefix(e, "jail %s: finishing an interrupted create", name) : 0;
}

/* ---- replace ----------------------------------------------------------- */

int jailtx_replace_begin(const char *name, const char *ifname, const uint8_t old[WG_KEY_LEN],
			 const uint8_t new_key[WG_KEY_LEN], struct wj_err *e)
{
	char journal[PATH_MAX], text[64 + 2 * WG_KEY_HEX_LEN + WJ_IFNAME_MAX], ho[WG_KEY_HEX_LEN + 1],
		hn[WG_KEY_HEX_LEN + 1];

	if (path_of(journal, sizeof(journal), name, REPLACE_JOURNAL, e) < 0)
		return -1;
	key_to_hex(ho, old);
	key_to_hex(hn, new_key);
	snprintf(text, sizeof(text), "if=%s\nold=%s\nnew=%s\n", ifname, ho, hn);
	return wj_write_atomic(journal, text, strlen(text), 0600, e);
}

int jailtx_replace_end(const char *name, struct wj_err *e)
{
	char journal[PATH_MAX];

	if (path_of(journal, sizeof(journal), name, REPLACE_JOURNAL, e) < 0)
		return -1;
	if (unlink(journal) < 0 && errno != ENOENT)
		return wj_errnof(e, errno, "removing %s", journal);
	return sync_jail_dir(name, e);
}

static int recover_replace(const char *name, struct wj_err *e)
{
	char journal[PATH_MAX], dir[PATH_MAX], oldp[PATH_MAX], newp[PATH_MAX], ifname[WJ_IFNAME_MAX + 1] = "",
		*text = NULL;
	uint8_t old[WG_KEY_LEN], new_key[WG_KEY_LEN];
	bool have_old = false, have_new = false;
	size_t len = 0;

	if (path_of(journal, sizeof(journal), name, REPLACE_JOURNAL, e) < 0)
		return -1;
	if (!wj_exists(journal))
		return 0;
	if (wj_read_conf(journal, 4096, false, &text, &len, e) < 0)
		return -1;
	for (char *line = text, *next; line && *line; line = next) {
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		if (!strncmp(line, "if=", 3) && !wj_ifname_invalid(line + 3))
			snprintf(ifname, sizeof(ifname), "%s", line + 3);
		else if (!strncmp(line, "old=", 4))
			have_old = key_from_hex(old, line + 4);
		else if (!strncmp(line, "new=", 4))
			have_new = key_from_hex(new_key, line + 4);
	}
	wj_free_file(text, len, false);
	if (!ifname[0] || !have_old || !have_new)
		return wj_errf(e, "%s: the journal of an interrupted key replacement cannot be read; check the "
				  "jail's drop-ins and remove this file",
			       journal);
	if (jailwg_dir_path(dir, sizeof(dir), name, ifname, e) < 0 ||
	    jailwg_dropin_path(oldp, sizeof(oldp), dir, old, e) < 0 ||
	    jailwg_dropin_path(newp, sizeof(newp), dir, new_key, e) < 0)
		return -1;
	/* The new drop-in is the commit: once it is there, the old one goes. */
	if (wj_exists(newp)) {
		if (unlink(oldp) < 0 && errno != ENOENT)
			return wj_errnof(e, errno, "removing %s", oldp);
		if (jailwg_sync_dir(dir, e) < 0)
			return -1;
	}
	/* The allowed-IP index may be half moved: rebuilt at its next use. */
	wj_stores_forget(WJ_FORGET_DROPINS_MOVED, &(struct wj_store_scope){.jail = name, .peers_dir = dir});
	return jailtx_replace_end(name, e);
}

int jailtx_recover(const char *name, struct wj_err *e)
{
	if (recover_create(name, e) < 0 || recover_replace(name, e) < 0)
		return -1;
	return 0;
}
