/* wgjail create [-n] JAIL [options]: write (or update) the jail spec and,
 * on first creation, the jail's WireGuard config with a new private key.
 * Platform-neutral: it only writes files in the configuration directory. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "agent/commands.h"
#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/jailspec_keys.h"
#include "agent/jailtx.h"
#include "agent/jailwg.h"
#include "agent/keyguard.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/safefile.h"
#include "wg/conf_edit.h"
#include "util/strutil.h"
#include "keys/keys.h"
#include "wg/config.h"

/* Options: -n, -h, and one per key of the spec that has one
 * (agent/jailspec_keys.h), whose getopt value is 256 + the key's row. */
#define OPT_KEY 256

static struct option longopts[SPEC_KEYS_MAX + 3];

static void make_longopts(void)
{
	size_t n = 0;

	longopts[n++] = (struct option){"dry-run", no_argument, NULL, 'n'};
	longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	for (size_t i = 0; i < jailspec_nkeys; i++)
		if (jailspec_keys[i].option)
			longopts[n++] = (struct option){jailspec_keys[i].option, required_argument, NULL, OPT_KEY + (int)i};
	longopts[n] = (struct option){NULL, 0, NULL, 0};
}

/* One option of the help: HEAD, then TEXT from column 26, wrapped. */
static void help_item(const char *head, const char *text)
{
	int col = printf("%s", head);

	if (col > 24) {
		putchar('\n');
		col = 0;
	}
	for (const char *w = text; *w;) {
		size_t n = strcspn(w, " ");
		if (col >= 26 && col + 1 + (int)n > 79) {
			putchar('\n');
			col = 0;
		}
		col += printf("%*s%.*s", col < 26 ? 26 - col : 1, "", (int)n, w);
		w += n;
		w += strspn(w, " ");
	}
	putchar('\n');
}

/* "--id N  names ... (0-4095)": the table's help, with the range, the
 * default and whether the option may be repeated, said once here. */
static void help(void)
{
	char arg[64], head[96], text[512];

	cmd_usage("create", stdout);
	fputs("Options (each replaces the value in an existing spec; repeatable ones replace the whole list):\n",
	      stdout);
	help_item("  -n", "print what would be written, write nothing");
	for (size_t i = 0; i < jailspec_nkeys; i++) {
		const struct spec_key *k = &jailspec_keys[i];
		size_t n;
		if (!k->option)
			continue;
		snprintf(head, sizeof(head), "  --%s %s", k->option, spec_key_arg(k, arg, sizeof(arg)));
		n = (size_t)snprintf(text, sizeof(text), "%s", k->help);
		if (k->type == SPEC_UINT)
			n += (size_t)snprintf(text + n, sizeof(text) - n, " (%ju-%ju)", (uintmax_t)k->min, (uintmax_t)k->max);
		if (k->type == SPEC_ENUM)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "; default %s", k->names[k->def]);
		else if (k->type == SPEC_TEXT && k->def_text)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "; default %s", k->def_text);
		if (k->max_items)
			snprintf(text + n, sizeof(text) - n, " (repeatable, at most %u)", k->max_items);
		help_item(head, text);
	}
	fputs("The spec and the WireGuard file change together or not at all; a key is made\n"
	      "only for a jail that never had one.\n",
	      stdout);
}

/* Collected options, applied over the existing spec (or the defaults):
 * per key of the spec, the values given (a single value: the last). */
struct opts {
	bool dry;
	struct {
		const char *v[SPEC_ITEMS_MAX];
		size_t n;
	} key[SPEC_KEYS_MAX];
	/* the two that create also acts on: pick_id, the main file's ListenPort */
	const char *id, *listen_port;
};

static int apply(struct jail_spec *s, const struct opts *o, struct wj_err *e)
{
	char q[200], why[128];
	const char *bad;

	for (size_t i = 0; i < jailspec_nkeys; i++) {
		const struct spec_key *k = &jailspec_keys[i];
		if (!o->key[i].n)
			continue;
		spec_key_clear(k, s);
		for (size_t j = k->max_items ? 0 : o->key[i].n - 1; j < o->key[i].n; j++)
			if ((bad = spec_key_set(k, s, o->key[i].v[j], why, sizeof(why))))
				return wj_errf(e, "--%s '%s': %s", k->option, wj_quote(o->key[i].v[j], q, sizeof(q)),
					       bad);
	}
	return 0;
}

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

static void print_conf(const struct wg_device *dev)
{
	size_t len;
	char *t = wg_config_format(dev, WG_CONFIG_HIDE_KEYS, &len);

	if (t) {
		fwrite(t, 1, len, stdout);
		wg_config_free_text(t, len);
	}
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
		     const struct opts *o, struct mainf *m, const char **old_if, struct wj_err *e)
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
	} else if (!s->listen_port && !o->listen_port && (m->dev->flags & WGDEV_HAS_LISTEN_PORT)) {
		s->listen_port = m->dev->listen_port; /* adopt what the file says */
	} else if (o->listen_port && !s->listen_port && (m->dev->flags & WGDEV_HAS_LISTEN_PORT) &&
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

static int run(const char *name, const struct opts *o, struct wj_err *e)
{
	struct jail_spec s, old;
	struct mainf m;
	char spec_path[PATH_MAX], dir[PATH_MAX], q[80], pub[WG_KEY_B64_LEN + 1];
	const char *why = wj_jail_name_invalid(name), *old_if;
	bool is_new, spec_changed, conf_changed;
	char *text = NULL;
	int lockfd = -1, r = -1;

	memset(&m, 0, sizeof(m));
	if (why)
		return wj_errf(e, "jail name '%s': %s", wj_quote(name, q, sizeof(q)), why);
	/* Every option value checked before anything is created. */
	jailspec_defaults(&s, name);
	if (apply(&s, o, e) < 0)
		return -1;
	if (jail_path(dir, sizeof(dir), name, NULL) < 0 || jail_path(spec_path, sizeof(spec_path), name, "jail.conf") < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	if (!o->dry) {
		/* CONFDIR 0755, the jail's directory 0700 (wgjail.conf(5)),
		 * made only in a configuration directory that is trusted. */
		if (wj_mkdirs(wj_confdir(), 0755, e) < 0 || jail_dirs_check(NULL, e) < 0 ||
		    wj_mkdirs(dir, 0700, e) < 0 || jail_lock(name, &lockfd, e) < 0)
			return -1;
	} else if (wj_exists(dir) && jail_dirs_check(name, e) < 0) {
		return -1;
	}
	is_new = !wj_exists(spec_path);
	if (is_new)
		jailspec_defaults(&s, name);
	else if (jailspec_load(name, &s, e) < 0)
		goto out;
	old = s;
	if (apply(&s, o, e) < 0 || jailspec_validate(&s, e) < 0 || pick_id(&s, is_new, o->id != NULL, e) < 0)
		goto out;

	/* The WireGuard config: kept (key and peers) if it exists, under the
	 * old interface name if that changed.  Only the main file is read and
	 * rewritten here: the peers' drop-ins (IF.peers/) are kept as they
	 * are, and renamed with the interface. */
	if (plan_main(name, is_new, &old, &s, o, &m, &old_if, e) < 0)
		goto out;
	conf_changed = m.out != NULL;
	text = jailspec_format(&s);
	if (!text) {
		wj_errnof(e, ENOMEM, "jail %s", name);
		goto out;
	}
	spec_changed = !file_equals(spec_path, text);
	if (!spec_changed && !conf_changed) {
		printf("jail %s: unchanged (%s)\n", name, spec_path);
		r = 0;
		goto out;
	}
	if (o->dry) {
		char conf_path[PATH_MAX];
		if (jailwg_main_path(conf_path, sizeof(conf_path), name, s.ifname, e) < 0)
			goto out;
		if (spec_changed)
			printf("would write %s:\n%s", spec_path, text);
		if (conf_changed) {
			struct wg_device *shown = NULL;
			printf("would write %s (0600)%s:\n", conf_path, m.fresh ? ", with a new private key" : "");
			if (wg_config_parse(m.out, m.out_len, conf_path, &shown, e) == 0)
				print_conf(shown);
			wg_device_free(shown);
		}
		r = 0;
		goto out;
	}
	if (!conf_changed) {
		/* The spec alone: one atomic write. */
		if (wj_write_atomic(spec_path, text, strlen(text), 0644, e) < 0)
			goto out;
	} else {
		/* Several files: one transaction (agent/jailtx.h); a kill at
		 * any instant leaves the jail as it was or as asked. */
		struct jailtx_create t = {
			.old_if = old_if,
			.new_if = s.ifname,
			.spec = spec_changed ? text : NULL,
			.conf = m.out,
			.conf_len = m.out_len,
			.pub = m.fresh ? m.dev->public_key : NULL,
		};
		if (jailtx_create(name, &t, e) < 0)
			goto out;
	}
	keyguard_note(name, m.dev);
	key_to_base64(pub, m.dev->public_key);
	{
		char conf_path[PATH_MAX];
		jailwg_main_path(conf_path, sizeof(conf_path), name, s.ifname, e);
		printf("jail %s: %s %s%s%s\n", name, is_new ? "created" : "updated", spec_path,
		       conf_changed ? " and " : "", conf_changed ? conf_path : "");
	}
	printf("public key: %s\n", pub);
	r = 0;
out:
	free(text);
	mainf_free(&m);
	jail_unlock(lockfd);
	return r;
}

/* Options may come before or after JAIL (GNU getopt permutes). */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int ch;

	make_longopts();
	while ((ch = getopt_long(argc, argv, "nh", longopts, NULL)) != -1) {
		const struct spec_key *k;
		size_t i;

		if (ch == 'n') {
			o->dry = true;
			continue;
		}
		if (ch == 'h') {
			help();
			return 1;
		}
		if (ch < OPT_KEY || (size_t)(ch - OPT_KEY) >= jailspec_nkeys) {
			cmd_usage("create", stderr);
			return -1;
		}
		i = (size_t)(ch - OPT_KEY);
		k = &jailspec_keys[i];
		if (!k->max_items) {
			o->key[i].v[0] = optarg;
			o->key[i].n = 1;
		} else if (o->key[i].n < k->max_items) {
			o->key[i].v[o->key[i].n++] = optarg;
		} else {
			cmd_usage_error("create", "--%s: at most %u", k->option, k->max_items);
			return -1;
		}
	}
	o->id = o->key[spec_key_find(SPEC_JAIL, "id") - jailspec_keys].v[0];
	o->listen_port = o->key[spec_key_find(SPEC_WIREGUARD, "listen_port") - jailspec_keys].v[0];
	return 0;
}

int cmd_create(int argc, char **argv)
{
	struct opts o = {0};
	struct wj_err e = {0};
	int r = parse_opts(argc, argv, &o);

	if (r)
		return r > 0 ? WJ_EXIT_OK : WJ_EXIT_USAGE;
	if (optind >= argc)
		return cmd_usage_error("create", "missing jail name");
	if (optind + 1 < argc)
		return cmd_usage_error("create", "unexpected argument '%s'", argv[optind + 1]);
	if (run(argv[optind], &o, &e) < 0)
		return cmd_fail(&e);
	return WJ_EXIT_OK;
}
