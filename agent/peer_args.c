/* Syntax checks of the peer command lines (see agent/peer_args.h). */
#include "agent/peer_args.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/strutil.h"
#include "wg/peer_meta.h"
#include "wg/resolve.h"

int peer_parse_aips(const char *list, struct wg_ipmask **out, size_t *n, unsigned *n_masked, struct wj_err *e)
{
	char *copy = strdup(list), *save = NULL, *tok;
	struct wg_ipmask *v = NULL;
	size_t cnt = 0, cap = 0;
	char q[128];

	*out = NULL;
	*n = 0;
	*n_masked = 0;
	if (!copy)
		return wj_errnof(e, ENOMEM, "allowed IPs");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct wg_ipmask m, masked;
		bool dup = false;

		tok = wj_trim(tok);
		if (!*tok || wg_ipmask_parse(tok, &m) < 0) {
			wj_errf(e, "'%s' is not IP[/CIDR]", wj_quote(tok, q, sizeof(q)));
			goto fail;
		}
		masked = m;
		wg_ipmask_mask(&masked);
		if (wg_ipmask_cmp(&masked, &m) != 0)
			(*n_masked)++;
		for (size_t i = 0; i < cnt; i++)
			dup = dup || wg_ipmask_cmp(&v[i], &masked) == 0;
		if (dup)
			continue;
		if (cnt == cap) {
			struct wg_ipmask *nv = realloc(v, (cap ? cap * 2 : 4) * sizeof(*v));
			if (!nv) {
				wj_errnof(e, ENOMEM, "allowed IPs");
				goto fail;
			}
			v = nv;
			cap = cap ? cap * 2 : 4;
		}
		v[cnt++] = masked;
	}
	if (!cnt) {
		wj_errf(e, "'%s' lists no address", wj_quote(list, q, sizeof(q)));
		goto fail;
	}
	free(copy);
	*out = v;
	*n = cnt;
	return 0;
fail:
	free(copy);
	free(v);
	return -1;
}

static bool host_ok(const char *h)
{
	struct in6_addr a6;

	if (!*h || strlen(h) > 253 || h[0] == '-' || h[0] == '.')
		return strchr(h, ':') && inet_pton(AF_INET6, h, &a6) == 1;
	if (strchr(h, ':'))
		return inet_pton(AF_INET6, h, &a6) == 1;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '.'))
			return false;
	return true;
}

int peer_check_endpoint(const char *ep, struct wj_err *e)
{
	char host[300], port[16], q[128];
	struct wj_err ignored = {0};
	uint64_t p;

	if (wg_endpoint_split(ep, host, sizeof(host), port, sizeof(port), &ignored) < 0 || !host_ok(host) ||
	    wj_parse_uint(port, 1, 65535, &p) < 0)
		return wj_errf(e, "'%s' is not HOST:PORT or [IPv6]:PORT (port 1-65535)", wj_quote(ep, q, sizeof(q)));
	return 0;
}

int peer_parse_expiry(const char *s, int64_t now, bool never_ok, int64_t *out, struct wj_err *e)
{
	static const struct {
		char unit;
		int64_t secs;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
	size_t n = strlen(s);
	char q[64];
	uint64_t v;

	if (never_ok && !strcmp(s, "never")) {
		*out = 0;
		return 0;
	}
	if (wg_time_parse(s, n, out) == 0) {
		if (*out <= now)
			return wj_errf(e, "'%s' is in the past", wj_quote(s, q, sizeof(q)));
		return 0;
	}
	for (size_t i = 0; n > 1 && i < sizeof(units) / sizeof(units[0]); i++) {
		char num[24];
		if (s[n - 1] != units[i].unit || n - 1 >= sizeof(num))
			continue;
		memcpy(num, s, n - 1);
		num[n - 1] = '\0';
		if (wj_parse_uint(num, 1, (uint64_t)100 * 366 * 86400 / (uint64_t)units[i].secs, &v) < 0)
			break;
		*out = now + (int64_t)v * units[i].secs;
		return 0;
	}
	return wj_errf(e, "'%s' is not a date (2027-01-31, 2027-01-31T12:00:00Z) or a duration (30d, 12h, 2w)%s",
		       wj_quote(s, q, sizeof(q)), never_ok ? " or 'never'" : "");
}
