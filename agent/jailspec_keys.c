/* The jail spec's keys (see agent/jailspec_keys.h) and their values'
 * rules. */
#include "agent/jailspec_keys.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent/ifreserved.h"
#include "agent/reach_parse.h"
#include "util/strutil.h"

/* ---- named values ------------------------------------------------------ */

static const char *const yesno_names[] = {[JAIL_NO] = "no", [JAIL_YES] = "yes", NULL};
static const char *const uplink_names[] = {[UPLINK_BRIDGE] = "bridge", [UPLINK_WIREGUARD] = "wireguard", NULL};
static const char *const impl_names[] = {
	[IMPL_AUTO] = "auto", [IMPL_KERNEL] = "kernel", [IMPL_USERSPACE] = "userspace", NULL};

_Static_assert(sizeof(enum jail_uplink) == sizeof(int) && sizeof(enum jail_impl) == sizeof(int),
	       "SPEC_ENUM values are stored as int");
_Static_assert(sizeof(uplink_names) / sizeof(*uplink_names) == UPLINK_KINDS + 1, "a name per uplink");
_Static_assert(sizeof(impl_names) / sizeof(*impl_names) == IMPL_KINDS + 1, "a name per implementation");

static size_t names_count(const char *const *names)
{
	size_t n = 0;

	while (names[n])
		n++;
	return n;
}

static int name_index(const char *const *names, const char *v)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], v))
			return i;
	return -1;
}

const char *uplink_name(enum jail_uplink u)
{
	return (unsigned)u < UPLINK_KINDS ? uplink_names[u] : "?";
}

int uplink_from_name(const char *name, enum jail_uplink *u)
{
	int i = name_index(uplink_names, name);

	if (i < 0)
		return -1;
	*u = (enum jail_uplink)i;
	return 0;
}

const char *impl_name(enum jail_impl i)
{
	return (unsigned)i < IMPL_KINDS ? impl_names[i] : "?";
}

/* ---- validators of text values ----------------------------------------- */

bool jail_path_is_slash(const char *path)
{
	if (path[0] != '/')
		return false;
	for (const char *p = path; *p; p++)
		if (*p != '/' && !(*p == '.' && (p[-1] == '/') && (p[1] == '/' || p[1] == '\0')))
			return false;
	return true;
}


/* Hostnames and endpoint hosts: letters, digits, '-', '.' (DNS). */
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

static const char *hostname_invalid(const char *v)
{
	return hostname_ok(v, 253) ? NULL : "expected letters, digits, '-' and '.'";
}

/* HOST:PORT, or [IPv6]:PORT. */
static const char *endpoint_invalid(const char *ep)
{
	static const char why[] = "expected HOST:PORT or [IPv6]:PORT";
	char host[300];
	const char *colon;
	uint64_t port;

	if (ep[0] == '[') {
		const char *close = strchr(ep, ']');
		struct in6_addr a6;
		if (!close || close[1] != ':' || (size_t)(close - ep - 1) >= sizeof(host))
			return why;
		memcpy(host, ep + 1, (size_t)(close - ep - 1));
		host[close - ep - 1] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return why;
		colon = close + 1;
	} else {
		colon = strrchr(ep, ':');
		if (!colon || (size_t)(colon - ep) >= sizeof(host))
			return why;
		memcpy(host, ep, (size_t)(colon - ep));
		host[colon - ep] = '\0';
		if (!hostname_ok(host, 253))
			return why;
	}
	return wj_parse_uint(colon + 1, 1, 65535, &port) == 0 ? NULL : why;
}

/* The jail's interface: a valid name its files may have. */
static const char *jail_ifname_invalid(const char *v)
{
	const char *why = wj_ifname_invalid(v);

	return why ? why : jail_ifname_reserved(v);
}

/* The jail's root: a path safe in generated shell, and not the host's. */
static const char *root_invalid(const char *v)
{
	const char *why = wj_path_invalid(v);

	if (why)
		return why;
	return jail_path_is_slash(v) ? "is the host's own root: a jail needs a directory of its own" : NULL;
}

/* publish and host_allow values (agent/reach.h). */
static const char *publish_invalid(const char *v)
{
	struct reach_port p;

	return reach_parse_publish(v, &p);
}

static const char *allow_invalid(const char *v)
{
	struct reach_port p;

	return reach_parse_allow(v, &p);
}

/* ---- the table ----------------------------------------------------------- */

#define AT(field) offsetof(struct jail_spec, field), sizeof(((struct jail_spec *)0)->field)
#define LIST(field, count)                                                                                   \
	offsetof(struct jail_spec, field), sizeof(((struct jail_spec *)0)->field[0]),                         \
		offsetof(struct jail_spec, count),                                                            \
		sizeof(((struct jail_spec *)0)->field) / sizeof(((struct jail_spec *)0)->field[0])

const char *const jailspec_sections[SPEC_SECTIONS] = {[SPEC_JAIL] = "jail", [SPEC_WIREGUARD] = "wireguard"};

const struct spec_key jailspec_keys[] = {
	{SPEC_JAIL, "id", "id", "N", SPEC_UINT, AT(id), .max = JAIL_ID_MAX, .always = true,
	 .help = "names the jail's links; default the lowest one no other jail has"},
	{SPEC_JAIL, "uplink", "uplink", NULL, SPEC_ENUM, AT(uplink), .names = uplink_names, .def = UPLINK_BRIDGE,
	 .always = true, .help = "how the jail reaches the network"},
	{SPEC_JAIL, "implementation", "implementation", NULL, SPEC_ENUM, AT(impl), .names = impl_names,
	 .def = IMPL_AUTO, .always = true, .help = "which WireGuard drives the interface (Linux)"},
	{SPEC_JAIL, "bridge", "bridge", "IF", SPEC_TEXT, AT(bridge), .check = wj_ifname_invalid,
	 .def_text = "bridge0", .always = true, .help = "the host's bridge (bridge uplink)"},
	{SPEC_JAIL, "address", "jail-address", "CIDR", SPEC_PREFIX, LIST(jail_addr, n_jail_addr),
	 .help = "the jail's address on the bridge"},
	{SPEC_JAIL, "gateway", "gateway", "IP", SPEC_ADDR, LIST(gateway, n_gateway),
	 .help = "the gateway on the bridge, one per family"},
	{SPEC_JAIL, "root", "root", "PATH", SPEC_TEXT, AT(root), .check = root_invalid,
	 .help = "FreeBSD: the jail's root (not /); default /usr/local/jails/JAIL"},
	{SPEC_JAIL, "hostname", "hostname", "NAME", SPEC_TEXT, AT(hostname), .check = hostname_invalid,
	 .help = "FreeBSD: the jail's hostname; default its name"},
	{SPEC_JAIL, "devfs_ruleset", NULL, "N", SPEC_UINT, AT(devfs_ruleset), .max = 65535, .def = 5,
	 .help = "FreeBSD: the devfs ruleset"},
	{SPEC_JAIL, "nat", "nat", NULL, SPEC_ENUM, AT(nat), .names = yesno_names, .def = JAIL_NO, .flag = "yes",
	 .help = "bridge uplink: masquerade the jail out of the host and forward its WireGuard port"},
	{SPEC_JAIL, "nat_interface", "nat-interface", "IF", SPEC_TEXT, AT(nat_ifname), .check = wj_ifname_invalid,
	 .help = "the host interface to NAT out of; default the default route's (Linux)"},
	{SPEC_JAIL, "publish", "publish", "PROTO:HOSTPORT[:JAILPORT]", SPEC_TEXT, LIST(publish, n_publish),
	 .check = publish_invalid, .help = "a port forwarded from the host to the jail (tcp or udp; needs nat)"},
	{SPEC_JAIL, "host_link", "host-link", "CIDR", SPEC_PREFIX, LIST(host_link, n_host_link), .min = 1,
	 .help = "WireGuard uplink: the host's end of a link into the jail (/30, /31, /126, /127)"},
	{SPEC_JAIL, "host_allow", "host-allow", "PROTO:PORT", SPEC_TEXT, LIST(host_allow, n_host_allow),
	 .check = allow_invalid, .help = "a port in the jail the host may open over the host link"},
	{SPEC_WIREGUARD, "interface", "interface", "IF", SPEC_TEXT, AT(ifname), .check = jail_ifname_invalid,
	 .def_text = "wg0", .always = true,
	 .help = "the WireGuard interface in the jail (renaming it needs the jail down; reserved names "
		 "are refused)"},
	{SPEC_WIREGUARD, "address", "address", "CIDR", SPEC_PREFIX, LIST(address, n_address), .min = 1,
	 .help = "a tunnel address"},
	{SPEC_WIREGUARD, "listen_port", "listen-port", "N", SPEC_UINT, AT(listen_port), .max = 65535,
	 .help = "the WireGuard UDP port; 0 for a random one"},
	{SPEC_WIREGUARD, "mtu", "mtu", "N", SPEC_UINT, AT(mtu), .min = 576, .max = 65535,
	 .help = "the tunnel's MTU; default IF.conf's MTU, else 1420"},
	{SPEC_WIREGUARD, "endpoint", "endpoint", "HOST:PORT", SPEC_TEXT, AT(endpoint), .check = endpoint_invalid,
	 .help = "this jail's public endpoint, for export"},
};
const size_t jailspec_nkeys = sizeof(jailspec_keys) / sizeof(*jailspec_keys);
_Static_assert(sizeof(jailspec_keys) / sizeof(*jailspec_keys) <= SPEC_KEYS_MAX, "SPEC_KEYS_MAX");
_Static_assert(JAIL_MAX_ADDRS <= SPEC_ITEMS_MAX, "SPEC_ITEMS_MAX");

const struct spec_key *spec_key_find(enum spec_section section, const char *key)
{
	for (size_t i = 0; i < jailspec_nkeys; i++)
		if (jailspec_keys[i].section == section && !strcasecmp(jailspec_keys[i].key, key))
			return &jailspec_keys[i];
	return NULL;
}

/* ---- values ------------------------------------------------------------ */

static void *at(const struct spec_key *k, const struct jail_spec *s, size_t i)
{
	return (char *)s + k->off + i * k->size;
}

static size_t *count_of(const struct spec_key *k, const struct jail_spec *s)
{
	return (size_t *)((char *)s + k->count_off);
}

static uint64_t get_uint(const struct spec_key *k, const void *p)
{
	uint16_t v16;
	uint32_t v32;
	int v;

	if (k->type == SPEC_ENUM) {
		memcpy(&v, p, sizeof(v));
		return (uint64_t)(unsigned)v;
	}
	if (k->size == sizeof(v16)) {
		memcpy(&v16, p, sizeof(v16));
		return v16;
	}
	memcpy(&v32, p, sizeof(v32));
	return v32;
}

static void put_uint(const struct spec_key *k, void *p, uint64_t n)
{
	uint16_t v16 = (uint16_t)n;
	uint32_t v32 = (uint32_t)n;
	int v = (int)n;

	if (k->type == SPEC_ENUM)
		memcpy(p, &v, sizeof(v));
	else if (k->size == sizeof(v16))
		memcpy(p, &v16, sizeof(v16));
	else
		memcpy(p, &v32, sizeof(v32));
}

static const char *range_why(const struct spec_key *k, char *why, size_t whysz)
{
	snprintf(why, whysz, "expected a number from %ju to %ju", (uintmax_t)k->min, (uintmax_t)k->max);
	return why;
}

static const char *enum_why(const struct spec_key *k, char *why, size_t whysz)
{
	char list[128];

	snprintf(why, whysz, "expected %s", spec_key_arg(k, list, sizeof(list)));
	/* "a|b|c" reads "a, b or c" in a message */
	for (char *bar; (bar = strchr(why, '|'));)
		if (strchr(bar + 1, '|')) {
			memmove(bar + 2, bar + 1, strlen(bar + 1) + 1);
			bar[0] = ',';
			bar[1] = ' ';
		} else {
			memmove(bar + 4, bar + 1, strlen(bar + 1) + 1);
			memcpy(bar, " or ", 4);
		}
	return why;
}

/* One value V into P; NULL or why not. */
static const char *set_one(const struct spec_key *k, void *p, const char *v, char *why, size_t whysz)
{
	struct wg_ipmask ip;
	uint64_t n;
	int i;

	switch (k->type) {
	case SPEC_UINT:
		if (wj_parse_uint(v, k->min, k->max, &n) < 0)
			return range_why(k, why, whysz);
		put_uint(k, p, n);
		return NULL;
	case SPEC_ENUM:
		if ((i = name_index(k->names, v)) < 0)
			return enum_why(k, why, whysz);
		put_uint(k, p, (uint64_t)i);
		return NULL;
	case SPEC_TEXT: {
		const char *bad = k->check ? k->check(v) : NULL;
		if (bad)
			return bad;
		if (strlen(v) >= k->size)
			return "too long";
		/* zero-filled: a value set twice leaves nothing of the longer one */
		memset(p, 0, k->size);
		memcpy(p, v, strlen(v));
		return NULL;
	}
	case SPEC_PREFIX:
		if (wg_ipmask_parse(v, &ip) < 0 || !strchr(v, '/'))
			return "expected ADDRESS/PREFIX";
		if (ip.cidr < k->min)
			return "the prefix length must not be 0";
		memcpy(p, &ip, sizeof(ip));
		return NULL;
	case SPEC_ADDR:
		if (wg_ipmask_parse(v, &ip) < 0 || strchr(v, '/'))
			return "expected an IP address";
		memcpy(p, &ip, sizeof(ip));
		return NULL;
	}
	return "unknown type";
}

const char *spec_key_set(const struct spec_key *k, struct jail_spec *s, const char *v, char *why, size_t whysz)
{
	const char *bad;
	size_t *n;

	if (!k->max_items)
		return set_one(k, at(k, s, 0), v, why, whysz);
	n = count_of(k, s);
	if (*n >= k->max_items) {
		snprintf(why, whysz, "at most %u", k->max_items);
		return why;
	}
	if ((bad = set_one(k, at(k, s, *n), v, why, whysz)))
		return bad;
	(*n)++;
	return NULL;
}

void spec_key_clear(const struct spec_key *k, struct jail_spec *s)
{
	if (k->max_items) {
		memset(at(k, s, 0), 0, k->size * k->max_items);
		*count_of(k, s) = 0;
	}
}

void spec_key_default(const struct spec_key *k, struct jail_spec *s)
{
	if (k->max_items)
		spec_key_clear(k, s);
	else if (k->type == SPEC_TEXT)
		snprintf(at(k, s, 0), k->size, "%s", k->def_text ? k->def_text : "");
	else if (k->type == SPEC_UINT || k->type == SPEC_ENUM)
		put_uint(k, at(k, s, 0), k->def);
	else
		memset(at(k, s, 0), 0, k->size);
}

size_t spec_key_count(const struct spec_key *k, const struct jail_spec *s)
{
	return k->max_items ? *count_of(k, s) : 1;
}

const char *spec_key_format(const struct spec_key *k, const struct jail_spec *s, size_t i, char *out, size_t outsz)
{
	const void *p = at(k, s, i);
	struct wg_ipmask ip;
	uint64_t n;
	char a[INET6_ADDRSTRLEN];

	switch (k->type) {
	case SPEC_UINT:
		snprintf(out, outsz, "%ju", (uintmax_t)get_uint(k, p));
		break;
	case SPEC_ENUM:
		n = get_uint(k, p);
		snprintf(out, outsz, "%s", n < names_count(k->names) ? k->names[n] : "?");
		break;
	case SPEC_TEXT:
		snprintf(out, outsz, "%s", (const char *)p);
		break;
	case SPEC_PREFIX:
		memcpy(&ip, p, sizeof(ip));
		wg_ipmask_fmt(&ip, out, outsz);
		break;
	case SPEC_ADDR:
		memcpy(&ip, p, sizeof(ip));
		if (!inet_ntop(ip.family, &ip.addr, a, sizeof(a)))
			snprintf(a, sizeof(a), "?");
		snprintf(out, outsz, "%s", a);
		break;
	}
	return out;
}

bool spec_key_is_default(const struct spec_key *k, const struct jail_spec *s)
{
	if (k->max_items)
		return *count_of(k, s) == 0;
	if (k->type == SPEC_TEXT)
		return !strcmp(at(k, s, 0), k->def_text ? k->def_text : "");
	return get_uint(k, at(k, s, 0)) == k->def;
}

const char *spec_key_check(const struct spec_key *k, const struct jail_spec *s, size_t i, char *why,
			   size_t whysz)
{
	const void *p = at(k, s, i);
	struct wg_ipmask ip;
	uint64_t n;

	/* a single value at its default is valid: "not set" (mtu 0, root "") */
	if (!k->max_items && spec_key_is_default(k, s))
		return NULL;
	switch (k->type) {
	case SPEC_UINT:
		n = get_uint(k, p);
		return n < k->min || n > k->max ? range_why(k, why, whysz) : NULL;
	case SPEC_ENUM:
		return get_uint(k, p) >= names_count(k->names) ? enum_why(k, why, whysz) : NULL;
	case SPEC_TEXT:
		if (!memchr(p, '\0', k->size))
			return "too long";
		return k->check ? k->check(p) : NULL;
	case SPEC_PREFIX:
	case SPEC_ADDR:
		memcpy(&ip, p, sizeof(ip));
		if (ip.family != AF_INET && ip.family != AF_INET6)
			return "not an IP address";
		return k->type == SPEC_PREFIX && ip.cidr < k->min ? "the prefix length must not be 0" : NULL;
	}
	return "unknown type";
}

const char *spec_key_arg(const struct spec_key *k, char *out, size_t outsz)
{
	size_t n = 0;

	if (k->type != SPEC_ENUM) {
		snprintf(out, outsz, "%s", k->arg);
		return out;
	}
	out[0] = '\0';
	for (size_t i = 0; k->names[i] && n < outsz; i++)
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", i ? "|" : "", k->names[i]);
	return out;
}
