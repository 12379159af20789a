#include "rc/names.h"
#include "util/err.h"
#include "util/strutil.h"

#include <stdio.h>
#include <string.h>

const char *rc_wg_ifname(const struct jail_spec *s, char *buf, size_t sz)
{
	if (s->uplink == UPLINK_WIREGUARD)
		snprintf(buf, sz, "wgj%u", s->id);
	else
		snprintf(buf, sz, "%s", s->ifname);
	return buf;
}

static bool prefix_digits(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(name, prefix, n) || !name[n])
		return false;
	for (const char *p = name + n; *p; p++)
		if ((*p < '0' || *p > '9') && !(p[1] == '\0' && p != name + n && (*p == 'a' || *p == 'b')))
			return false;
	return true;
}

int rc_check_ifname(const struct jail_spec *s, struct wj_err *e)
{
	if (s->uplink == UPLINK_BRIDGE && (prefix_digits(s->ifname, "lo") || prefix_digits(s->ifname, "epair")))
		return wj_errf(e, "jail %s: interface '%s' is taken inside the jail (loopback or epair); "
			       "choose another, e.g. wg0", s->name, s->ifname);
	return 0;
}

void rc_if_var(const char *ifname, char *out, size_t sz)
{
	size_t i;

	if (sz == 0)
		return;
	for (i = 0; ifname[i] && i + 1 < sz; i++)
		out[i] = strchr(".-/+", ifname[i]) ? '_' : ifname[i];
	out[i] = '\0';
}

void rc_epair(const struct jail_spec *s, char *pair, char *host_end, char *jail_end, size_t sz)
{
	snprintf(pair, sz, "epair%u", s->id);
	snprintf(host_end, sz, "epair%ua", s->id);
	snprintf(jail_end, sz, "epair%ub", s->id);
}

int rc_word_check(const char *word, const char *what, struct wj_err *e)
{
	char q[128];

	if (!*word)
		return wj_errf(e, "%s is empty", what);
	for (const char *p = word; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_./:%+-", c)))
			return wj_errf(e, "%s '%s' holds a character that is not safe in a generated file",
				       what, wj_quote(word, q, sizeof(q)));
	}
	return 0;
}
