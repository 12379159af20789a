#include "agent/jailspec.h"
#include "agent/jailspec_keys.h"
#include "agent/jaillock.h"
#include "agent/reach.h"
#include "util/err.h"
#include "util/paths.h"
#include "util/safefile.h"
#include "util/fsutil.h"
#include "util/ini.h"
#include "util/sbuf.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void jailspec_defaults(struct jail_spec *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	for (size_t i = 0; i < jailspec_nkeys; i++)
		spec_key_default(&jailspec_keys[i], s);
}

const char *jail_root(const struct jail_spec *s, char *buf, size_t sz)
{
	if (s->root[0])
		snprintf(buf, sz, "%s", s->root);
	else
		snprintf(buf, sz, "/usr/local/jails/%s", s->name);
	return buf;
}

const char *jail_hostname(const struct jail_spec *s)
{
	return s->hostname[0] ? s->hostname : s->name;
}

/* ---- validation ---------------------------------------------------------- */

/* What involves more than one value: the bridge uplink's gateways (one
 * per family, each with a jail address of its family).  The jail's
 * addresses and gateways matter for the bridge uplink only, but are
 * validated whenever present. */
static int validate_gateways(const struct jail_spec *s, struct wj_err *e)
{
	bool fam[2] = {false, false};
	char q[64];

	for (size_t i = 0; i < s->n_jail_addr; i++)
		fam[s->jail_addr[i].family == AF_INET6] = true;
	for (size_t i = 0; i < s->n_gateway; i++) {
		bool v6 = s->gateway[i].family == AF_INET6;
		if (!fam[v6])
			return wj_errf(e, "jail %s: gateway %s has no jail address of its family", s->name,
				       wg_ipmask_fmt(&s->gateway[i], q, sizeof(q)));
		for (size_t j = 0; j < i; j++)
			if (s->gateway[j].family == s->gateway[i].family)
				return wj_errf(e, "jail %s: more than one IPv%d gateway", s->name, v6 ? 6 : 4);
	}
	return 0;
}

int jailspec_validate(const struct jail_spec *s, struct wj_err *e)
{
	const char *why;
	char q[128], v[PATH_MAX], w[128];

	if ((why = wj_jail_name_invalid(s->name)))
		return wj_errf(e, "jail name '%s': %s", wj_quote(s->name, q, sizeof(q)), why);
	for (size_t i = 0; i < jailspec_nkeys; i++) {
		const struct spec_key *k = &jailspec_keys[i];
		size_t n = spec_key_count(k, s);
		if (n > k->max_items && k->max_items)
			return wj_errf(e, "jail %s: %s: more than %u", s->name, k->key, k->max_items);
		for (size_t j = 0; j < n; j++)
			if ((why = spec_key_check(k, s, j, w, sizeof(w))))
				return wj_errf(e, "jail %s: %s '%s': %s", s->name, k->key,
					       wj_quote(spec_key_format(k, s, j, v, sizeof(v)), q, sizeof(q)), why);
	}
	if (validate_gateways(s, e) < 0)
		return -1;
	return reach_validate(s, e);
}

/* ---- parsing --------------------------------------------------------- */

struct pctx {
	struct jail_spec *s;
	const char *path;
};

static int section_of(const char *name)
{
	for (int i = 0; i < SPEC_SECTIONS; i++)
		if (!strcasecmp(name, jailspec_sections[i]))
			return i;
	return -1;
}

bool jailspec_is_section(const char *name)
{
	return section_of(name) >= 0;
}

static int on_section(void *user, const char *section, unsigned line, struct wj_err *e)
{
	struct pctx *c = user;

	if (section_of(section) < 0)
		return wj_errf(e, "%s:%u: unknown section [%s] (expected [%s] or [%s])", c->path, line, section,
			       jailspec_sections[SPEC_JAIL], jailspec_sections[SPEC_WIREGUARD]);
	return 0;
}

static int on_key(void *user, const char *section, const char *key, const char *v, unsigned line,
		  struct wj_err *e)
{
	struct pctx *c = user;
	const struct spec_key *k;
	const char *why;
	char q[200], w[128];
	int sec;

	if (!*section)
		return wj_errf(e, "%s:%u: '%s' before any section", c->path, line, key);
	/* the reader stops at an unknown section's header (on_section); a
	 * key never reaches here under one, but an index is never trusted */
	if ((sec = section_of(section)) < 0)
		return wj_errf(e, "%s:%u: unknown section [%s]", c->path, line, section);
	if (!(k = spec_key_find((enum spec_section)sec, key)))
		return wj_errf(e, "%s:%u: unknown key '%s' in [%s]", c->path, line, key, jailspec_sections[sec]);
	if ((why = spec_key_set(k, c->s, v, w, sizeof(w))))
		return wj_errf(e, "%s:%u: %s = '%s': %s", c->path, line, key, wj_quote(v, q, sizeof(q)), why);
	return 0;
}

int jailspec_parse(const char *text, size_t len, const char *path, const char *name, struct jail_spec *out,
		   struct wj_err *e)
{
	struct pctx c;
	struct wj_ini ini = {
		.path = path,
		.on_section = on_section,
		.on_key = on_key,
		.comment_prefixes = "#;",
		.inline_comment_prefixes = "#;",
		.user = &c,
	};

	jailspec_defaults(out, name);
	c.s = out;
	c.path = path;
	if (wj_ini_parse(&ini, text, len, e) < 0)
		return -1;
	if (jailspec_validate(out, e) < 0)
		return wj_err_prefix(e, "%s", path);
	return 0;
}

/* ---- formatting ------------------------------------------------------ */

/* Every key that is set is written, whatever the uplink, so that
 * switching the uplink back and forth loses nothing; a key at its
 * default only if the table says always. */
char *jailspec_format(const struct jail_spec *s)
{
	struct wj_sbuf b = {0};
	char v[PATH_MAX];

	wj_sb_printf(&b, "# wgjail jail spec for %s (wgjail.conf(5))\n", s->name);
	for (int sec = 0; sec < SPEC_SECTIONS; sec++) {
		wj_sb_printf(&b, "%s[%s]\n", sec ? "\n" : "", jailspec_sections[sec]);
		for (size_t i = 0; i < jailspec_nkeys; i++) {
			const struct spec_key *k = &jailspec_keys[i];
			if ((int)k->section != sec || (!k->always && spec_key_is_default(k, s)))
				continue;
			for (size_t j = 0; j < spec_key_count(k, s); j++)
				wj_sb_printf(&b, "%s = %s\n", k->key, spec_key_format(k, s, j, v, sizeof(v)));
		}
	}
	return wj_sb_take(&b, NULL);
}

/* ---- files ----------------------------------------------------------- */

int jailspec_load(const char *name, struct jail_spec *out, struct wj_err *e)
{
	char path[PATH_MAX], q[80];
	const char *why = wj_jail_name_invalid(name);
	char *text;
	size_t len;
	int r;

	if (why)
		return wj_errf(e, "jail name '%s': %s", wj_quote(name, q, sizeof(q)), why);
	if (jail_path(path, sizeof(path), name, "jail.conf") < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	if (jail_dirs_check(NULL, e) < 0)
		return -1;
	if (!wj_exists(path))
		return wj_errf(e, "jail %s: no spec at %s (create it with: wgjail create %s)", name, path, name);
	if (jail_dirs_check(name, e) < 0 || wj_read_conf(path, 1 << 20, false, &text, &len, e) < 0)
		return -1;
	r = jailspec_parse(text, len, path, name, out, e);
	free(text);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int jailspec_list(char ***names, size_t *n, struct wj_err *e)
{
	DIR *d = opendir(wj_confdir());
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return wj_errnof(e, errno, "%s", wj_confdir());
	}
	if (jail_dirs_check(NULL, e) < 0) {
		closedir(d);
		return -1;
	}
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		if (wj_jail_name_invalid(de->d_name))
			continue;
		if (jail_path(path, sizeof(path), de->d_name, "jail.conf") < 0 || !wj_exists(path))
			continue;
		if (*n == cap) {
			char **nn;
			cap = cap ? cap * 2 : 8;
			nn = realloc(*names, cap * sizeof(*nn));
			if (!nn)
				goto oom;
			*names = nn;
		}
		if (!((*names)[*n] = strdup(de->d_name)))
			goto oom;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
oom:
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		free((*names)[i]);
	free(*names);
	*names = NULL;
	*n = 0;
	return wj_errnof(e, ENOMEM, "listing jails");
}
