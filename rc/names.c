#include "rc/names.h"
#include "rc/uplink_kind.h"
#include "util/err.h"
#include "util/strutil.h"

#include <stdio.h>
#include <string.h>

const char *rc_wg_ifname(const struct rc_jail *j, char *buf, size_t sz)
{
	j->uplink->wg_ifname(j, buf, sz);
	return buf;
}

int rc_check_ifname(const struct rc_jail *j, struct wj_err *e)
{
	return j->uplink->check_ifname ? j->uplink->check_ifname(j, e) : 0;
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

void rc_epair(const struct rc_jail *j, char *pair, char *host_end, char *jail_end, size_t sz)
{
	snprintf(pair, sz, "epair%u", j->id);
	snprintf(host_end, sz, "epair%ua", j->id);
	snprintf(jail_end, sz, "epair%ub", j->id);
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
