/* The fast pre-check of `peer add` on big configs (see agent/peer.h):
 * one pass over the text with the wg0.conf lexer (wg/conf_lex.h), looking
 * only at section headers, PublicKey and AllowedIPs lines of [Peer]
 * sections and PrivateKey lines of [Interface] sections, without copying
 * lines.  Keys and values are read as the parser reads them, and where a
 * later line overrides an earlier one for wg(8), so it does here: a
 * section's key is its last PublicKey line, the interface's key its last
 * PrivateKey line. */
#include "agent/peer.h"

#include "wg/conf_lex.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

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
		if (conf_lex_squeeze(s, n, buf, sizeof(buf)) >= sizeof(buf) || wg_ipmask_parse(buf, &m) < 0)
			return false; /* not ours to judge: the parser decides validity */
	}
	memset(&other, 0, sizeof(other));
	other.aips = &m;
	other.n_aips = 1;
	return peer_aip_conflict(req->aips, req->n_aips, &other, &oj) >= 0;
}

/* The value V[0..END) of an AllowedIPs line (comment excluded). */
static bool aips_conflict(const char *v, const char *end, const struct peer_add_req *req)
{
	while (v < end) {
		const char *comma = memchr(v, ',', (size_t)(end - v)), *e = comma ? comma : end, *s = v;
		while (s < e && conf_is_ws(*s))
			s++;
		while (e > s && conf_is_ws(e[-1]))
			e--;
		if (e > s && entry_conflicts(s, (size_t)(e - s), req))
			return true;
		v = comma ? comma + 1 : end;
	}
	return false;
}

/* The value of key line T, squeezed as the parser reads it, equals WANT
 * (44 characters)? */
static bool value_is(const char *text, const struct conf_tok *t, const char *want)
{
	char v[WG_KEY_B64_LEN + 2];

	if (t->ve - t->vs == WG_KEY_B64_LEN)
		return memcmp(text + t->vs, want, WG_KEY_B64_LEN) == 0; /* (WANT has no blank) */
	return conf_lex_squeeze(text + t->vs, t->ve - t->vs, v, sizeof(v)) == WG_KEY_B64_LEN &&
	       memcmp(v, want, WG_KEY_B64_LEN) == 0;
}

/* A PrivateKey line: is its key the private half of PUB_WANT? */
static bool own_key(const char *text, const struct conf_tok *t, const uint8_t pub_want[WG_KEY_LEN])
{
	char b64[WG_KEY_B64_LEN + 2];
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	bool same = false;

	if (conf_lex_squeeze(text + t->vs, t->ve - t->vs, b64, sizeof(b64)) == WG_KEY_B64_LEN)
		same = key_from_base64(priv, b64) && key_public_from_private(pub, priv) == 0 && key_equal(pub, pub_want);
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(b64, sizeof(b64));
	return same;
}

int peer_scan_for_add(const char *text, size_t len, const struct peer_add_req *req, struct peer_scan *r)
{
	char want[WG_KEY_B64_LEN + 1];
	enum conf_lex_section sec = CONF_SEC_UNKNOWN;
	bool key_is_want = false; /* the open [Peer]'s last PublicKey */
	struct conf_lex lx;
	struct conf_tok t;

	memset(r, 0, sizeof(*r));
	key_to_base64(want, req->public_key);
	conf_lex_init(&lx, text, len);
	while (conf_lex_next(&lx, &t)) {
		if (t.flags & CONF_LEX_EOL) {
			if (t.flags & CONF_LEX_CRLF)
				r->n_crlf++;
			else
				r->n_lf++;
		}
		if (t.kind == CONF_LEX_SECTION) {
			r->dup |= sec == CONF_SEC_PEER && key_is_want;
			key_is_want = false;
			sec = conf_lex_section(text, &t);
		} else if (t.kind != CONF_LEX_KEY) {
			continue;
		} else if (sec == CONF_SEC_PEER) {
			if (conf_lex_key_is(text, &t, "publickey"))
				key_is_want = value_is(text, &t, want);
			else if (!req->force && !r->conflict && conf_lex_key_is(text, &t, "allowedips") &&
				 aips_conflict(text + t.vs, text + t.ve, req))
				r->conflict = true;
		} else if (sec == CONF_SEC_INTERFACE && conf_lex_key_is(text, &t, "privatekey")) {
			r->own = own_key(text, &t, req->public_key);
		}
	}
	r->dup |= sec == CONF_SEC_PEER && key_is_want;
	return 0;
}
