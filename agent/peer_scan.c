/* The fast pre-check of `peer add` on big configs (see agent/peer.h):
 * one pass over the text at about memchr speed, looking only at section
 * headers, PublicKey and AllowedIPs lines of [Peer] sections and
 * PrivateKey lines of [Interface] sections, without copying lines.  It
 * reads keys and values the way wg(8) does (comments from '#', whitespace
 * anywhere ignored, keys case-insensitive). */
#include "agent/peer.h"

#include "wg/conf_sections.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const unsigned char ws_tab[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1,
};

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* "a.b.c.d[/n]" in S[0..N): strict decimal, as the fast path. */
int peer_v4_fast(const char *s, size_t n, struct wg_ipmask *m)
{
	const char *end = s + n;
	uint32_t addr = 0;
	unsigned cidr = 32;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		const char *start = s;
		while (s < end && *s >= '0' && *s <= '9' && digits < 3) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || v > 255 || (digits > 1 && *start == '0'))
			return -1;
		addr = addr << 8 | v;
		if (part < 3 && (s == end || *s++ != '.'))
			return -1;
	}
	if (s < end && *s == '/') {
		unsigned digits = 0;
		cidr = 0;
		for (s++; s < end && *s >= '0' && *s <= '9' && digits < 2; s++, digits++)
			cidr = cidr * 10 + (unsigned)(*s - '0');
		if (!digits || cidr > 32)
			return -1;
	}
	if (s != end)
		return -1;
	memset(m, 0, sizeof(*m));
	m->family = AF_INET;
	m->cidr = (uint8_t)cidr;
	m->addr.ip4.s_addr = htonl(addr);
	return 0;
}

/* One AllowedIPs entry S[0..N) (trimmed): true if it conflicts. */
static bool entry_conflicts(const char *s, size_t n, const struct peer_add_req *req)
{
	struct wg_ipmask m;
	struct wg_peer other;
	size_t oj;

	if (n && *s == '+')
		s++, n--;
	if (peer_v4_fast(s, n, &m) < 0) {
		char buf[128];
		size_t w = 0;
		for (size_t i = 0; i < n && w + 1 < sizeof(buf); i++)
			if (!ws_tab[(unsigned char)s[i]])
				buf[w++] = s[i];
		buf[w] = '\0';
		if (wg_ipmask_parse(buf, &m) < 0)
			return false; /* not ours to judge: the parser decides validity */
	}
	memset(&other, 0, sizeof(other));
	other.aips = &m;
	other.n_aips = 1;
	return peer_aip_conflict(req->aips, req->n_aips, &other, &oj) >= 0;
}

static bool aips_conflict(const char *v, const char *end, const struct peer_add_req *req)
{
	const char *hash = memchr(v, '#', (size_t)(end - v));

	if (hash)
		end = hash;
	while (v < end) {
		const char *comma = memchr(v, ',', (size_t)(end - v)), *e = comma ? comma : end, *s = v;
		while (s < e && ws_tab[(unsigned char)*s])
			s++;
		while (e > s && ws_tab[(unsigned char)e[-1]])
			e--;
		if (e > s && entry_conflicts(s, (size_t)(e - s), req))
			return true;
		v = comma ? comma + 1 : end;
	}
	return false;
}

/* A [Peer]'s PublicKey value at V: equal to WANT (canonical base64)? */
static bool key_is(const char *v, const char *end, const char *want)
{
	while (v < end && ws_tab[(unsigned char)*v])
		v++;
	if ((size_t)(end - v) < WG_KEY_B64_LEN || memcmp(v, want, WG_KEY_B64_LEN) != 0)
		return false;
	for (v += WG_KEY_B64_LEN; v < end && *v != '#'; v++)
		if (!ws_tab[(unsigned char)*v])
			return false;
	return true;
}

static bool own_key(const char *v, const char *end, const uint8_t pub_want[WG_KEY_LEN])
{
	char b64[WG_KEY_B64_LEN + 1];
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	size_t w = 0;
	bool same = false;

	for (; v < end && *v != '#'; v++)
		if (!ws_tab[(unsigned char)*v] && w < WG_KEY_B64_LEN + 1)
			b64[w++] = *v;
	if (w == WG_KEY_B64_LEN) {
		b64[w] = '\0';
		same = key_from_base64(priv, b64) && key_public_from_private(pub, priv) == 0 && key_equal(pub, pub_want);
	}
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(b64, sizeof(b64));
	return same;
}

enum sec { SEC_NONE, SEC_IFACE, SEC_PEER, SEC_OTHER };

static enum sec section_of(const char *p, const char *end)
{
	char name[16];
	size_t w = 0;

	for (p++; p < end && *p != ']' && *p != '#'; p++) {
		if (ws_tab[(unsigned char)*p])
			continue;
		if (w + 1 >= sizeof(name))
			return SEC_OTHER;
		name[w++] = lower(*p);
	}
	name[w] = '\0';
	if (!strcmp(name, "peer"))
		return SEC_PEER;
	if (!strcmp(name, "interface"))
		return SEC_IFACE;
	return SEC_OTHER;
}

int peer_scan_for_add(const char *text, size_t len, const struct peer_add_req *req, struct peer_scan *r)
{
	char want[WG_KEY_B64_LEN + 1];
	const char *p = text, *tend = text + len;
	enum sec sec = SEC_NONE;
	bool maybe_dup;

	memset(r, 0, sizeof(*r));
	key_to_base64(want, req->public_key);
	/* A key that is nowhere in the text cannot be a duplicate. */
	maybe_dup = len >= WG_KEY_B64_LEN && memmem(text, len, want, WG_KEY_B64_LEN) != NULL;
	while (p < tend) {
		const char *nl = memchr(p, '\n', (size_t)(tend - p)), *end = nl ? nl : tend, *s = p, *v;

		if (nl) {
			if (nl > p && nl[-1] == '\r')
				r->n_crlf++;
			else
				r->n_lf++;
		}
		p = nl ? nl + 1 : tend;
		while (s < end && ws_tab[(unsigned char)*s])
			s++;
		if (s == end)
			continue;
		switch (*s) {
		case '[':
			sec = section_of(s, end);
			break;
		case 'A': case 'a':
			if (sec == SEC_PEER && !req->force && !r->conflict && (v = wg_conf_match_key(s, end, "allowedips")) &&
			    aips_conflict(v, end, req))
				r->conflict = true;
			break;
		case 'P': case 'p':
			if (sec == SEC_PEER && maybe_dup && (v = wg_conf_match_key(s, end, "publickey")) && key_is(v, end, want))
				r->dup = true;
			else if (sec == SEC_IFACE && (v = wg_conf_match_key(s, end, "privatekey")) &&
				 own_key(v, end, req->public_key))
				r->own = true;
			break;
		default:
			break;
		}
	}
	return 0;
}
