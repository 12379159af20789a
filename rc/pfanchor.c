/* FreeBSD pf anchors of jails (see rc/pfanchor.h). */
#include "rc/pfanchor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/sbuf.h"

#define HEADER "# wgjail: pf rules of jail "

static const char *af(const struct wg_ipmask *a)
{
	return a->family == AF_INET6 ? "inet6" : "inet";
}

char *rc_pf_anchor(const struct pf_jail *j, size_t *len)
{
	struct wj_sbuf b = {0};
	char ip[INET6_ADDRSTRLEN];

	wj_sb_printf(&b, HEADER "%s (anchor \"wgjail/%s\"), written by wgjail provision.\n", j->name, j->name);
	wj_sb_printf(&b, "# Loaded by the jail's exec.prestart, flushed by its exec.poststop (jail.conf.d/%s.conf).\n",
		     j->name);
	for (int f = 0; f < 2; f++)
		if (j->addr[f].family && (f == 0 || j->nat6))
			wj_sb_printf(&b, "nat on %s %s from %s to any tag wgjail_%s -> (%s)\n", j->ext_if, af(&j->addr[f]),
				     wg_ipmask_addr_fmt(&j->addr[f], ip, sizeof(ip)), j->name, j->ext_if);
	for (size_t i = 0; i < j->n_ports; i++)
		for (int f = 0; f < 2; f++)
			if (j->addr[f].family)
				wj_sb_printf(&b, "rdr on %s %s proto %s from any to (%s) port %u tag wgjail_%s -> %s port %u\n",
					     j->ext_if, af(&j->addr[f]), j->ports[i].proto == IPPROTO_TCP ? "tcp" : "udp",
					     j->ext_if, j->ports[i].host_port, j->name, wg_ipmask_addr_fmt(&j->addr[f], ip, sizeof(ip)),
					     j->ports[i].jail_port);
	for (int f = 0; f < 2; f++)
		if (j->addr[f].family)
			wj_sb_printf(&b, "pass in quick %s from %s to any tag wgjail_%s keep state\n", af(&j->addr[f]),
				     wg_ipmask_addr_fmt(&j->addr[f], ip, sizeof(ip)), j->name);
	wj_sb_printf(&b, "pass quick tagged wgjail_%s keep state\n", j->name);
	return wj_sb_take(&b, len);
}

int rc_pf_anchor_path(const char *root, const char *name, char *out, size_t sz)
{
	int n = snprintf(out, sz, "%s%s/%s.conf", root, RC_PF_ANCHOR_DIR, name);

	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

char *rc_pf_jail_lines(const char *name)
{
	struct wj_sbuf b = {0};
	char path[256];

	rc_pf_anchor_path("", name, path, sizeof(path));
	wj_sb_printf(&b, "\texec.prestart += \"/sbin/pfctl -a wgjail/%s -f %s\";\n", name, path);
	wj_sb_printf(&b, "\texec.poststop += \"/sbin/pfctl -a wgjail/%s -F all\";\n", name);
	return wj_sb_take(&b, NULL);
}

bool rc_pf_anchor_is_ours(const char *text, size_t len)
{
	return len >= strlen(HEADER) && !memcmp(text, HEADER, strlen(HEADER));
}

/* The next blank-separated word of *P (before END) into OUT; false if none. */
static bool word(const char **p, const char *end, char *out, size_t sz)
{
	size_t n = 0;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*p < end && **p != ' ' && **p != '\t') {
		if (n + 1 < sz)
			out[n++] = **p;
		(*p)++;
	}
	out[n] = '\0';
	return n > 0;
}

/* Does TEXT hold a line whose first two words are W1 and W2 (W2 with or
 * without double quotes), outside comments? */
static bool has_line(const char *text, size_t len, const char *w1, const char *w2)
{
	const char *p, *end;

	if (!text)
		return false;
	for (p = text, end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *hash = memchr(p, '#', (size_t)(le - p)), *q = p;
		char a[64], b[80];

		if (hash)
			le = hash;
		if (word(&q, le, a, sizeof(a)) && word(&q, le, b, sizeof(b))) {
			size_t bl = strlen(b);
			if (bl >= 2 && b[0] == '"' && b[bl - 1] == '"') {
				memmove(b, b + 1, bl - 2);
				b[bl - 2] = '\0';
			}
			if (!strcmp(a, w1) && !strcmp(b, w2))
				return true;
		}
		p = nl ? nl + 1 : end;
	}
	return false;
}

/* rc.conf: KEY="YES" (any case, quotes optional), the last one wins. */
static bool rc_yes(const char *text, size_t len, const char *key)
{
	const char *p, *end;
	bool yes = false;
	size_t kl = strlen(key);

	if (!text)
		return false;
	for (p = text, end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(le - p) > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			const char *v = p + kl + 1;
			if (*v == '"' || *v == '\'')
				v++;
			yes = (size_t)(le - v) >= 3 && !strncasecmp(v, "yes", 3) &&
			      (v + 3 == le || v[3] == '"' || v[3] == '\'' || v[3] == ' ' || v[3] == '#');
		}
		p = nl ? nl + 1 : end;
	}
	return yes;
}

char *rc_pf_hooks_missing(const char *pfconf, size_t pflen, const char *rcconf, size_t rclen, bool need6)
{
	static const char *const hooks[] = {"nat-anchor", "rdr-anchor", "anchor"};
	struct wj_sbuf b = {0};
	bool pf_missing = false;

	for (size_t i = 0; i < sizeof(hooks) / sizeof(*hooks); i++)
		pf_missing |= !has_line(pfconf, pflen, hooks[i], "wgjail/*");
	if (pf_missing) {
		wj_sb_printf(&b, "/etc/pf.conf: the jails' anchors are not hooked; add (translation lines among the "
				 "translation rules, the anchor line among the filter rules):\n");
		for (size_t i = 0; i < sizeof(hooks) / sizeof(*hooks); i++)
			if (!has_line(pfconf, pflen, hooks[i], "wgjail/*"))
				wj_sb_printf(&b, "\t%s \"wgjail/*\"\n", hooks[i]);
	}
	if (!rc_yes(rcconf, rclen, "gateway_enable"))
		wj_sb_printf(&b, "/etc/rc.conf: the host does not forward IPv4; add:\n\tgateway_enable=\"YES\"\n");
	if (need6 && !rc_yes(rcconf, rclen, "ipv6_gateway_enable"))
		wj_sb_printf(&b, "/etc/rc.conf: the host does not forward IPv6; add:\n\tipv6_gateway_enable=\"YES\"\n");
	return wj_sb_take(&b, NULL);
}
