/* `peer list`'s output (see agent/peer_list.h). */
#include "agent/peer_list.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "util/sbuf.h"
#include "wg/peer_meta.h"
#include "wg/show.h"

/* What a peer's record takes, about: a reservation, not a limit. */
#define ROW_GUESS 320

static void put(struct wj_sbuf *b, const char *s)
{
	wj_sb_append(b, s, strlen(s));
}

static void put_u64(struct wj_sbuf *b, uint64_t v)
{
	char d[20];
	size_t n = sizeof(d);

	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	wj_sb_append(b, d + n, sizeof(d) - n);
}

static void put_i64(struct wj_sbuf *b, int64_t v)
{
	if (v < 0) {
		put(b, "-");
		put_u64(b, 0 - (uint64_t)v);
	} else {
		put_u64(b, (uint64_t)v);
	}
}

/* S as a JSON string: runs of plain bytes copied whole. */
static void put_json_str(struct wj_sbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	put(b, "\"");
	while (*s) {
		size_t n = 0;
		unsigned char c;
		while ((c = (unsigned char)s[n]) && c != '"' && c != '\\' && c >= 0x20 && c < 0x7f)
			n++;
		wj_sb_append(b, s, n);
		s += n;
		if (!(c = (unsigned char)*s))
			break;
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			wj_sb_append(b, esc, 2);
		} else {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			wj_sb_append(b, u, 6);
		}
		s++;
	}
	put(b, "\"");
}

static void put_json_str_or_null(struct wj_sbuf *b, const char *s)
{
	if (s)
		put_json_str(b, s);
	else
		put(b, "null");
}

static const char *endpoint_of(const struct wg_peer *p, char *buf, size_t sz)
{
	if (p->endpoint)
		return p->endpoint;
	if (p->endpoint_addr.sa.sa_family != AF_UNSPEC)
		return wg_sockaddr_fmt(&p->endpoint_addr, buf, sz);
	return NULL;
}

/* "active", "disabled", "expired", or "expires in 2 days, 3 hours". */
static const char *state_of(const struct wg_peer *p, time_t now, char *buf, size_t sz)
{
	char age[96];

	if (p->disabled)
		return "disabled";
	if (!p->expires)
		return "active";
	if (p->expires <= now)
		return "expired";
	snprintf(buf, sz, "expires in %s", wg_show_age(age, sizeof(age), p->expires - now));
	return buf;
}

static bool has_psk(const struct wg_peer *p)
{
	return (p->flags & WGPEER_HAS_PSK) && !key_is_zero(p->psk);
}

static void json_peer(struct wj_sbuf *b, const struct peer_list_of *l, const struct wg_peer *p)
{
	char key[WG_KEY_B64_LEN + 1], ep[INET6_ADDRSTRLEN + 16], aip[INET6_ADDRSTRLEN + 8], when[32];

	key_to_base64(key, p->public_key);
	put(b, "{\"public_key\":\"");
	put(b, key);
	put(b, "\",\"name\":");
	put_json_str_or_null(b, p->name[0] ? p->name : NULL);
	put(b, ",\"state\":\"");
	put(b, p->disabled ? "disabled" : p->expires && p->expires <= l->now ? "expired" : "active");
	put(b, "\",\"expires\":");
	put_json_str_or_null(b, p->expires ? wg_time_fmt(p->expires, when, sizeof(when)) : NULL);
	put(b, ",\"allowed_ips\":[");
	for (size_t j = 0; j < p->n_aips; j++) {
		if (j)
			put(b, ",");
		put_json_str(b, wg_ipmask_fmt(&p->aips[j], aip, sizeof(aip)));
	}
	put(b, "],\"endpoint\":");
	put_json_str_or_null(b, endpoint_of(p, ep, sizeof(ep)));
	put(b, ",\"persistent_keepalive\":");
	put_u64(b, p->keepalive);
	put(b, has_psk(p) ? ",\"preshared_key\":true" : ",\"preshared_key\":false");
	if (l->live) {
		put(b, ",\"latest_handshake\":");
		put_i64(b, p->last_handshake_sec);
		put(b, ",\"rx_bytes\":");
		put_u64(b, p->rx_bytes);
		put(b, ",\"tx_bytes\":");
		put_u64(b, p->tx_bytes);
	}
	put(b, "}");
}

static void list_json(struct wj_sbuf *b, const struct peer_list_of *l)
{
	put(b, "{\"jail\":");
	put_json_str(b, l->jail);
	put(b, ",\"interface\":");
	put_json_str(b, l->ifname);
	put(b, l->live ? ",\"up\":true,\"peers\":[" : ",\"up\":false,\"peers\":[");
	for (size_t i = 0; i < l->dev->n_peers; i++) {
		if (i)
			put(b, ",");
		json_peer(b, l, &l->dev->peers[i]);
	}
	put(b, "]}\n");
}

static void text_peer(struct wj_sbuf *b, const struct peer_list_of *l, const struct wg_peer *p)
{
	char key[WG_KEY_B64_LEN + 1], ep[INET6_ADDRSTRLEN + 16], aip[INET6_ADDRSTRLEN + 8], st[128];
	const char *endpoint = endpoint_of(p, ep, sizeof(ep));

	key_to_base64(key, p->public_key);
	put(b, "\npeer: ");
	put(b, key);
	if (p->name[0]) {
		put(b, "\n  name: ");
		put(b, p->name);
	}
	put(b, "\n  state: ");
	put(b, state_of(p, l->now, st, sizeof(st)));
	put(b, "\n  allowed ips: ");
	for (size_t j = 0; j < p->n_aips; j++) {
		if (j)
			put(b, ", ");
		put(b, wg_ipmask_fmt(&p->aips[j], aip, sizeof(aip)));
	}
	put(b, p->n_aips ? "\n" : "(none)\n");
	if (endpoint) {
		put(b, "  endpoint: ");
		put(b, endpoint);
		put(b, "\n");
	}
	if (p->keepalive) {
		put(b, "  persistent keepalive: every ");
		put_u64(b, p->keepalive);
		put(b, " seconds\n");
	}
	put(b, has_psk(p) ? "  preshared key: yes\n" : "  preshared key: no\n");
	if (!l->live)
		return;
	if (p->last_handshake_sec) {
		put(b, "  latest handshake: ");
		put_i64(b, (int64_t)l->now - p->last_handshake_sec);
		put(b, " seconds ago\n");
	} else {
		put(b, "  latest handshake: none\n");
	}
	put(b, "  transfer: ");
	put_u64(b, p->rx_bytes);
	put(b, " B received, ");
	put_u64(b, p->tx_bytes);
	put(b, " B sent\n");
}

static void list_text(struct wj_sbuf *b, const struct peer_list_of *l)
{
	size_t n = l->dev->n_peers;

	put(b, "jail ");
	put(b, l->jail);
	put(b, ", interface ");
	put(b, l->ifname);
	put(b, l->live ? ", up, " : ", not up, ");
	put_u64(b, n);
	put(b, n == 1 ? " peer\n" : " peers\n");
	for (size_t i = 0; i < n; i++)
		text_peer(b, l, &l->dev->peers[i]);
}

int peer_list_write(FILE *f, const struct peer_list_of *l)
{
	struct wj_sbuf b = {0};
	size_t len;
	char *text;

	/* one allocation for the whole listing, about */
	if (l->dev->n_peers < SIZE_MAX / ROW_GUESS)
		wj_sb_reserve(&b, l->dev->n_peers * ROW_GUESS);
	if (l->json)
		list_json(&b, l);
	else
		list_text(&b, l);
	if (!(text = wj_sb_take(&b, &len)))
		return -1;
	fwrite(text, 1, len, f);
	free(text);
	return 0;
}
