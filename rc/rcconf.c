/* The jail's /etc/rc.conf, edited in place (rc/edit.h): only the keys
 * below are set or removed, every other line is kept.
 *
 *   network_interfaces="lo0 IF"   explicit, not AUTO: in the bridge mode
 *       the WireGuard interface does not exist yet when rc lists
 *       interfaces (start_if.IF creates it), and epairNb, configured by
 *       jail.conf's exec.start, stays out of rc's hands (rc would
 *       otherwise mark its IPv6 ifdisabled).  In the WireGuard mode the
 *       list is the same as AUTO would find, written out for clarity.
 *   ifconfig_IF="inet A/P [mtu N]"   the first IPv4 tunnel address (or
 *       "mtu N" alone, or "up" when there is no address at all);
 *   ifconfig_IF_ipv6="inet6 A/P"     the first IPv6 one;
 *   ifconfig_IF_aliasN="inet A/P" | "inet6 A/P"   the others, N from 0;
 *   when the uplink kind routes the jail through the tunnel (the
 *       WireGuard uplink, rc/uplink_kind.h): defaultrouter="-interface IF"
 *       (when there is an IPv4 tunnel address) and
 *       ipv6_defaultrouter="-interface IF" (IPv6): rc.d/routing runs
 *       `route add default -interface IF`; the tunnel is the jail's only
 *       way out.
 * Stale keys from an earlier provision (more aliases than now, the
 * interface's name under another uplink kind, a default route through
 * it) are removed.
 * rc variable names replace '.' and '-' of an interface name by '_' (as
 * network.subr's ltr does). */
#include "util/err.h"
#include "util/strutil.h"
#include "rc/edit.h"
#include "rc/gen.h"
#include "rc/names.h"
#include "rc/uplink_kind.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NAMES (2 + RC_OTHER_IFNAMES)

struct stale {
	char vars[NAMES][24]; /* ifconfig_ variable stems: the current name, the other kinds', the previous one */
	size_t n;
	size_t keep_aliases; /* ifconfig_<vars[0]>_aliasN with N < this are ours */
};

/* ifconfig_V, ifconfig_V_ipv6, ifconfig_V_aliases, ifconfig_V_aliasN:
 * returns 1 for the plain key, 2 for _ipv6, 3 for _aliases, 4 + N for
 * aliasN, 0 if KEY is not one of V's. */
static long if_key_kind(const char *key, const char *v)
{
	size_t n = strlen(v);
	const char *rest;

	if (strncmp(key, "ifconfig_", 9) || strncmp(key + 9, v, n))
		return 0;
	rest = key + 9 + n;
	if (!*rest)
		return 1;
	if (!strcmp(rest, "_ipv6"))
		return 2;
	if (!strcmp(rest, "_aliases"))
		return 3;
	if (!strncmp(rest, "_alias", 6) && rest[6]) {
		long num = 0;
		for (const char *p = rest + 6; *p; p++) {
			if (*p < '0' || *p > '9' || num > 100000)
				return 0;
			num = num * 10 + (*p - '0');
		}
		return 4 + num;
	}
	return 0;
}

static bool is_stale(const char *key, void *arg)
{
	const struct stale *st = arg;
	long k0 = if_key_kind(key, st->vars[0]);

	/* A key just set for the current interface is never stale, whatever
	 * an older name reads it as (a previous interface "wg0_alias0" would
	 * take ifconfig_wg0_alias0 for its own plain key). */
	if (k0 == 1 || k0 == 2 || (k0 >= 4 && (size_t)(k0 - 4) < st->keep_aliases))
		return false;
	for (size_t i = 0; i < st->n; i++) {
		long k = if_key_kind(key, st->vars[i]);
		/* The current interface's keys we set are kept (rewritten by
		 * kv_set); only extra aliases and _aliases go. */
		if (i == 0 ? (k == 3 || (k >= 4 && (size_t)(k - 4) >= st->keep_aliases)) : k != 0)
			return true;
	}
	return false;
}

static int addr_word(const struct wg_ipmask *ip, char *out, size_t sz, struct wj_err *e)
{
	char a[INET6_ADDRSTRLEN + 8];

	wg_ipmask_fmt(ip, a, sizeof(a));
	if (rc_word_check(a, "tunnel address", e) < 0)
		return -1;
	snprintf(out, sz, "%s %s", ip->family == AF_INET6 ? "inet6" : "inet", a);
	return 0;
}

static int edit(struct kv_doc *d, const struct rc_jail *j, const struct wg_ipmask *addrs, size_t n_addrs,
		unsigned mtu, const char *prev, struct wj_err *e)
{
	char ifn[24], var[24], key[64], val[128], cur[128];
	/* Every name the interface may have had: this kind's, the other
	 * kinds', the one an earlier provision wrote (renamed since). */
	const char *names[NAMES];
	size_t n_names = 0;
	const struct wg_ipmask *first4 = NULL, *first6 = NULL;
	struct stale st = {.n = 1};
	size_t alias = 0;

	rc_wg_ifname(j, ifn, sizeof(ifn));
	if (rc_word_check(ifn, "interface", e) < 0)
		return -1;
	rc_if_var(ifn, var, sizeof(var));
	snprintf(val, sizeof(val), "lo0 %s", ifn);
	if (kv_set(d, "network_interfaces", val, e) < 0)
		return -1;
	for (size_t i = 0; i < n_addrs; i++) {
		if (addrs[i].family == AF_INET && !first4)
			first4 = &addrs[i];
		else if (addrs[i].family == AF_INET6 && !first6)
			first6 = &addrs[i];
	}
	val[0] = '\0';
	if (first4 && addr_word(first4, val, sizeof(val), e) < 0)
		return -1;
	if (mtu)
		snprintf(val + strlen(val), sizeof(val) - strlen(val), "%smtu %u", val[0] ? " " : "", mtu);
	if (!val[0] && !first6)
		snprintf(val, sizeof(val), "up");
	snprintf(key, sizeof(key), "ifconfig_%s", var);
	if (!val[0])
		kv_unset(d, key);
	else if (kv_set(d, key, val, e) < 0)
		return -1;
	snprintf(key, sizeof(key), "ifconfig_%s_ipv6", var);
	if (first6) {
		if (addr_word(first6, val, sizeof(val), e) < 0 || kv_set(d, key, val, e) < 0)
			return -1;
	} else {
		kv_unset(d, key);
	}
	for (size_t i = 0; i < n_addrs; i++) {
		if (&addrs[i] == first4 || &addrs[i] == first6)
			continue;
		snprintf(key, sizeof(key), "ifconfig_%s_alias%zu", var, alias++);
		if (addr_word(&addrs[i], val, sizeof(val), e) < 0 || kv_set(d, key, val, e) < 0)
			return -1;
	}

	names[n_names++] = ifn;
	for (size_t i = 0; i < j->n_other_ifname && i < RC_OTHER_IFNAMES; i++)
		names[n_names++] = j->other_ifname[i];
	names[n_names++] = prev[0] ? prev : ifn;
	snprintf(st.vars[0], sizeof(st.vars[0]), "%s", var);
	for (size_t i = 1; i < n_names; i++) {
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			seen |= !strcmp(names[k], names[i]);
		if (!seen)
			rc_if_var(names[i], st.vars[st.n++], sizeof(st.vars[0]));
	}
	st.keep_aliases = alias;
	kv_unset_if(d, is_stale, &st);

	/* Default routes: ours when the uplink kind routes through the
	 * tunnel; one we wrote earlier (through any of the names) is removed
	 * otherwise (and replaced by kv_set when it is ours). */
	{
		static const char *const keys[2] = {"defaultrouter", "ipv6_defaultrouter"};
		const bool via_wg = j->uplink->default_route_via_wg;
		const bool want[2] = {via_wg && first4, via_wg && first6};
		char mine[48];

		snprintf(mine, sizeof(mine), "-interface %s", ifn);
		for (int f = 0; f < 2; f++) {
			bool ours = false;
			if (want[f]) {
				if (kv_set(d, keys[f], mine, e) < 0)
					return -1;
				continue;
			}
			if (!kv_get(d, keys[f], cur, sizeof(cur)))
				continue;
			for (size_t i = 0; i < n_names; i++)
				ours |= !strncmp(cur, "-interface ", 11) && !strcmp(cur + 11, names[i]);
			if (ours)
				kv_unset(d, keys[f]);
		}
	}
	return 0;
}

struct edit_args {
	const struct rc_jail *j;
	const struct wg_ipmask *addrs;
	size_t n_addrs;
	unsigned mtu;
	char prev[WJ_IFNAME_MAX + 1];
};

static int edit_fn(struct kv_doc *d, void *arg, struct wj_err *e)
{
	const struct edit_args *a = arg;

	return edit(d, a->j, a->addrs, a->n_addrs, a->mtu, a->prev, e);
}

char *rc_rc_conf(const struct rc_jail *j, const struct wg_ipmask *addrs, size_t n_addrs, unsigned mtu,
		 const char *old, size_t oldlen, const char *path, size_t *len, struct wj_err *e)
{
	struct edit_args a = {j, addrs, n_addrs, mtu, ""};

	if (old && !rc_rc_conf_previous_if(old, oldlen, a.prev, sizeof(a.prev)))
		a.prev[0] = '\0';
	return kv_edit(old, oldlen, path, edit_fn, &a, len, e);
}

bool rc_rc_conf_previous_if(const char *old, size_t oldlen, char *out, size_t sz)
{
	struct kv_doc d;
	struct wj_err ignored;
	char v[128], *w;
	bool found = false;

	if (!old || kv_parse(&d, old, oldlen, "rc.conf", &ignored) < 0)
		return false;
	if (kv_get(&d, "network_interfaces", v, sizeof(v)) && !strncmp(v, "lo0 ", 4)) {
		w = v + 4;
		if (!strchr(w, ' ') && !wj_ifname_invalid(w) && strlen(w) < sz) {
			snprintf(out, sz, "%s", w);
			found = true;
		}
	}
	kv_free(&d);
	return found;
}
