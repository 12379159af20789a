#include "agent/jailspec.h"
#include "agent/jaillock.h"
#include "agent/reach.h"
#include "util/err.h"
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

#if defined(__FreeBSD__)
#define DEFAULT_CONFDIR "/usr/local/etc/wgjail"
#else
#define DEFAULT_CONFDIR "/etc/wgjail"
#endif

static char confdir[PATH_MAX];

void wj_set_confdir(const char *dir)
{
	snprintf(confdir, sizeof(confdir), "%s", dir);
}

const char *wj_confdir(void)
{
	if (!confdir[0]) {
		const char *env = getenv("WGJAIL_CONFDIR");
		wj_set_confdir(env && *env ? env : DEFAULT_CONFDIR);
	}
	return confdir;
}

int jail_path(char *buf, size_t sz, const char *name, const char *file)
{
	int n = file ? snprintf(buf, sz, "%s/%s/%s", wj_confdir(), name, file)
		     : snprintf(buf, sz, "%s/%s", wj_confdir(), name);
	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

void jailspec_defaults(struct jail_spec *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->uplink = UPLINK_BRIDGE;
	s->impl = IMPL_AUTO;
	snprintf(s->bridge, sizeof(s->bridge), "bridge0");
	snprintf(s->ifname, sizeof(s->ifname), "wg0");
	s->devfs_ruleset = 5;
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

static const char *uplink_str(enum jail_uplink u)
{
	return u == UPLINK_WIREGUARD ? "wireguard" : "bridge";
}

static const char *impl_str(enum jail_impl i)
{
	return i == IMPL_KERNEL ? "kernel" : i == IMPL_USERSPACE ? "userspace" : "auto";
}

/* Hostnames and endpoint hosts: letters, digits, '-', '.' (DNS), or an
 * IPv6 literal inside brackets for endpoints. */
static bool hostname_ok(const char *h, size_t max)
{
	size_t n = strlen(h);

	if (n == 0 || n > max || h[0] == '-' || h[0] == '.')
		return false;
	for (; *h; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') || (*h >= '0' && *h <= '9') ||
		      *h == '-' || *h == '.'))
			return false;
	return true;
}

static bool endpoint_ok(const char *ep)
{
	char host[300];
	const char *colon;
	uint64_t port;

	if (ep[0] == '[') {
		const char *close = strchr(ep, ']');
		struct in6_addr a6;
		if (!close || close[1] != ':' || (size_t)(close - ep - 1) >= sizeof(host))
			return false;
		memcpy(host, ep + 1, (size_t)(close - ep - 1));
		host[close - ep - 1] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return false;
		colon = close + 1;
	} else {
		colon = strrchr(ep, ':');
		if (!colon || (size_t)(colon - ep) >= sizeof(host))
			return false;
		memcpy(host, ep, (size_t)(colon - ep));
		host[colon - ep] = '\0';
		if (!hostname_ok(host, 253))
			return false;
	}
	return wj_parse_uint(colon + 1, 1, 65535, &port) == 0;
}

int jailspec_validate(const struct jail_spec *s, struct wj_err *e)
{
	const char *why;
	char q[128];
	bool fam[2] = {false, false};

	if ((why = wj_jail_name_invalid(s->name)))
		return wj_errf(e, "jail name '%s': %s", wj_quote(s->name, q, sizeof(q)), why);
	if (s->id > JAIL_ID_MAX)
		return wj_errf(e, "jail %s: id %u is out of range (0-%d)", s->name, s->id, JAIL_ID_MAX);
	if ((why = wj_ifname_invalid(s->ifname)) || (why = jail_ifname_reserved(s->ifname)))
		return wj_errf(e, "jail %s: interface '%s': %s", s->name, wj_quote(s->ifname, q, sizeof(q)), why);
	{
		if ((why = wj_ifname_invalid(s->bridge)))
			return wj_errf(e, "jail %s: bridge '%s': %s", s->name, wj_quote(s->bridge, q, sizeof(q)),
				       why);
		/* the jail's addresses and gateways matter for the bridge
		 * uplink only, but are validated whenever present */
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
	}
	for (size_t i = 0; i < s->n_address; i++)
		if (s->address[i].cidr == 0)
			return wj_errf(e, "jail %s: tunnel address %s has a zero prefix length", s->name,
				       wg_ipmask_fmt(&s->address[i], q, sizeof(q)));
	if (s->mtu && (s->mtu < 576 || s->mtu > 65535))
		return wj_errf(e, "jail %s: mtu %u is out of range (576-65535)", s->name, s->mtu);
	if (s->endpoint[0] && !endpoint_ok(s->endpoint))
		return wj_errf(e, "jail %s: endpoint '%s' is not HOST:PORT or [IPv6]:PORT", s->name,
			       wj_quote(s->endpoint, q, sizeof(q)));
	if (s->root[0] && (why = wj_path_invalid(s->root)))
		return wj_errf(e, "jail %s: root '%s': %s", s->name, wj_quote(s->root, q, sizeof(q)), why);
	if (s->root[0] && jail_path_is_slash(s->root))
		return wj_errf(e, "jail %s: root '%s' is the host's own root: a jail needs a directory of its own", s->name,
			       s->root);
	if (s->hostname[0] && !hostname_ok(s->hostname, 253))
		return wj_errf(e, "jail %s: hostname '%s' holds only letters, digits, '-' and '.'", s->name,
			       wj_quote(s->hostname, q, sizeof(q)));
	if (s->devfs_ruleset > 65535)
		return wj_errf(e, "jail %s: devfs_ruleset %u is out of range", s->name, s->devfs_ruleset);
	return reach_validate(s, e);
}

bool jail_path_is_slash(const char *path)
{
	if (path[0] != '/')
		return false;
	for (const char *p = path; *p; p++)
		if (*p != '/' && !(*p == '.' && (p[-1] == '/') && (p[1] == '/' || p[1] == '\0')))
			return false;
	return true;
}

/* ---- parsing --------------------------------------------------------- */

struct pctx {
	struct jail_spec *s;
	const char *path;
};

static int bad(struct wj_err *e, const struct pctx *c, unsigned line, const char *key, const char *value,
	       const char *why)
{
	char q[200];
	return wj_errf(e, "%s:%u: %s = '%s': %s", c->path, line, key, wj_quote(value, q, sizeof(q)), why);
}

static int add_addr(struct wg_ipmask *arr, size_t *n, size_t max, const char *v, bool need_prefix)
{
	struct wg_ipmask ip;

	if (*n >= max || wg_ipmask_parse(v, &ip) < 0)
		return -1;
	if (need_prefix && !strchr(v, '/'))
		return -1;
	arr[(*n)++] = ip;
	return 0;
}

static int copy_str(char *dst, size_t sz, const char *v)
{
	size_t n = strlen(v);

	if (n >= sz)
		return -1;
	/* zero-fill: a value set twice leaves nothing of the longer one */
	memset(dst, 0, sz);
	memcpy(dst, v, n);
	return 0;
}

static int on_section(void *user, const char *section, unsigned line, struct wj_err *e)
{
	struct pctx *c = user;

	if (strcasecmp(section, "jail") && strcasecmp(section, "wireguard"))
		return wj_errf(e, "%s:%u: unknown section [%s] (expected [jail] or [wireguard])", c->path, line,
			       section);
	return 0;
}

static int on_key(void *user, const char *section, const char *key, const char *v, unsigned line,
		  struct wj_err *e)
{
	struct pctx *c = user;
	struct jail_spec *s = c->s;
	uint64_t n;

	if (!*section)
		return wj_errf(e, "%s:%u: '%s' before any section", c->path, line, key);
	if (!strcasecmp(section, "jail")) {
		if (!strcasecmp(key, "id")) {
			if (wj_parse_uint(v, 0, JAIL_ID_MAX, &n) < 0)
				return bad(e, c, line, key, v, "expected a number from 0 to 4095");
			s->id = (unsigned)n;
		} else if (!strcasecmp(key, "uplink")) {
			if (!strcmp(v, "bridge"))
				s->uplink = UPLINK_BRIDGE;
			else if (!strcmp(v, "wireguard"))
				s->uplink = UPLINK_WIREGUARD;
			else
				return bad(e, c, line, key, v, "expected bridge or wireguard");
		} else if (!strcasecmp(key, "implementation")) {
			if (!strcmp(v, "auto"))
				s->impl = IMPL_AUTO;
			else if (!strcmp(v, "kernel"))
				s->impl = IMPL_KERNEL;
			else if (!strcmp(v, "userspace"))
				s->impl = IMPL_USERSPACE;
			else
				return bad(e, c, line, key, v, "expected auto, kernel or userspace");
		} else if (!strcasecmp(key, "bridge")) {
			if (copy_str(s->bridge, sizeof(s->bridge), v) < 0 || wj_ifname_invalid(v))
				return bad(e, c, line, key, v, "not a valid interface name");
		} else if (!strcasecmp(key, "address")) {
			if (add_addr(s->jail_addr, &s->n_jail_addr, JAIL_MAX_ADDRS, v, true) < 0)
				return bad(e, c, line, key, v, "expected ADDRESS/PREFIX (at most 8)");
		} else if (!strcasecmp(key, "gateway")) {
			if (add_addr(s->gateway, &s->n_gateway, 2, v, false) < 0 || strchr(v, '/'))
				return bad(e, c, line, key, v, "expected an IP address (one IPv4, one IPv6)");
		} else if (!strcasecmp(key, "root")) {
			if (copy_str(s->root, sizeof(s->root), v) < 0 || wj_path_invalid(v))
				return bad(e, c, line, key, v, wj_path_invalid(v) ? wj_path_invalid(v) : "too long");
		} else if (!strcasecmp(key, "hostname")) {
			if (copy_str(s->hostname, sizeof(s->hostname), v) < 0 || !hostname_ok(v, 253))
				return bad(e, c, line, key, v, "expected letters, digits, '-' and '.'");
		} else if (!strcasecmp(key, "devfs_ruleset")) {
			if (wj_parse_uint(v, 0, 65535, &n) < 0)
				return bad(e, c, line, key, v, "expected a number from 0 to 65535");
			s->devfs_ruleset = (unsigned)n;
		} else if (!strcasecmp(key, "nat")) {
			if (strcmp(v, "yes") && strcmp(v, "no"))
				return bad(e, c, line, key, v, "expected yes or no");
			s->nat = !strcmp(v, "yes");
		} else if (!strcasecmp(key, "nat_interface")) {
			if (copy_str(s->nat_ifname, sizeof(s->nat_ifname), v) < 0 || wj_ifname_invalid(v))
				return bad(e, c, line, key, v, "not a valid interface name");
		} else if (!strcasecmp(key, "publish")) {
			struct reach_port p;
			const char *why = reach_parse_publish(v, &p);
			if (why || s->n_publish == JAIL_MAX_PUBLISH ||
			    copy_str(s->publish[s->n_publish], JAIL_PORTSPEC_LEN, v) < 0)
				return bad(e, c, line, key, v, why ? why : "at most 8");
			s->n_publish++;
		} else if (!strcasecmp(key, "host_link")) {
			if (add_addr(s->host_link, &s->n_host_link, 2, v, true) < 0)
				return bad(e, c, line, key, v, "expected ADDRESS/PREFIX (one IPv4, one IPv6)");
		} else if (!strcasecmp(key, "host_allow")) {
			struct reach_port p;
			const char *why = reach_parse_allow(v, &p);
			if (why || s->n_host_allow == JAIL_MAX_PUBLISH ||
			    copy_str(s->host_allow[s->n_host_allow], JAIL_PORTSPEC_LEN, v) < 0)
				return bad(e, c, line, key, v, why ? why : "at most 8");
			s->n_host_allow++;
		} else {
			return wj_errf(e, "%s:%u: unknown key '%s' in [jail]", c->path, line, key);
		}
	} else {
		if (!strcasecmp(key, "interface")) {
			if (copy_str(s->ifname, sizeof(s->ifname), v) < 0 || wj_ifname_invalid(v))
				return bad(e, c, line, key, v, "not a valid interface name");
		} else if (!strcasecmp(key, "address")) {
			if (add_addr(s->address, &s->n_address, JAIL_MAX_ADDRS, v, true) < 0)
				return bad(e, c, line, key, v, "expected ADDRESS/PREFIX (at most 8)");
		} else if (!strcasecmp(key, "listen_port")) {
			if (wj_parse_uint(v, 0, 65535, &n) < 0)
				return bad(e, c, line, key, v, "expected a port from 0 to 65535");
			s->listen_port = (uint16_t)n;
		} else if (!strcasecmp(key, "mtu")) {
			if (wj_parse_uint(v, 576, 65535, &n) < 0)
				return bad(e, c, line, key, v, "expected a number from 576 to 65535");
			s->mtu = (uint32_t)n;
		} else if (!strcasecmp(key, "endpoint")) {
			if (copy_str(s->endpoint, sizeof(s->endpoint), v) < 0 || !endpoint_ok(v))
				return bad(e, c, line, key, v, "expected HOST:PORT or [IPv6]:PORT");
		} else {
			return wj_errf(e, "%s:%u: unknown key '%s' in [wireguard]", c->path, line, key);
		}
	}
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

char *jailspec_format(const struct jail_spec *s)
{
	struct wj_sbuf b = {0};
	char a[INET6_ADDRSTRLEN + 8];

	wj_sb_printf(&b, "# wgjail jail spec for %s (wgjail.conf(5))\n[jail]\n", s->name);
	wj_sb_printf(&b, "id = %u\nuplink = %s\nimplementation = %s\n", s->id, uplink_str(s->uplink),
		  impl_str(s->impl));
	/* Everything that is set is written, whatever the uplink, so that
	 * switching the uplink back and forth loses nothing. */
	{
		wj_sb_printf(&b, "bridge = %s\n", s->bridge);
		for (size_t i = 0; i < s->n_jail_addr; i++)
			wj_sb_printf(&b, "address = %s\n", wg_ipmask_fmt(&s->jail_addr[i], a, sizeof(a)));
		for (size_t i = 0; i < s->n_gateway; i++) {
			char ip[INET6_ADDRSTRLEN];
			inet_ntop(s->gateway[i].family, &s->gateway[i].addr, ip, sizeof(ip));
			wj_sb_printf(&b, "gateway = %s\n", ip);
		}
	}
	if (s->root[0])
		wj_sb_printf(&b, "root = %s\n", s->root);
	if (s->hostname[0])
		wj_sb_printf(&b, "hostname = %s\n", s->hostname);
	if (s->devfs_ruleset != 5)
		wj_sb_printf(&b, "devfs_ruleset = %u\n", s->devfs_ruleset);
	if (s->nat)
		wj_sb_printf(&b, "nat = yes\n");
	if (s->nat_ifname[0])
		wj_sb_printf(&b, "nat_interface = %s\n", s->nat_ifname);
	for (size_t i = 0; i < s->n_publish; i++)
		wj_sb_printf(&b, "publish = %s\n", s->publish[i]);
	for (size_t i = 0; i < s->n_host_link; i++)
		wj_sb_printf(&b, "host_link = %s\n", wg_ipmask_fmt(&s->host_link[i], a, sizeof(a)));
	for (size_t i = 0; i < s->n_host_allow; i++)
		wj_sb_printf(&b, "host_allow = %s\n", s->host_allow[i]);
	wj_sb_printf(&b, "\n[wireguard]\ninterface = %s\n", s->ifname);
	for (size_t i = 0; i < s->n_address; i++)
		wj_sb_printf(&b, "address = %s\n", wg_ipmask_fmt(&s->address[i], a, sizeof(a)));
	if (s->listen_port)
		wj_sb_printf(&b, "listen_port = %u\n", s->listen_port);
	if (s->mtu)
		wj_sb_printf(&b, "mtu = %u\n", s->mtu);
	if (s->endpoint[0])
		wj_sb_printf(&b, "endpoint = %s\n", s->endpoint);
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
