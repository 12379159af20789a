/* wg0.conf reader: wg(8)'s configuration format (wireguard-tools 1.0.x,
 * src/config.c, as observed with the installed `wg setconf`) plus wg-quick's
 * [Interface] keys, into the model of wg/model.h.
 *
 * Lines come from the one wg0.conf lexer (wg/conf_lex.h), which holds
 * wg(8)'s line rules: everything from the first '#' is dropped, then every
 * whitespace character anywhere in the line; an empty result is ignored.
 * wg-quick keys keep the whitespace inside their value (PostUp commands).
 * Each line as wg sees it is assembled in one buffer that is wiped (it may
 * hold key material); nothing else copies it. */
#include "wg/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/platform.h"
#include "util/strutil.h"
#include "wg/conf_lex.h"
#include "wg/peer_meta.h"
#include "wg/config_private.h"

enum section { SEC_NONE, SEC_INTERFACE, SEC_PEER };

struct ctx {
	const char *path;
	struct wg_device *dev;
	enum section sec;
	/* The [Peer] section being read: merged into dev at its end. */
	struct wg_peer pending;
	bool pending_open, pending_has_key;
	/* The current line as wg sees it: cleaned, "Key=value" for key lines. */
	char *cur;
	size_t cur_len, cur_cap;
	unsigned line;
	bool cur_quick; /* a wg-quick key line (inner whitespace of the value kept) */
	bool holds_key; /* the file names a private or preshared key */
	struct wj_err *e;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *const quick_keys[] = {"Address", "DNS",      "MTU",      "Table",      "PreUp",
					 "PostUp",  "PreDown", "PostDown", "SaveConfig", NULL};

static const char *quick_key(const char *k, size_t n)
{
	for (const char *const *q = quick_keys; *q; q++)
		if (strlen(*q) == n && strncasecmp(*q, k, n) == 0)
			return *q;
	return NULL;
}

/* A run of 40 or more base64 characters: the line may hold a key, do not
 * echo it. */
bool wg_config_looks_secret(const char *s)
{
	size_t run = 0;

	for (; *s; s++) {
		char c = *s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' || c == '/' ||
		    c == '=') {
			if (++run >= 40)
				return true;
		} else {
			run = 0;
		}
	}
	return false;
}

/* Room for N more bytes (and a NUL) in the line buffer. */
static int cur_room(struct ctx *c, size_t n)
{
	size_t cap;
	char *nb;

	if (n + 1 <= c->cur_cap)
		return 0;
	cap = c->cur_cap ? c->cur_cap : 256;
	while (cap < n + 1)
		cap *= 2;
	nb = malloc(cap);
	if (!nb)
		return -1;
	if (c->cur) {
		sodium_memzero(c->cur, c->cur_cap);
		free(c->cur);
	}
	c->cur = nb;
	c->cur_cap = cap;
	return 0;
}

/* Append S[0..N) to the line buffer, whitespace removed if SQUEEZE. */
static void cur_add(struct ctx *c, const char *s, size_t n, bool squeeze)
{
	if (!squeeze) {
		memcpy(c->cur + c->cur_len, s, n);
		c->cur_len += n;
	} else {
		for (size_t i = 0; i < n; i++)
			if (!conf_is_ws(s[i]))
				c->cur[c->cur_len++] = s[i];
	}
	c->cur[c->cur_len] = '\0';
}

/* ---- messages --------------------------------------------------------- */

static bool is_secret_key(const char *canon)
{
	return !strcmp(canon, "PrivateKey") || !strcmp(canon, "PresharedKey");
}

/* "PATH:LINE: Key = 'value': reason"; the value of a key-material key is
 * never shown. */
static int bad_value(struct ctx *c, const char *key, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad_value(struct ctx *c, const char *key, const char *value, const char *fmt, ...)
{
	char q[160], why[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* A public key is no secret: show it, it helps to spot a typo. */
	if (is_secret_key(key) || (strcmp(key, "PublicKey") && wg_config_looks_secret(value)) ||
	    (c->holds_key && strcmp(key, "PublicKey") && wg_looks_secret_run(value, WG_SECRET_RUN_IN_KEYED_FILE)))
		return wj_errf(c->e, "%s:%u: %s = (value hidden): %s", c->path, c->line, key, why);
	wj_quote(value, q, sizeof(q));
	return wj_errf(c->e, "%s:%u: %s = '%s': %s", c->path, c->line, key, q, why);
}

/* Quote S for a message unless it may hold a key. */
static const char *shown(const struct ctx *c, const char *s, char *buf, size_t sz)
{
	if (wg_config_looks_secret(s) || (c->holds_key && wg_looks_secret_run(s, WG_SECRET_RUN_IN_KEYED_FILE)))
		return "(not shown: it may hold a key)";
	buf[0] = '\'';
	wj_quote(s, buf + 1, sz - 2);
	strcat(buf, "'");
	return buf;
}

static int oom(struct ctx *c)
{
	return wj_errf(c->e, "%s:%u: out of memory", c->path, c->line);
}

/* ---- values ----------------------------------------------------------- */

/* wg's rule for numbers: a leading digit, then strtoul (base 10, or 16
 * after "0x" where allowed) to the end of the value. */
static bool parse_num(const char *v, bool hex_ok, uint64_t max, uint64_t *out)
{
	int base = 10;
	char *end;
	unsigned long long n;

	if (!is_digit(v[0]))
		return false;
	if (hex_ok && strlen(v) > 2 && v[0] == '0' && v[1] == 'x')
		base = 16;
	errno = 0;
	n = strtoull(v, &end, base);
	if (*end || errno || n > max)
		return false;
	*out = n;
	return true;
}

static const char key_format[] = "not a WireGuard key (44 characters of base64 ending in '=', as printed by "
				 "'wg genkey', 'wg pubkey' or 'wg genpsk')";

static int key_error(struct ctx *c, const char *key, const char *v)
{
	if (!strcmp(v, "(hidden)"))
		return bad_value(c, key, v, "this file was printed with keys hidden; put the real key here");
	if (strpbrk(v, "<>{}$%@"))
		return bad_value(c, key, v, "%s; this looks like a template placeholder that was never filled in",
				 key_format);
	if (strlen(v) != WG_KEY_B64_LEN)
		return bad_value(c, key, v, "%s; this value is %zu characters long", key_format, strlen(v));
	return bad_value(c, key, v, "%s", key_format);
}

static int set_private_key(struct ctx *c, const char *v)
{
	uint8_t k[WG_KEY_LEN];
	int r = 0;

	if (!key_from_base64(k, v))
		return key_error(c, "PrivateKey", v);
	if (wg_device_set_private_key(c->dev, k) < 0)
		r = oom(c);
	sodium_memzero(k, sizeof(k));
	return r;
}

static int set_listen_port(struct ctx *c, const char *v)
{
	uint64_t n;

	if (!parse_num(v, false, 65535, &n))
		return bad_value(c, "ListenPort", v, "not a port number (0-65535; 0 or no ListenPort = random)");
	c->dev->listen_port = (uint16_t)n;
	c->dev->flags |= WGDEV_HAS_LISTEN_PORT;
	return 0;
}

static int set_fwmark(struct ctx *c, const char *v)
{
	uint64_t n = 0;

	if (strcasecmp(v, "off") && !parse_num(v, true, UINT32_MAX, &n))
		return bad_value(c, "FwMark", v, "neither off nor a number 0-4294967295 (decimal, or hex after 0x)");
	c->dev->fwmark = (uint32_t)n;
	c->dev->flags |= WGDEV_HAS_FWMARK;
	return 0;
}

static int set_public_key(struct ctx *c, const char *v)
{
	if (!key_from_base64(c->pending.public_key, v))
		return key_error(c, "PublicKey", v);
	c->pending_has_key = true;
	return 0;
}

static int set_psk(struct ctx *c, const char *v)
{
	if (!key_from_base64(c->pending.psk, v))
		return key_error(c, "PresharedKey", v);
	c->pending.flags |= WGPEER_HAS_PSK;
	return 0;
}

static int set_keepalive(struct ctx *c, const char *v)
{
	uint64_t n = 0;

	if (strcasecmp(v, "off") && !parse_num(v, false, 65535, &n))
		return bad_value(c, "PersistentKeepalive", v, "neither off nor a number of seconds 0-65535");
	c->pending.keepalive = (uint16_t)n;
	c->pending.flags |= WGPEER_HAS_KEEPALIVE;
	return 0;
}

static int add_aips(struct ctx *c, const char *v)
{
	const char *p = v;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		struct wg_ipmask ip;
		const char *why;

		if (wg_ipmask_parse_n(p, n, &ip, &why) < 0) {
			char entry[128];
			size_t m = n < sizeof(entry) - 1 ? n : sizeof(entry) - 1;
			memcpy(entry, p, m);
			entry[m] = '\0';
			if (n == 0)
				return bad_value(c, "AllowedIPs", v, "an empty entry (a stray comma?)");
			if (entry[0] == '+' || entry[0] == '-')
				return bad_value(c, "AllowedIPs", entry,
						 "not an IP address (the '+'/'-' prefixes of newer wg(8) are not "
						 "accepted by wireguard-tools 1.0.20210914 either)");
			return bad_value(c, "AllowedIPs", entry, "%s", why);
		}
		if (wg_peer_add_aip(&c->pending, &ip) < 0)
			return oom(c);
		if (!comma)
			break;
		p = comma + 1;
	}
	c->pending.flags |= WGPEER_HAS_AIPS;
	return 0;
}

static bool hostname_ok(const char *h, size_t n)
{
	size_t label = 0;
	bool all_numeric = true;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = h[i];
		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || is_digit(ch) || ch == '-' ||
		      ch == '_'))
			return false;
		if (!is_digit(ch))
			all_numeric = false;
		if (++label > 63)
			return false;
	}
	/* "1.2.3.999" is a broken address, not a name. */
	return !all_numeric;
}

/* Fill SA from numeric HOST and PORT; false if HOST is not numeric. */
static bool numeric_endpoint(const char *host, uint16_t port, union wg_sockaddr *sa)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_DGRAM,
				 .ai_protocol = IPPROTO_UDP,
				 .ai_flags = AI_NUMERICHOST};
	struct addrinfo *res;

	memset(sa, 0, sizeof(*sa));
	/* Fast paths first: getaddrinfo costs microseconds per call. */
	if (!strchr(host, '%')) {
		if (strchr(host, ':')) {
			if (inet_pton(AF_INET6, host, &sa->in6.sin6_addr) == 1) {
				sa->in6.sin6_family = AF_INET6;
				wj_sin6_len(&sa->in6);
				sa->in6.sin6_port = htons(port);
				return true;
			}
		} else if (inet_pton(AF_INET, host, &sa->in.sin_addr) == 1) {
			sa->in.sin_family = AF_INET;
			wj_sin_len(&sa->in);
			sa->in.sin_port = htons(port);
			return true;
		}
	}
	/* What getaddrinfo also takes as numeric (as wg does): "127.1",
	 * "0x7f.0.0.1", "fe80::1%lo". */
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false;
	if (res->ai_family == AF_INET && res->ai_addrlen == sizeof(sa->in)) {
		memcpy(&sa->in, res->ai_addr, sizeof(sa->in));
		sa->in.sin_port = htons(port);
	} else if (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(sa->in6)) {
		memcpy(&sa->in6, res->ai_addr, sizeof(sa->in6));
		sa->in6.sin6_port = htons(port);
	} else {
		freeaddrinfo(res);
		memset(sa, 0, sizeof(*sa));
		return false;
	}
	freeaddrinfo(res);
	return true;
}

int wg_config_parse_endpoint(const char *v, union wg_sockaddr *sa, const char **why)
{
	char host[256];
	const char *hb, *he, *port;
	uint64_t n;

	memset(sa, 0, sizeof(*sa));
	if (v[0] == '[') {
		hb = v + 1;
		he = strchr(v, ']');
		if (!he) {
			*why = "no ']' closing the IPv6 address (expected [IPv6]:port)";
			return -1;
		}
		if (he[1] != ':' || !he[2]) {
			*why = "no port after ']' (expected [IPv6]:port)";
			return -1;
		}
		port = he + 2;
	} else {
		hb = v;
		he = strrchr(v, ':');
		if (!he || !he[1]) {
			*why = "no port (expected host:port or [IPv6]:port)";
			return -1;
		}
		port = he + 1;
	}
	if (!parse_num(port, false, 65535, &n)) {
		*why = "the port is not a number 0-65535";
		return -1;
	}
	if (he == hb) {
		*why = "no host before the port";
		return -1;
	}
	if ((size_t)(he - hb) >= sizeof(host)) {
		*why = "the host name is longer than 253 characters";
		return -1;
	}
	memcpy(host, hb, (size_t)(he - hb));
	host[he - hb] = '\0';
	if (numeric_endpoint(host, (uint16_t)n, sa))
		return 0;
	if (!hostname_ok(host, strlen(host))) {
		*why = strchr(host, ':') ? "not an IPv6 address (write IPv6 endpoints as [address]:port)"
					 : "neither an IP address nor a host name";
		return -1;
	}
	return 0; /* a host name: resolved later */
}

static int set_endpoint(struct ctx *c, const char *v)
{
	const char *why;

	if (wg_config_parse_endpoint(v, &c->pending.endpoint_addr, &why) < 0)
		return bad_value(c, "Endpoint", v, "%s", why);
	if (wg_peer_set_endpoint_text(&c->pending, v) < 0)
		return oom(c);
	c->pending.flags |= WGPEER_HAS_ENDPOINT;
	return 0;
}

/* ---- wg-quick keys ---------------------------------------------------- */

static int strv_add(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	char *d;

	if (!nv)
		return -1;
	*v = nv;
	d = strndup(s, len);
	if (!d)
		return -1;
	nv[(*n)++] = d;
	return 0;
}

/* wg-quick splits Address and DNS on commas and blanks. */
static int for_each_item(struct ctx *c, const char *key, const char *v,
			 int (*fn)(struct ctx *, const char *key, const char *item, size_t n))
{
	const char *p = v;

	while (*p) {
		const char *q;
		while (*p == ',' || conf_is_ws(*p))
			p++;
		if (!*p)
			break;
		q = p;
		while (*q && *q != ',' && !conf_is_ws(*q))
			q++;
		if (fn(c, key, p, (size_t)(q - p)) < 0)
			return -1;
		p = q;
	}
	return 0;
}

static int address_item(struct ctx *c, const char *key, const char *item, size_t n)
{
	struct wg_quick *qk = &c->dev->quick;
	struct wg_ipmask ip, *na;
	char buf[128];

	if (n >= sizeof(buf))
		return bad_value(c, key, item, "not an address with an optional /prefix");
	memcpy(buf, item, n);
	buf[n] = '\0';
	if (wg_ipmask_parse(buf, &ip) < 0)
		return bad_value(c, key, buf, "not an address with an optional /prefix (e.g. 10.0.0.1/24)");
	na = realloc(qk->address, (qk->n_address + 1) * sizeof(*na));
	if (!na)
		return oom(c);
	qk->address = na;
	na[qk->n_address++] = ip;
	return 0;
}

static int dns_item(struct ctx *c, const char *key, const char *item, size_t n)
{
	struct wg_quick *qk = &c->dev->quick;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)item[i] < 0x21 || (unsigned char)item[i] > 0x7e || strchr("'\"`$\\;&|<>()", item[i]))
			return bad_value(c, key, item, "neither an IP address nor a search domain");
	if (strv_add(&qk->dns, &qk->n_dns, item, n) < 0)
		return oom(c);
	return 0;
}

static int set_quick(struct ctx *c, const char *key, const char *v)
{
	struct wg_quick *qk = &c->dev->quick;
	uint64_t n;

	if (!strcmp(key, "Address"))
		return for_each_item(c, key, v, address_item);
	if (!strcmp(key, "DNS"))
		return for_each_item(c, key, v, dns_item);
	if (!strcmp(key, "MTU")) {
		if (wj_parse_uint(v, 68, 65535, &n) < 0)
			return bad_value(c, key, v, "not an MTU (68-65535)");
		qk->mtu = (uint32_t)n;
		return 0;
	}
	if (!strcmp(key, "Table")) {
		char *t;
		for (const char *p = v; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || is_digit(*p) || *p == '_' ||
			      *p == '-' || *p == '.'))
				return bad_value(c, key, v, "not off, auto, a table number or a table name");
		if (!(t = strdup(v)))
			return oom(c);
		free(qk->table);
		qk->table = t;
		return 0;
	}
	if (!strcmp(key, "SaveConfig")) {
		if (!strcasecmp(v, "true"))
			qk->save_config = 1;
		else if (!strcasecmp(v, "false"))
			qk->save_config = 0;
		else
			return bad_value(c, key, v, "neither true nor false");
		return 0;
	}
	{
		char ***vec = !strcmp(key, "PreUp")     ? &qk->pre_up
			      : !strcmp(key, "PostUp")  ? &qk->post_up
			      : !strcmp(key, "PreDown") ? &qk->pre_down
							: &qk->post_down;
		size_t *cnt = !strcmp(key, "PreUp")     ? &qk->n_pre_up
			      : !strcmp(key, "PostUp")  ? &qk->n_post_up
			      : !strcmp(key, "PreDown") ? &qk->n_pre_down
							: &qk->n_post_down;
		if (strv_add(vec, cnt, v, strlen(v)) < 0)
			return oom(c);
	}
	return 0;
}

/* ---- sections --------------------------------------------------------- */

/* The [Peer] just read joins the device.  The same public key twice is
 * what `wg setconf` makes of it: one peer, the later section's fields
 * override, and its AllowedIPs replace the earlier ones (wg sends every
 * [Peer] with replace-allowed-ips). */
static int finish_peer(struct ctx *c)
{
	struct wg_peer *p;

	if (!c->pending_open)
		return 0;
	c->pending_open = false;
	if (!c->pending_has_key) {
		unsigned line = c->pending.line;
		wg_peer_clear(&c->pending);
		return wj_errf(c->e, "%s:%u: this [Peer] has no PublicKey (every peer needs one)", c->path, line);
	}
	p = wg_device_find_peer(c->dev, c->pending.public_key);
	if (p) {
		if (c->pending.flags & WGPEER_HAS_PSK) {
			memcpy(p->psk, c->pending.psk, WG_KEY_LEN);
			p->flags |= WGPEER_HAS_PSK;
		}
		if (c->pending.flags & WGPEER_HAS_KEEPALIVE) {
			p->keepalive = c->pending.keepalive;
			p->flags |= WGPEER_HAS_KEEPALIVE;
		}
		if (c->pending.flags & WGPEER_HAS_ENDPOINT) {
			free(p->endpoint);
			p->endpoint = c->pending.endpoint;
			c->pending.endpoint = NULL;
			p->endpoint_addr = c->pending.endpoint_addr;
			p->flags |= WGPEER_HAS_ENDPOINT;
		}
		free(p->aips);
		p->aips = c->pending.aips;
		p->n_aips = c->pending.n_aips;
		p->cap_aips = c->pending.cap_aips;
		c->pending.aips = NULL;
		p->flags = (p->flags & ~(uint32_t)WGPEER_HAS_AIPS) | (c->pending.flags & WGPEER_HAS_AIPS);
		if (c->pending.name[0]) {
			memcpy(p->name, c->pending.name, sizeof(p->name));
			p->name_line = c->pending.name_line;
		}
		if (c->pending.expires)
			p->expires = c->pending.expires;
		p->disabled = p->disabled || c->pending.disabled;
		wg_peer_clear(&c->pending);
		return 0;
	}
	p = wg_device_add_peer(c->dev, c->pending.public_key);
	if (!p) {
		wg_peer_clear(&c->pending);
		return oom(c);
	}
	*p = c->pending;
	sodium_memzero(&c->pending, sizeof(c->pending));
	return 0;
}

/* A header line (its ']' present); CUR holds it cleaned.  The section
 * before it ends first, so a [Peer] without PublicKey is reported before
 * whatever is wrong with the next header. */
static int on_section(struct ctx *c, enum conf_lex_section kind)
{
	char q[160];

	if (finish_peer(c) < 0)
		return -1;
	switch (kind) {
	case CONF_SEC_INTERFACE:
		c->sec = SEC_INTERFACE;
		return 0;
	case CONF_SEC_PEER:
		c->sec = SEC_PEER;
		memset(&c->pending, 0, sizeof(c->pending));
		c->pending.line = c->line;
		c->pending_open = true;
		c->pending_has_key = false;
		return 0;
	case CONF_SEC_TRAILING:
		return wj_errf(c->e, "%s:%u: unexpected text after the section header: %s", c->path, c->line,
			       shown(c, c->cur, q, sizeof(q)));
	default:
		return wj_errf(c->e, "%s:%u: unknown section %s (wg(8) knows [Interface] and [Peer])", c->path,
			       c->line, shown(c, c->cur, q, sizeof(q)));
	}
}

enum key_id { K_PRIVATE, K_PORT, K_FWMARK, K_PUBLIC, K_PSK, K_AIPS, K_ENDPOINT, K_KEEPALIVE, K_NONE };

static const struct {
	const char *name;
	enum section sec;
} wg_keys[] = {
	[K_PRIVATE] = {"PrivateKey", SEC_INTERFACE}, [K_PORT] = {"ListenPort", SEC_INTERFACE},
	[K_FWMARK] = {"FwMark", SEC_INTERFACE},      [K_PUBLIC] = {"PublicKey", SEC_PEER},
	[K_PSK] = {"PresharedKey", SEC_PEER},         [K_AIPS] = {"AllowedIPs", SEC_PEER},
	[K_ENDPOINT] = {"Endpoint", SEC_PEER},       [K_KEEPALIVE] = {"PersistentKeepalive", SEC_PEER},
};

static const char *sec_name(enum section s)
{
	return s == SEC_INTERFACE ? "[Interface]" : "[Peer]";
}

/* A key line; CUR holds "Key=value" as wg sees it. */
static int on_key(struct ctx *c)
{
	char *eq, *v, q[160];
	const char *qk;
	enum key_id id = K_NONE;
	size_t kn;

	eq = strchr(c->cur, '=');
	kn = (size_t)(eq - c->cur);
	v = eq + 1;
	*eq = '\0';
	for (size_t i = 0; i < K_NONE; i++)
		if (strlen(wg_keys[i].name) == kn && !strcasecmp(wg_keys[i].name, c->cur))
			id = (enum key_id)i;
	qk = id == K_NONE ? quick_key(c->cur, kn) : NULL;
	if (!*v && kn == WG_KEY_B64_LEN - 1) {
		uint8_t k[WG_KEY_LEN];
		bool is_key;
		*eq = '=';
		is_key = key_from_base64(k, c->cur);
		sodium_memzero(k, sizeof(k));
		if (is_key)
			return wj_errf(c->e, "%s:%u: this line is a key alone (not shown); it needs its name, as in "
				       "PrivateKey = KEY or PublicKey = KEY", c->path, c->line);
		*eq = '\0';
	}
	if (c->sec == SEC_NONE)
		return wj_errf(c->e, "%s:%u: %s comes before any [Interface] or [Peer] section", c->path, c->line,
			       shown(c, c->cur, q, sizeof(q)));
	if (id == K_NONE && !qk)
		return wj_errf(c->e, "%s:%u: unknown key %s in %s (%s)", c->path, c->line,
			       shown(c, c->cur, q, sizeof(q)), sec_name(c->sec),
			       c->sec == SEC_INTERFACE ? "wg(8) knows PrivateKey, ListenPort, FwMark; wg-quick adds "
							 "Address, DNS, MTU, Table, PreUp, PostUp, PreDown, PostDown, "
							 "SaveConfig"
						       : "wg(8) knows PublicKey, PresharedKey, AllowedIPs, Endpoint, "
							 "PersistentKeepalive");
	if (id != K_NONE && wg_keys[id].sec != c->sec)
		return wj_errf(c->e, "%s:%u: %s belongs in %s, not in %s", c->path, c->line, wg_keys[id].name,
			       sec_name(wg_keys[id].sec), sec_name(c->sec));
	if (qk && c->sec != SEC_INTERFACE)
		return wj_errf(c->e, "%s:%u: %s is a wg-quick key of [Interface], not of [Peer]", c->path, c->line,
			       qk);
	if (qk && !c->cur_quick)
		return wj_errf(c->e, "%s:%u: %s: wg-quick does not recognise this key with blanks inside it; write '%s'",
			       c->path, c->line, qk, qk);
	if (!*v)
		return wj_errf(c->e, "%s:%u: %s has an empty value", c->path, c->line, qk ? qk : wg_keys[id].name);
	if (qk)
		return set_quick(c, qk, v);
	/* One setter per key; the checks above are the ones every key shares. */
	switch (id) {
	case K_PRIVATE:
		return set_private_key(c, v);
	case K_PORT:
		return set_listen_port(c, v);
	case K_FWMARK:
		return set_fwmark(c, v);
	case K_PUBLIC:
		return set_public_key(c, v);
	case K_PSK:
		return set_psk(c, v);
	case K_AIPS:
		return add_aips(c, v);
	case K_ENDPOINT:
		return set_endpoint(c, v);
	case K_KEEPALIVE:
		return set_keepalive(c, v);
	case K_NONE:
		break;
	}
	return 0;
}

/* ---- lines ------------------------------------------------------------ */

/* CUR = the code of line T as wg(8) sees it: whitespace removed, or for a
 * wg-quick key "Key=value" with the value's inner whitespace kept. */
static int clean_line(struct ctx *c, const char *text, const struct conf_tok *t)
{
	if (cur_room(c, t->code - t->lead) < 0)
		return oom(c);
	c->cur_len = 0;
	c->cur_quick = false;
	if (t->kind != CONF_LEX_KEY) {
		cur_add(c, text + t->lead, t->code - t->lead, true);
		return 0;
	}
	/* wg-quick reads "Key = value" with the key trimmed (not squeezed)
	 * and matched case-insensitively; the value keeps its inner blanks. */
	c->cur_quick = quick_key(text + t->ks, t->ke - t->ks) != NULL; /* (a key with blanks inside is none) */
	cur_add(c, text + t->ks, t->ke - t->ks, !c->cur_quick);
	cur_add(c, "=", 1, false);
	cur_add(c, text + t->vs, t->ve - t->vs, !c->cur_quick);
	return 0;
}

/* A comment line inside a [Peer]: wgjail's name, expiry or disabled mark
 * (wg/peer_meta.h), or any other comment. */
static int on_meta(struct ctx *c, const char *text, const struct conf_tok *t)
{
	size_t vs, ve;
	enum wg_meta_kind k = wg_meta_comment(text, t, &vs, &ve);
	const char *why;
	char q[160], v[160];
	int64_t when;

	if (k == WG_META_NONE)
		return 0;
	snprintf(v, sizeof(v), "%.*s", (int)(ve - vs > 100 ? 100 : ve - vs), text + vs);
	switch (k) {
	case WG_META_NAME:
		if ((why = wg_peer_name_invalid(text + vs, ve - vs)) != NULL)
			return wj_errf(c->e, "%s:%u: # Name = '%s': %s", c->path, t->line, wj_quote(v, q, sizeof(q)),
				       why);
		memcpy(c->pending.name, text + vs, ve - vs);
		c->pending.name[ve - vs] = '\0';
		c->pending.name_line = t->line;
		return 0;
	case WG_META_EXPIRES:
		if (ve - vs == 5 && conf_lex_squeezed_is(text + vs, 5, "never")) {
			c->pending.expires = 0;
			return 0;
		}
		if (wg_time_parse(text + vs, ve - vs, &when) < 0)
			return wj_errf(c->e, "%s:%u: # Expires = '%s': not a date (2027-01-31 or 2027-01-31T12:00:00Z)",
				       c->path, t->line, wj_quote(v, q, sizeof(q)));
		c->pending.expires = when ? when : 1;
		return 0;
	case WG_META_DISABLED:
		if (conf_lex_squeezed_is(text + vs, ve - vs, "yes") || conf_lex_squeezed_is(text + vs, ve - vs, "true"))
			c->pending.disabled = true;
		else if (conf_lex_squeezed_is(text + vs, ve - vs, "no") ||
			 conf_lex_squeezed_is(text + vs, ve - vs, "false"))
			c->pending.disabled = false;
		else
			return wj_errf(c->e, "%s:%u: # Disabled = '%s': expected yes or no", c->path, t->line,
				       wj_quote(v, q, sizeof(q)));
		return 0;
	default:
		return 0;
	}
}

static int on_line(struct ctx *c, const char *text, const struct conf_tok *t)
{
	char q[160];

	c->line = t->line;
	if (t->flags & CONF_LEX_NUL)
		return wj_errf(c->e, "%s:%u: the line contains a NUL byte", c->path, c->line);
	if (t->flags & CONF_LEX_LONG)
		return wj_errf(c->e, "%s:%u: line too long (%zu bytes, limit %u)", c->path, c->line,
			       t->end - t->off - (!(t->flags & CONF_LEX_EOL) && text[t->end - 1] == '\r'),
			       CONF_LEX_MAX_LINE);
	if (t->kind == CONF_LEX_COMMENT && c->sec == SEC_PEER && c->pending_open)
		return on_meta(c, text, t);
	if (t->kind == CONF_LEX_BLANK || t->kind == CONF_LEX_COMMENT)
		return 0;
	if (clean_line(c, text, t) < 0)
		return -1;
	switch (t->kind) {
	case CONF_LEX_KEY:
		return on_key(c);
	case CONF_LEX_SECTION: {
		enum conf_lex_section k = conf_lex_section(text, t);
		if (k != CONF_SEC_UNCLOSED)
			return on_section(c, k);
		return wj_errf(c->e, "%s:%u: %s: a section header without ']'", c->path, c->line,
			       shown(c, c->cur, q, sizeof(q)));
	}
	default:
		return wj_errf(c->e, "%s:%u: %s is neither a [Section] header nor Key = Value", c->path, c->line,
			       shown(c, c->cur, q, sizeof(q)));
	}
}

/* ---- entry points ----------------------------------------------------- */

int wg_config_parse(const char *text, size_t len, const char *path, struct wg_device **out, struct wj_err *e)
{
	struct ctx c = {.path = path, .e = e};
	struct conf_lex lx;
	struct conf_tok t;
	int r = 0;

	*out = NULL;
	wj_err_clear(e);
	/* wg(8) reads the mark as part of the first line and rejects the
	 * file: say so here rather than let the file fail later under wg. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		return wj_errf(e, "%s:1: the file starts with a UTF-8 byte-order mark (bytes EF BB BF), which wg(8) "
			       "does not accept; save the file without it", path);
	c.holds_key = wg_text_holds_key(text, len);
	c.dev = wg_device_new();
	if (!c.dev)
		return wj_errf(e, "%s: out of memory", path);
	conf_lex_init(&lx, text, len);
	while (r == 0 && conf_lex_next(&lx, &t))
		r = on_line(&c, text, &t);
	if (r == 0)
		r = finish_peer(&c);
	if (c.pending_open)
		wg_peer_clear(&c.pending);
	if (c.cur) {
		sodium_memzero(c.cur, c.cur_cap);
		free(c.cur);
	}
	if (r < 0) {
		wg_device_free(c.dev);
		return -1;
	}
	*out = c.dev;
	return 0;
}

bool wg_config_is_valid(const char *text, size_t len)
{
	struct wg_device *d = NULL;
	struct wj_err ignored;
	bool ok = wg_config_parse(text, len, "", &d, &ignored) == 0;

	wg_device_free(d);
	return ok;
}
