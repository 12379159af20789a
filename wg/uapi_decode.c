/* UAPI reply decoder (see wg/uapi_decode.h). */
#include "wg/uapi_decode.h"

#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/strutil.h"
#include "wg/resolve.h"

struct wg_uapi_dec {
	bool set_reply;
	bool set_form;            /* a set ("set=1" ... empty line), wg/uapi_write.h */
	bool have_errno, done;
	int daemon_errno;
	size_t total;             /* bytes consumed so far */
	size_t lineno;
	struct wg_device *dev;
	size_t peer;              /* index of the current peer + 1; 0 = device section */
	bool streamed;            /* a peer was handed over: the device section is over */
	wg_uapi_peer_fn fn;       /* streaming, NULL = keep every peer */
	void *fn_arg;
	char line[WG_UAPI_MAX_LINE + 1];
	size_t linelen;
};

/* Allocate, and undo on a failed part: the usual shape (as
 * agent/uplinkwatch_*.c's constructors). */
struct wg_uapi_dec *wg_uapi_dec_new(bool set_reply)
{
	struct wg_uapi_dec *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->set_reply = set_reply;
	if (!set_reply && !(d->dev = wg_device_new())) {
		free(d);
		return NULL;
	}
	return d;
}

struct wg_uapi_dec *wg_uapi_dec_new_set(void)
{
	struct wg_uapi_dec *d = wg_uapi_dec_new(false);

	if (d)
		d->set_form = true;
	return d;
}

void wg_uapi_dec_free(struct wg_uapi_dec *d)
{
	if (!d)
		return;
	wg_device_free(d->dev);
	sodium_memzero(d, sizeof(*d));
	free(d);
}

void wg_uapi_dec_stream(struct wg_uapi_dec *d, wg_uapi_peer_fn fn, void *arg)
{
	d->fn = fn;
	d->fn_arg = arg;
}

/* Streaming: hand the current peer over and drop it. */
static int flush_peer(struct wg_uapi_dec *d, struct wj_err *e)
{
	uint8_t key[WG_KEY_LEN];
	int r;

	if (!d->fn || !d->peer)
		return 0;
	r = d->fn(d->fn_arg, d->dev, &d->dev->peers[d->peer - 1], e);
	memcpy(key, d->dev->peers[d->peer - 1].public_key, WG_KEY_LEN);
	wg_device_remove_peer(d->dev, key);
	d->peer = 0;
	d->streamed = true;
	return r ? -1 : 0;
}

struct wg_device *wg_uapi_dec_take(struct wg_uapi_dec *d)
{
	struct wg_device *dev = d->dev;

	d->dev = NULL;
	return dev;
}

static int bad(struct wg_uapi_dec *d, struct wj_err *e, const char *what, const char *key)
{
	char q[80];

	wj_errf(e, "malformed UAPI %s, line %zu: %s%s%s", d->set_form ? "set" : "reply", d->lineno, what,
		key ? " " : "",
		key ? wj_quote(key, q, sizeof(q)) : "");
	e->code = EPROTO;
	return -1;
}

static int num(const char *v, uint64_t max, uint64_t *out)
{
	return wj_parse_uint(v, 0, max, out);
}

/* Signed 64-bit decimal (last_handshake_time_*). */
static int snum(const char *v, int64_t *out)
{
	uint64_t u;
	bool neg = *v == '-';

	if (num(v + neg, (uint64_t)INT64_MAX, &u) < 0)
		return -1;
	*out = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

static struct wg_peer *cur_peer(struct wg_uapi_dec *d)
{
	return d->peer ? &d->dev->peers[d->peer - 1] : NULL;
}

static int device_key(struct wg_uapi_dec *d, const char *k, const char *v, size_t vlen, struct wj_err *e)
{
	uint8_t key[WG_KEY_LEN];
	uint64_t n;

	if (!strcmp(k, "private_key")) {
		int r = 0;
		if (!key_from_hex_n(key, v, vlen))
			return bad(d, e, "bad key in", k);
		if (!key_is_zero(key))
			r = wg_device_set_private_key(d->dev, key);
		sodium_memzero(key, sizeof(key));
		if (r < 0)
			return wj_errnof(e, ENOMEM, "decoding the UAPI reply");
	} else if (!strcmp(k, "own_public_key")) {
		if (!key_from_hex_n(key, v, vlen))
			return bad(d, e, "bad key in", k);
		if (!(d->dev->flags & WGDEV_HAS_PUBLIC_KEY)) {
			memcpy(d->dev->public_key, key, WG_KEY_LEN);
			d->dev->flags |= WGDEV_HAS_PUBLIC_KEY;
		}
	} else if (!strcmp(k, "listen_port")) {
		if (num(v, 65535, &n) < 0)
			return bad(d, e, "bad number in", k);
		d->dev->listen_port = (uint16_t)n;
		d->dev->flags |= WGDEV_HAS_LISTEN_PORT;
	} else if (!strcmp(k, "fwmark")) {
		if (num(v, UINT32_MAX, &n) < 0)
			return bad(d, e, "bad number in", k);
		d->dev->fwmark = (uint32_t)n;
		d->dev->flags |= WGDEV_HAS_FWMARK;
	} else {
		return 1; /* not a device key */
	}
	return 0;
}

static int peer_key(struct wg_uapi_dec *d, const char *k, const char *v, size_t vlen, struct wj_err *e)
{
	struct wg_peer *p = cur_peer(d);
	uint64_t n;

	if (!strcmp(k, "preshared_key")) {
		if (!key_from_hex_n(p->psk, v, vlen))
			return bad(d, e, "bad key in", k);
		if (key_is_zero(p->psk))
			p->flags &= ~(uint32_t)WGPEER_HAS_PSK;
		else
			p->flags |= WGPEER_HAS_PSK;
	} else if (!strcmp(k, "protocol_version")) {
		if (strcmp(v, "1") != 0)
			return bad(d, e, "unsupported", k);
	} else if (!strcmp(k, "endpoint")) {
		if (wg_endpoint_parse_numeric(v, vlen, &p->endpoint_addr) < 0)
			return bad(d, e, "bad address in", k);
		p->flags |= WGPEER_HAS_ENDPOINT;
	} else if (!strcmp(k, "last_handshake_time_sec")) {
		if (snum(v, &p->last_handshake_sec) < 0)
			return bad(d, e, "bad number in", k);
	} else if (!strcmp(k, "last_handshake_time_nsec")) {
		if (snum(v, &p->last_handshake_nsec) < 0)
			return bad(d, e, "bad number in", k);
	} else if (!strcmp(k, "tx_bytes")) {
		if (num(v, UINT64_MAX, &p->tx_bytes) < 0)
			return bad(d, e, "bad number in", k);
	} else if (!strcmp(k, "rx_bytes")) {
		if (num(v, UINT64_MAX, &p->rx_bytes) < 0)
			return bad(d, e, "bad number in", k);
	} else if (!strcmp(k, "persistent_keepalive_interval")) {
		if (num(v, 65535, &n) < 0)
			return bad(d, e, "bad number in", k);
		p->keepalive = (uint16_t)n;
		if (n)
			p->flags |= WGPEER_HAS_KEEPALIVE;
		else
			p->flags &= ~(uint32_t)WGPEER_HAS_KEEPALIVE;
	} else if (!strcmp(k, "allowed_ip")) {
		struct wg_ipmask ip;
		if (wg_ipmask_parse(v, &ip) < 0)
			return bad(d, e, "bad prefix in", k);
		wg_ipmask_mask(&ip);
		if (wg_peer_add_aip(p, &ip) < 0)
			return wj_errnof(e, ENOMEM, "decoding the UAPI reply");
		p->flags |= WGPEER_HAS_AIPS;
	} else {
		return 1;
	}
	return 0;
}

static int errno_line(struct wg_uapi_dec *d, const char *v, struct wj_err *e)
{
	uint64_t n;
	bool neg = *v == '-';

	if (num(v + neg, 4095, &n) < 0)
		return bad(d, e, "bad number in", "errno");
	d->have_errno = true;
	d->daemon_errno = (int)n;
	return 0;
}

/* ---- the set form ---------------------------------------------------- */

static int set_true(struct wg_uapi_dec *d, const char *k, const char *v, uint32_t *flags, uint32_t flag,
		    struct wj_err *e)
{
	if (strcmp(v, "true"))
		return bad(d, e, "only 'true' is accepted in", k);
	*flags |= flag;
	return 0;
}

/* A host name as a config writes it: printable, no blank. */
static bool endpoint_text_ok(const char *v, size_t vlen)
{
	for (size_t i = 0; i < vlen; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			return false;
	return vlen > 0 && vlen <= WG_UAPI_ENDPOINT_TEXT_MAX;
}

static int set_device_line(struct wg_uapi_dec *d, const char *k, const char *v, size_t vlen, struct wj_err *e)
{
	uint8_t key[WG_KEY_LEN];
	uint64_t n;
	int r = 0;

	if (!strcmp(k, "private_key")) {
		if (!key_from_hex_n(key, v, vlen))
			return bad(d, e, "bad key in", k);
		if (!key_is_zero(key))
			r = wg_device_set_private_key(d->dev, key);
		sodium_memzero(key, sizeof(key));
		if (r < 0)
			return wj_errnof(e, ENOMEM, "decoding the UAPI set");
		d->dev->flags |= WGDEV_HAS_PRIVATE_KEY; /* all zero: remove the key */
	} else if (!strcmp(k, "listen_port")) {
		if (num(v, 65535, &n) < 0)
			return bad(d, e, "bad number in", k);
		d->dev->listen_port = (uint16_t)n;
		d->dev->flags |= WGDEV_HAS_LISTEN_PORT;
	} else if (!strcmp(k, "fwmark")) {
		if (num(v, UINT32_MAX, &n) < 0)
			return bad(d, e, "bad number in", k);
		d->dev->fwmark = (uint32_t)n;
		d->dev->flags |= WGDEV_HAS_FWMARK;
	} else if (!strcmp(k, "replace_peers")) {
		return set_true(d, k, v, &d->dev->flags, WGDEV_REPLACE_PEERS, e);
	} else {
		return bad(d, e, "unknown key", k);
	}
	return 0;
}

static int set_peer_line(struct wg_uapi_dec *d, const char *k, const char *v, size_t vlen, struct wj_err *e)
{
	struct wg_peer *p = cur_peer(d);
	uint64_t n;

	/* A peer removed is removed: nothing else goes with it. */
	if ((p->flags & WGPEER_REMOVE) || (!strcmp(k, "remove") && (p->flags || p->n_aips)))
		return bad(d, e, "remove=true stands alone in its peer:", k);
	if (!strcmp(k, "remove"))
		return set_true(d, k, v, &p->flags, WGPEER_REMOVE, e);
	if (!strcmp(k, "update_only"))
		return set_true(d, k, v, &p->flags, WGPEER_UPDATE_ONLY, e);
	if (!strcmp(k, "replace_allowed_ips"))
		return set_true(d, k, v, &p->flags, WGPEER_REPLACE_AIPS, e);
	if (!strcmp(k, "preshared_key")) {
		if (!key_from_hex_n(p->psk, v, vlen))
			return bad(d, e, "bad key in", k);
		p->flags |= WGPEER_HAS_PSK; /* all zero: remove the PSK */
	} else if (!strcmp(k, "endpoint")) {
		/* The last endpoint line counts, as in the daemon: an address
		 * drops a host name given before it, and the reverse. */
		if (wg_endpoint_parse_numeric(v, vlen, &p->endpoint_addr) == 0) {
			wg_peer_set_endpoint_text(p, NULL);
		} else {
			/* a host name the sync engine resolves (or skips) */
			if (!endpoint_text_ok(v, vlen) || !memchr(v, ':', vlen))
				return bad(d, e, "bad endpoint in", k);
			memset(&p->endpoint_addr, 0, sizeof(p->endpoint_addr));
			if (wg_peer_set_endpoint_text(p, v) < 0)
				return wj_errnof(e, ENOMEM, "decoding the UAPI set");
		}
		p->flags |= WGPEER_HAS_ENDPOINT;
	} else if (!strcmp(k, "persistent_keepalive_interval")) {
		if (num(v, 65535, &n) < 0)
			return bad(d, e, "bad number in", k);
		p->keepalive = (uint16_t)n;
		p->flags |= WGPEER_HAS_KEEPALIVE; /* 0: turn it off */
	} else if (!strcmp(k, "allowed_ip")) {
		struct wg_ipmask ip;
		if (wg_ipmask_parse(v, &ip) < 0)
			return bad(d, e, "bad prefix in", k);
		wg_ipmask_mask(&ip);
		if (wg_peer_add_aip(p, &ip) < 0)
			return wj_errnof(e, ENOMEM, "decoding the UAPI set");
		p->flags |= WGPEER_HAS_AIPS;
	} else {
		return bad(d, e, "unknown key", k);
	}
	return 0;
}

/* One line of a set: "set=1" first, then device keys, then peers; an
 * empty line ends it.  Nothing unknown is accepted: both ends are
 * wgjail's. */
static int set_line(struct wg_uapi_dec *d, const char *k, const char *v, size_t vlen, struct wj_err *e)
{
	if (d->lineno == 1)
		return strcmp(k, "set") || strcmp(v, "1") ? bad(d, e, "a set begins with set=1, not", k) : 0;
	if (!strcmp(k, "set"))
		return bad(d, e, "set twice:", k);
	if (!strcmp(k, "public_key")) {
		uint8_t key[WG_KEY_LEN];
		struct wg_peer *p;
		if (!key_from_hex_n(key, v, vlen))
			return bad(d, e, "bad key in", k);
		if (wg_device_find_peer(d->dev, key))
			return bad(d, e, "peer listed twice:", k);
		if (!(p = wg_device_add_peer(d->dev, key)))
			return wj_errnof(e, ENOMEM, "decoding the UAPI set");
		d->peer = (size_t)(p - d->dev->peers) + 1;
		return 0;
	}
	if (d->peer) {
		if (!strcmp(k, "private_key") || !strcmp(k, "listen_port") || !strcmp(k, "fwmark") ||
		    !strcmp(k, "replace_peers"))
			return bad(d, e, "device key after the first peer:", k);
		return set_peer_line(d, k, v, vlen, e);
	}
	return set_device_line(d, k, v, vlen, e);
}

/* One complete line (without its '\n'), NUL-terminated in d->line. */
static int decode_line(struct wg_uapi_dec *d, struct wj_err *e)
{
	char *l = d->line, *eq, *v;
	size_t klen, vlen;
	int r;

	d->lineno++;
	if (d->linelen == 0 && d->set_form) {
		if (d->lineno == 1)
			return bad(d, e, "a set begins with set=1, not", "an empty line");
		d->done = true;
		return 0;
	}
	if (d->linelen == 0) {
		if (!d->have_errno)
			return bad(d, e, "reply ends without errno", NULL);
		d->done = true;
		if (d->daemon_errno)
			return wg_uapi_daemon_error(d->daemon_errno, e);
		return 0;
	}
	if (d->have_errno)
		return bad(d, e, "data after errno", NULL);
	if (memchr(l, '\0', d->linelen))
		return bad(d, e, "NUL byte", NULL);
	eq = strchr(l, '=');
	if (!eq)
		return bad(d, e, "no '=' in line", NULL);
	klen = (size_t)(eq - l);
	if (klen == 0)
		return bad(d, e, "empty key", NULL);
	for (size_t i = 0; i < klen; i++)
		if (!((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= '0' && l[i] <= '9') || l[i] == '_'))
			return bad(d, e, "bad key", NULL);
	*eq = '\0';
	v = eq + 1;
	vlen = d->linelen - klen - 1;
	if (d->set_form)
		return vlen == 0 ? bad(d, e, "empty value of", l) : set_line(d, l, v, vlen, e);
	if (!strcmp(l, "errno"))
		return flush_peer(d, e) < 0 ? -1 : errno_line(d, v, e);
	if (d->set_reply)
		return bad(d, e, "unexpected key in a set reply:", l);
	if (vlen == 0)
		return bad(d, e, "empty value of", l);
	if (!strcmp(l, "public_key")) {
		uint8_t key[WG_KEY_LEN];
		struct wg_peer *p;
		if (!key_from_hex_n(key, v, vlen))
			return bad(d, e, "bad key in", l);
		if (flush_peer(d, e) < 0)
			return -1;
		if (wg_device_find_peer(d->dev, key))
			return bad(d, e, "peer listed twice:", l);
		if (!(p = wg_device_add_peer(d->dev, key)))
			return wj_errnof(e, ENOMEM, "decoding the UAPI reply");
		d->peer = (size_t)(p - d->dev->peers) + 1;
		return 0;
	}
	r = device_key(d, l, v, vlen, e);
	if (r <= 0) {
		if (r == 0 && (d->peer || d->streamed))
			return bad(d, e, "device key after the first peer:", l);
		return r;
	}
	if (!d->peer) {
		if (d->streamed)
			return 0; /* cannot happen: a peer is open until errno */
		/* peer keys before any public_key are malformed; others unknown */
		static const char *const peer_keys[] = {"preshared_key", "protocol_version", "endpoint",
			"last_handshake_time_sec", "last_handshake_time_nsec", "tx_bytes", "rx_bytes",
			"persistent_keepalive_interval", "allowed_ip", NULL};
		for (const char *const *pk = peer_keys; *pk; pk++)
			if (!strcmp(l, *pk))
				return bad(d, e, "peer key before any public_key:", l);
		return 0;
	}
	r = peer_key(d, l, v, vlen, e);
	return r < 0 ? -1 : 0; /* r == 1: unknown key, ignored */
}

int wg_uapi_dec_feed(struct wg_uapi_dec *d, const char *data, size_t len, size_t *used, struct wj_err *e)
{
	size_t i = 0;

	*used = 0;
	if (d->done)
		return len ? bad(d, e, "bytes after the end of the reply", NULL) : 1;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
		int r;

		if (d->total + n + (nl ? 1 : 0) > WG_UAPI_MAX_REPLY) {
			wj_errf(e, "UAPI reply larger than %zu bytes", WG_UAPI_MAX_REPLY);
			e->code = EMSGSIZE;
			return -1;
		}
		if (d->linelen + n > WG_UAPI_MAX_LINE) {
			d->lineno++;
			return bad(d, e, "line too long", NULL);
		}
		memcpy(d->line + d->linelen, data + i, n);
		d->linelen += n;
		d->total += n;
		i += n;
		if (!nl)
			break;
		i++;
		d->total++;
		d->line[d->linelen] = '\0';
		r = decode_line(d, e);
		sodium_memzero(d->line, d->linelen); /* may have held a key */
		d->linelen = 0;
		if (r < 0) {
			*used = i;
			return -1;
		}
		if (d->done) {
			*used = i;
			return 1;
		}
	}
	*used = i;
	return 0;
}

/* BUF whole through D (a GET reply or a set: WHAT names it); D freed. */
static int decode_whole(struct wg_uapi_dec *d, const char *what, const char *buf, size_t len,
			struct wg_device **out, struct wj_err *e)
{
	size_t used;
	int r;

	*out = NULL;
	if (!d)
		return wj_errnof(e, ENOMEM, "decoding the UAPI %s", what);
	r = wg_uapi_dec_feed(d, buf, len, &used, e);
	if (r == 1 && used != len) {
		char why[64];
		snprintf(why, sizeof(why), "bytes after the end of the %s", what);
		r = bad(d, e, why, NULL);
	} else if (r == 0) {
		wj_errf(e, "truncated UAPI %s (%zu bytes, no final empty line)", what, len);
		e->code = EPROTO;
		r = -1;
	}
	if (r == 1) {
		*out = wg_uapi_dec_take(d);
		r = 0;
	}
	wg_uapi_dec_free(d);
	return r;
}

int wg_uapi_daemon_error(int daemon_errno, struct wj_err *e)
{
	wj_errf(e, "the WireGuard daemon reports an error: %s", strerror(daemon_errno));
	e->code = daemon_errno;
	return -1;
}

int wg_uapi_decode(const char *buf, size_t len, struct wg_device **out, struct wj_err *e)
{
	return decode_whole(wg_uapi_dec_new(false), "reply", buf, len, out, e);
}

int wg_uapi_decode_set(const char *buf, size_t len, struct wg_device **out, struct wj_err *e)
{
	return decode_whole(wg_uapi_dec_new_set(), "set", buf, len, out, e);
}
