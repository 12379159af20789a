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
 *   WireGuard uplink only: defaultrouter="-interface IF" (when there is an
 *       IPv4 tunnel address) and ipv6_defaultrouter="-interface IF" (IPv6):
 *       rc.d/routing runs `route add default -interface IF`; the tunnel
 *       is the jail's only way out.
 * Stale keys from an earlier provision (more aliases than now, the other
 * uplink's interface name, a default route through it) are removed.
 * rc variable names replace '.' and '-' of an interface name by '_' (as
 * network.subr's ltr does). */
#include "util/err.h"
#include "util/strutil.h"
#include "rc/edit.h"
#include "rc/gen.h"
#include "rc/names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct stale {
	char vars[3][24]; /* ifconfig_ variable stems: both possible names, the previous one */
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

static int edit(struct kv_doc *d, const struct jail_spec *s, const struct wg_ipmask *addrs, size_t n_addrs,
		unsigned mtu, const char *prev, struct wj_err *e)
{
	char ifn[24], other[24], var[24], key[64], val[128], cur[128];
	const struct wg_ipmask *first4 = NULL, *first6 = NULL;
	struct stale st = {.n = 1};
	size_t alias = 0;

	rc_wg_ifname(s, ifn, sizeof(ifn));
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

	/* The other name this jail's interface may have had. */
	{
		struct jail_spec t = *s;
		t.uplink = s->uplink == UPLINK_BRIDGE ? UPLINK_WIREGUARD : UPLINK_BRIDGE;
		rc_wg_ifname(&t, other, sizeof(other));
	}
	snprintf(st.vars[0], sizeof(st.vars[0]), "%s", var);
	if (strcmp(other, ifn))
		rc_if_var(other, st.vars[st.n++], sizeof(st.vars[0]));
	/* ... and the one an earlier provision wrote (renamed since). */
	if (prev[0] && strcmp(prev, ifn) && strcmp(prev, other))
		rc_if_var(prev, st.vars[st.n++], sizeof(st.vars[0]));
	st.keep_aliases = alias;
	kv_unset_if(d, is_stale, &st);

	/* Default routes: ours in the WireGuard mode; one we wrote earlier
	 * (through either name) is removed otherwise. */
	{
		static const char *const keys[2] = {"defaultrouter", "ipv6_defaultrouter"};
		const bool want[2] = {s->uplink == UPLINK_WIREGUARD && first4, s->uplink == UPLINK_WIREGUARD && first6};
		char mine[3][48];

		snprintf(mine[0], sizeof(mine[0]), "-interface %s", ifn);
		snprintf(mine[1], sizeof(mine[1]), "-interface %s", other);
		snprintf(mine[2], sizeof(mine[2]), "-interface %s", prev[0] ? prev : ifn);
		for (int f = 0; f < 2; f++) {
			if (want[f]) {
				if (kv_set(d, keys[f], mine[0], e) < 0)
					return -1;
			} else if (kv_get(d, keys[f], cur, sizeof(cur)) &&
				   (!strcmp(cur, mine[0]) || !strcmp(cur, mine[1]) || !strcmp(cur, mine[2]))) {
				kv_unset(d, keys[f]);
			}
		}
		/* With the WireGuard uplink, a default route through the
		 * previous name is replaced by kv_set above. */
	}
	return 0;
}

char *rc_rc_conf(const struct jail_spec *s, const struct wg_ipmask *addrs, size_t n_addrs, unsigned mtu,
		 const char *old, size_t oldlen, const char *path, size_t *len, struct wj_err *e)
{
	struct kv_doc d;
	char *out, prev[WJ_IFNAME_MAX + 1] = "";

	if (old && !rc_rc_conf_previous_if(old, oldlen, prev, sizeof(prev)))
		prev[0] = '\0';
	if (kv_parse(&d, old ? old : "", old ? oldlen : 0, path, e) < 0)
		return NULL;
	if (edit(&d, s, addrs, n_addrs, mtu, prev, e) < 0) {
		kv_free(&d);
		return NULL;
	}
	out = kv_format(&d, len);
	kv_free(&d);
	if (!out)
		wj_errnof(e, ENOMEM, "%s", path);
	return out;
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
