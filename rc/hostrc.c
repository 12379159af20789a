/* The host's /etc/rc.conf: the jail starts at boot.
 *
 * FreeBSD's rc.d/jail starts, when jail_enable is YES, the jails named in
 * jail_list, each from /etc/jail.NAME.conf, else (FreeBSD 12.2 and later)
 * /etc/jail.conf.d/NAME.conf, else /etc/jail.conf -- which is where
 * provision puts it.  With jail_list empty, rc.d/jail instead starts every
 * jail of /etc/jail.conf and never reads jail.conf.d (unless jail.conf
 * .includes the files of jail.conf.d).  So:
 *
 *   jail_enable="YES"    set unless already yes (YES, yes, true, on, 1:
 *                        rc.subr's checkyesno; such a line is kept as is);
 *   jail_list            the jail appended, unless named already (then
 *                        the line is kept byte for byte); other names and
 *                        their order are kept.
 *
 * Every other line is kept (rc/edit.h).  One case is left alone: an
 * empty jail_list on a host that has an /etc/jail.conf.  Its jails start
 * at boot because the list is empty; a list naming only this jail would
 * stop them.  Nothing is changed then, and the caller says why (NOTE):
 * this jail starts with them if jail.conf .includes its file
 * (rc/jailinc.c), else it is for the operator to list them all.
 * A jail_list that is not a plain list of names (a "$var", a quote that
 * runs over lines) is refused, naming the file, line and value.
 *
 * One owner starts a jail at boot: rc.d/wgjail runs before rc.d/jail
 * (BEFORE: jail) and its `wgjail boot` provisions every jail (first-boot
 * keys, the jail's files), but starts only the jails rc.d/jail will not:
 * those rc_host_starts_jail says no for, and with an empty jail_list
 * those jail.conf does not include (docs/design.md). */
#include "rc/gen.h"
#include "rc/edit.h"
#include "rc/names.h"
#include "util/err.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool yes(const char *v)
{
	static const char *const y[] = {"YES", "TRUE", "ON", "1"};

	for (size_t i = 0; i < sizeof(y) / sizeof(y[0]); i++)
		if (!strcasecmp(v, y[i]))
			return true;
	return false;
}

/* Is NAME one of the blank-separated words of LIST?  Each word must be
 * safe to write back (rc_word_check), else -1. */
static int listed(const char *list, const char *name, const char *path, size_t line, struct wj_err *e)
{
	char w[256], q[160];
	const char *p = list;
	int found = 0;

	while (*p) {
		size_t n = strcspn(p, " \t");
		if (n) {
			struct wj_err ignored;
			snprintf(w, sizeof(w), "%.*s", (int)n, p);
			if (n >= sizeof(w) || rc_word_check(w, "jail name", &ignored) < 0)
				return wj_errf(e,
					       "%s:%zu: jail_list=\"%s\" is not a plain list of jail names; add %s to it "
					       "by hand",
					       path, line, wj_quote(list, q, sizeof(q)), name);
			if (!strcmp(w, name))
				found = 1;
		}
		p += n;
		p += strspn(p, " \t");
	}
	return found;
}

struct host_args {
	const char *jail, *path;
	const struct rc_host_jail_conf *jc;
	char *note;
	size_t note_sz;
};

static int add_jail(struct kv_doc *d, void *arg, struct wj_err *e)
{
	const struct host_args *a = arg;
	char list[1024], en[64];
	bool has_list = kv_get(d, "jail_list", list, sizeof(list));
	bool en_yes = kv_get(d, "jail_enable", en, sizeof(en)) && yes(en);
	int r;

	if (!has_list && kv_line(d, "jail_list"))
		return wj_errf(e, "%s:%zu: jail_list is too long or not a plain value; add %s to it by hand", a->path,
			       kv_line(d, "jail_list"), a->jail);
	if (!has_list)
		list[0] = '\0';
	if ((r = listed(list, a->jail, a->path, kv_line(d, "jail_list"), e)) < 0)
		return -1;
	/* An empty list and a jail.conf: left alone (rc.d/jail starts its
	 * jails); the note says whether this one is among them. */
	if (list[strspn(list, " \t")] == '\0' && a->jc->text) {
		char file[64];
		int inc;
		const char *conf = a->jc->conf;

		/* (JAIL passed rc_word_check: at most a jail name's length) */
		snprintf(file, sizeof(file), "/etc/jail.conf.d/%s.conf", a->jail);
		if ((inc = rc_jail_conf_includes(a->jc->text, a->jc->len, a->jc->path, conf, file, a->jc->follow, e)) < 0)
			return wj_err_prefix(e, "%s: jail_list is empty, so whether rc.d/jail starts %s cannot be told",
					     a->path, a->jail);
		if (inc)
			snprintf(a->note, a->note_sz,
				 "%s: jail_list is empty, so rc.d/jail starts every jail of %s at boot, and %s "
				 "includes %s: left alone (a list naming only %s would stop the others)%s",
				 a->path, conf, conf, file, a->jail,
				 en_yes ? "" : "; set jail_enable=\"YES\" to start them");
		else
			snprintf(a->note, a->note_sz,
				 "%s: jail_list is empty, so rc.d/jail starts every jail of %s at boot and none of "
				 "/etc/jail.conf.d: left alone (a list naming only %s would stop the others); to "
				 "start %s at boot, add it and those jails to jail_list, or add "
				 "'.include \"/etc/jail.conf.d/*.conf\";' to %s (FreeBSD 14)",
				 a->path, conf, a->jail, a->jail, conf);
		return 0;
	}
	if (!r) {
		char v[sizeof(list) + 64];
		size_t n = strlen(list);
		while (n && (list[n - 1] == ' ' || list[n - 1] == '\t'))
			n--;
		snprintf(v, sizeof(v), "%.*s%s%s", (int)n, list, n ? " " : "", a->jail);
		if (kv_set(d, "jail_list", v, e) < 0)
			return -1;
	}
	if (!en_yes && kv_set(d, "jail_enable", "YES", e) < 0)
		return -1;
	return 0;
}

char *rc_host_rc_conf(const char *jail, const char *old, size_t oldlen, const struct rc_host_jail_conf *jc,
		      const char *path, char *note, size_t note_sz, size_t *len, struct wj_err *e)
{
	struct host_args a = {jail, path, jc, note, note_sz};

	note[0] = '\0';
	if (rc_word_check(jail, "jail name", e) < 0)
		return NULL;
	return kv_edit(old, oldlen, path, add_jail, &a, len, e);
}

/* rc.conf's jail_conf (rc.d/jail's default: /etc/jail.conf) into CONF. */
static int jail_conf_of(const struct kv_doc *d, const char *path, char *conf, size_t sz, struct wj_err *e)
{
	char q[160];
	const char *why;

	if (!kv_get(d, "jail_conf", conf, sz)) {
		if (kv_line(d, "jail_conf"))
			return wj_errf(e, "%s:%zu: jail_conf is too long or not a plain value", path,
				       kv_line(d, "jail_conf"));
		snprintf(conf, sz, "/etc/jail.conf");
	} else if ((why = wj_path_invalid(conf))) {
		return wj_errf(e, "%s:%zu: jail_conf=\"%s\": %s", path, kv_line(d, "jail_conf"),
			       wj_quote(conf, q, sizeof(q)), why);
	}
	return 0;
}

int rc_host_jail_conf_path(const char *text, size_t len, const char *path, char *conf, size_t conf_sz,
			   struct wj_err *e)
{
	struct kv_doc d;
	char list[1024];
	int r = 1;

	if (!text) {
		snprintf(conf, conf_sz, "/etc/jail.conf");
		return 1;
	}
	if (kv_parse(&d, text, len, path, e) < 0)
		return -1;
	if (kv_get(&d, "jail_list", list, sizeof(list)) ? list[strspn(list, " \t")] != '\0'
							: kv_line(&d, "jail_list") != 0)
		r = 0; /* a list, or one rc_host_rc_conf refuses */
	else if (jail_conf_of(&d, path, conf, conf_sz, e) < 0)
		r = -1;
	kv_free(&d);
	return r;
}

int rc_host_starts_jail(const char *jail, const char *text, size_t len, const char *path, char *conf,
			size_t conf_sz, struct wj_err *e)
{
	struct kv_doc d;
	char list[1024], en[64];
	int r = 0;

	if (!text)
		return 0;
	if (kv_parse(&d, text, len, path, e) < 0)
		return -1;
	if (kv_get(&d, "jail_enable", en, sizeof(en)) && yes(en)) {
		if (kv_get(&d, "jail_list", list, sizeof(list)))
			r = listed(list, jail, path, kv_line(&d, "jail_list"), e);
		else if (kv_line(&d, "jail_list"))
			r = wj_errf(e, "%s:%zu: jail_list is too long or not a plain value", path,
				    kv_line(&d, "jail_list"));
		else
			list[0] = '\0';
		if (r == 0 && list[strspn(list, " \t")] == '\0')
			r = jail_conf_of(&d, path, conf, conf_sz, e) < 0 ? -1 : RC_HOST_EVERY;
	}
	kv_free(&d);
	return r;
}
