/* The jail call's request header (see agent/jailcall_proto.h): written by
 * the caller (agent/jailcall.c), read by the process in the jail
 * (agent/jailcall_child.c). */
#include "agent/jailcall_proto.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/strutil.h"

static const char *const op_names[] = {[JC_GET] = "get", [JC_SET] = "set", [JC_SYNC] = "sync"};

int jc_header_format(const struct jc_header *h, char *buf, size_t sz)
{
	int n = snprintf(buf, sz, "op=%s\njail=%s\ninterface=%s\ndry_run=%s\nreport=%s\n\n", op_names[h->op], h->jail,
			 h->ifname, h->dry_run ? "true" : "false", h->report ? "true" : "false");

	return n < 0 || (size_t)n >= sz ? -1 : n;
}

static int flag_of(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "false")) {
		*out = !strcmp(v, "true");
		return 0;
	}
	return -1;
}

int jc_header_parse(const char *text, struct jc_header *h, struct wj_err *e)
{
	unsigned seen = 0;
	const char *l = text;

	memset(h, 0, sizeof(*h));
	while (*l) {
		const char *nl = strchr(l, '\n'), *eq = strchr(l, '=');
		char key[16], val[64];
		size_t kl, vl;
		unsigned bit;
		int bad = 0;

		if (!nl)
			nl = l + strlen(l);
		if (!eq || eq > nl || (kl = (size_t)(eq - l)) >= sizeof(key) || (vl = (size_t)(nl - eq - 1)) >= sizeof(val))
			return wj_errf(e, "jail call: malformed request header line");
		memcpy(key, l, kl);
		key[kl] = '\0';
		memcpy(val, eq + 1, vl);
		val[vl] = '\0';
		if (!strcmp(key, "op")) {
			bit = 1;
			bad = 1;
			for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
				if (!strcmp(val, op_names[i])) {
					h->op = (enum jc_op)i;
					bad = 0;
				}
		} else if (!strcmp(key, "jail")) {
			bit = 2;
			bad = wj_jail_name_invalid(val) != NULL || vl >= sizeof(h->jail);
			if (!bad)
				memcpy(h->jail, val, vl + 1);
		} else if (!strcmp(key, "interface")) {
			bit = 4;
			bad = wj_ifname_invalid(val) != NULL || vl >= sizeof(h->ifname);
			if (!bad)
				memcpy(h->ifname, val, vl + 1);
		} else if (!strcmp(key, "dry_run")) {
			bit = 8;
			bad = flag_of(val, &h->dry_run);
		} else if (!strcmp(key, "report")) {
			bit = 16;
			bad = flag_of(val, &h->report);
		} else {
			return wj_errf(e, "jail call: unknown key '%s' in the request header", key);
		}
		if (bad || (seen & bit))
			return wj_errf(e, "jail call: %s '%s' in the request header", bad ? "bad value of" : "repeated", key);
		seen |= bit;
		l = *nl ? nl + 1 : nl;
	}
	if (seen != 31)
		return wj_errf(e, "jail call: the request header lacks a key");
	return 0;
}
