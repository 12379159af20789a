/* `peer add` as an operation on the jail's transaction (agent/jailtx.h):
 * the new peer becomes its own drop-in IF.peers/HEX.conf.
 *
 * The checks cost the same at 50,000 peers as at 1,000: a key already
 * used is one lstat of its drop-in's name plus one pass of the lexer over
 * the main file (agent/peer_scan.c; a main file wgjail wrote or parsed
 * last need not be parsed again: its stamp, agent/jailtx.c); an allowed IP
 * already routed is found in the allowed-IP index (agent/aipidx.h).  The
 * new drop-in is parsed by the real parser and must say exactly what was
 * asked; its index links are made before it is written (a crash leaves
 * only stale links, which are ignored). */
#include "agent/peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/aipidx.h"
#include "agent/jailwg.h"
#include "agent/peer_alloc.h"
#include "agent/peername.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "wg/conf_edit.h"
#include "wg/config.h"
#include "wg/peer_meta.h"

/* The operation's request and scratch. */
struct add {
	const struct peer_add_req *req; /* RQ: the caller's, with the addresses handed out */
	struct peer_add_req rq;
	struct peer_alloc pa;
	bool allocated;
	char *block;            /* the new drop-in's text (secret: a PSK) */
	size_t block_len;
	struct wg_device *blk;  /* BLOCK parsed */
	char dropin[PATH_MAX];
};

/* The new [Peer] section, one line per key ("\n" line ends).  *OUT is
 * wiped and freed by add_free. */
static int peer_block(const struct peer_add_req *req, char **out, size_t *len, struct wj_err *e)
{
	char k[WG_KEY_B64_LEN + 1], p[WG_KEY_B64_LEN + 1], a[INET6_ADDRSTRLEN + 8];
	size_t cap = 384 + req->n_aips * (INET6_ADDRSTRLEN + 8) + (req->endpoint ? strlen(req->endpoint) : 0);
	char *b = malloc(cap);
	size_t n;

	if (!b)
		return wj_errnof(e, ENOMEM, "peer add");
	key_to_base64(k, req->public_key);
	n = (size_t)snprintf(b, cap, "[Peer]\n");
	if (req->name)
		n += (size_t)snprintf(b + n, cap - n, "# Name = %s\n", req->name);
	if (req->expires)
		n += (size_t)snprintf(b + n, cap - n, "# Expires = %s\n", wg_time_fmt(req->expires, a, sizeof(a)));
	n += (size_t)snprintf(b + n, cap - n, "PublicKey = %s\n", k);
	if (req->has_psk) {
		key_to_base64(p, req->psk);
		n += (size_t)snprintf(b + n, cap - n, "PresharedKey = %s\n", p);
		sodium_memzero(p, sizeof(p));
	}
	for (size_t i = 0; i < req->n_aips; i++)
		n += (size_t)snprintf(b + n, cap - n, "%s%s", i ? ", " : "AllowedIPs = ",
				      wg_ipmask_fmt(&req->aips[i], a, sizeof(a)));
	if (req->n_aips)
		n += (size_t)snprintf(b + n, cap - n, "\n");
	if (req->endpoint)
		n += (size_t)snprintf(b + n, cap - n, "Endpoint = %s\n", req->endpoint);
	if (req->keepalive >= 0)
		n += (size_t)snprintf(b + n, cap - n, "PersistentKeepalive = %d\n", req->keepalive);
	*out = b;
	*len = n;
	return 0;
}

/* ---- the slow scan: only to name the lines of a conflict ---------------- */

struct add_scan {
	const struct peer_add_req *req;
	char want[WG_KEY_B64_LEN + 1];
	/* the current [Peer] section */
	unsigned header_line;
	char cur_key[WG_KEY_B64_LEN + 1];
	unsigned cur_dup_line;  /* its (last) PublicKey is the new key's, on this line */
	long conflict;          /* index into req->aips, -1 if none */
	struct wg_ipmask conflict_with;
	unsigned conflict_line;
	/* results */
	unsigned dup_line;      /* line of an equal PublicKey, 0 if none */
	bool own_key;
	char conflict_key[WG_KEY_B64_LEN + 1];
	unsigned conflict_header;
	struct wg_ipmask conflict_new, conflict_old;
	bool conflict_found;
};

static void add_scan_close_section(struct add_scan *s)
{
	if (s->cur_dup_line && !s->dup_line)
		s->dup_line = s->cur_dup_line;
	s->cur_dup_line = 0;
	if (s->conflict >= 0 && !s->conflict_found) {
		s->conflict_found = true;
		snprintf(s->conflict_key, sizeof(s->conflict_key), "%s", s->cur_key[0] ? s->cur_key : "(no key)");
		s->conflict_header = s->conflict_line;
		s->conflict_new = s->req->aips[s->conflict];
		s->conflict_old = s->conflict_with;
	}
	s->conflict = -1;
	s->cur_key[0] = '\0';
}

static void add_scan_aips(struct add_scan *s, const char *value, unsigned line)
{
	struct wg_peer other;
	char copy[256], *save = NULL;
	size_t vl = strnlen(value, sizeof(copy) - 1);

	memcpy(copy, value, vl);
	copy[vl] = '\0';
	memset(&other, 0, sizeof(other));
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct wg_ipmask m;
		size_t oj;
		if (*tok == '+')
			tok++;
		if (peer_v4_fast(tok, strlen(tok), &m) < 0 && wg_ipmask_parse(tok, &m) < 0)
			continue;
		other.aips = &m;
		other.n_aips = 1;
		if ((s->conflict = peer_aip_conflict(s->req->aips, s->req->n_aips, &other, &oj)) >= 0) {
			s->conflict_with = m;
			wg_ipmask_mask(&s->conflict_with);
			s->conflict_line = line;
			break;
		}
	}
}

static int add_scan_fn(void *arg, const char *section, const char *key, const char *value, unsigned line)
{
	struct add_scan *s = arg;

	if (!key) { /* a section header */
		add_scan_close_section(s);
		s->header_line = line;
		return 0;
	}
	if (!strcmp(section, "interface") && !strcasecmp(key, "PrivateKey")) {
		uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
		/* the last PrivateKey is the one wg(8) uses */
		s->own_key = key_from_base64(priv, value) && key_public_from_private(pub, priv) == 0 &&
			     key_equal(pub, s->req->public_key);
		sodium_memzero(priv, sizeof(priv));
		return 0;
	}
	if (strcmp(section, "peer") != 0)
		return 0;
	if (!strcasecmp(key, "PublicKey")) {
		size_t vl = strnlen(value, WG_KEY_B64_LEN);
		memcpy(s->cur_key, value, vl);
		s->cur_key[vl] = '\0';
		/* Valid configs hold canonical base64 only (wg(8) refuses
		 * anything else), so equal keys are equal strings.  The last
		 * PublicKey of a section is the one wg(8) uses. */
		s->cur_dup_line = !strcmp(value, s->want) ? line : 0;
	} else if (!strcasecmp(key, "AllowedIPs") && !s->req->force && s->conflict < 0) {
		add_scan_aips(s, value, line);
	}
	return 0;
}

/* ---- the checks ------------------------------------------------------------ */

/* The main file's peers (hand-written): the fast scan, then, only when
 * there is something to refuse, the slower one that names the lines. */
static int check_main(struct jailtx *t, const struct peer_add_req *req, struct wj_err *e)
{
	struct peer_scan fast;
	struct add_scan sc;

	memset(&sc, 0, sizeof(sc));
	sc.req = req;
	sc.conflict = -1;
	key_to_base64(sc.want, req->public_key);
	peer_scan_for_add(t->text, t->len, req, &fast);
	if ((fast.dup || fast.own || fast.conflict) && conf_scan(t->text, t->len, add_scan_fn, &sc, NULL, NULL) != 0)
		return wj_errnof(e, ENOMEM, "peer add");
	add_scan_close_section(&sc);
	if (fast.dup || sc.dup_line)
		return wj_errf(e, "%s:%u: peer %s is already there (use 'wgjail peer remove' first to change it)",
			       t->path, sc.dup_line, sc.want);
	if (fast.own || sc.own_key)
		return wj_errf(e, "peer %s is jail %s's own public key", sc.want, t->name);
	if (sc.conflict_found) {
		char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];
		return wj_errf(e,
			       "allowed IP %s is already routed to peer %s (%s:%u, AllowedIPs %s); --force to take it "
			       "anyway",
			       wg_ipmask_fmt(&sc.conflict_new, a, sizeof(a)), sc.conflict_key, t->path,
			       sc.conflict_header, wg_ipmask_fmt(&sc.conflict_old, b, sizeof(b)));
	}
	if (fast.conflict)
		return wj_errf(e, "%s: an allowed IP of the new peer is already routed to another peer; --force to "
				  "take it anyway",
			       t->path);
	return 0;
}

/* The drop-in peers: the index, at most 33 (IPv4) or 129 (IPv6) lookups
 * per allowed IP. */
static int check_dropins(struct jailtx *t, const struct peer_add_req *req, struct wj_err *e)
{
	char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8], k[WG_KEY_B64_LEN + 1], p[PATH_MAX];
	struct aipidx_hit hit;
	int h;

	if (req->force || (h = aipidx_find(t->dir, req->aips, req->n_aips, &hit, e)) == 0)
		return 0;
	if (h < 0)
		return -1;
	key_to_base64(k, hit.owner);
	if (jailwg_dropin_path(p, sizeof(p), t->dir, hit.owner, e) < 0)
		return -1;
	return wj_errf(e, "allowed IP %s is already routed to peer %s (%s:%u, AllowedIPs %s); --force to take it anyway",
		       wg_ipmask_fmt(&req->aips[hit.idx], a, sizeof(a)), k, p, hit.line,
		       wg_ipmask_fmt(&hit.theirs, b, sizeof(b)));
}

static bool aips_equal(struct wg_peer *a, const struct wg_ipmask *want, size_t n)
{
	struct wg_peer tmp;
	bool eq;

	memset(&tmp, 0, sizeof(tmp));
	for (size_t i = 0; i < n; i++)
		if (wg_peer_add_aip(&tmp, &want[i]) < 0) {
			wg_peer_clear(&tmp);
			return false;
		}
	wg_peer_canonical_aips(&tmp);
	wg_peer_canonical_aips(a);
	eq = tmp.n_aips == a->n_aips;
	for (size_t i = 0; eq && i < n && i < a->n_aips; i++)
		eq = wg_ipmask_cmp(&tmp.aips[i], &a->aips[i]) == 0;
	wg_peer_clear(&tmp);
	return eq;
}

/* The new drop-in, parsed by the real parser, must say exactly what was
 * asked. */
static int make_block(struct add *a, struct wj_err *e)
{
	const struct peer_add_req *req = a->req;
	struct wg_peer *np;

	if (peer_block(req, &a->block, &a->block_len, e) < 0)
		return -1;
	if (jailwg_parse_dropin(a->block, a->block_len, a->dropin, req->public_key, &a->blk, e) < 0)
		return wj_err_prefix(e, "the new [Peer] section does not parse (nothing written)");
	np = a->blk->n_peers == 1 ? wg_device_find_peer(a->blk, req->public_key) : NULL;
	if (!np || !!(np->flags & WGPEER_HAS_PSK) != req->has_psk || (req->has_psk && !key_equal(np->psk, req->psk)) ||
	    (req->keepalive >= 0 && np->keepalive != req->keepalive) || !!np->endpoint != !!req->endpoint ||
	    (req->endpoint && strcmp(np->endpoint, req->endpoint) != 0) || !aips_equal(np, req->aips, req->n_aips) ||
	    strcmp(np->name, req->name ? req->name : "") != 0 || np->expires != req->expires)
		return wj_errf(e, "%s: the new [Peer] section does not read back as the peer to add (nothing written)",
			       a->dropin);
	return 0;
}

/* Its name must be free in the jail: the main file's peers (parsed: it is
 * the hand-written part), the drop-ins' name index. */
static int check_name(struct jailtx *t, const struct peer_add_req *req, struct wj_err *e)
{
	uint8_t owner[WG_KEY_LEN];
	char k[WG_KEY_B64_LEN + 1];
	int taken;

	if (!req->name)
		return 0;
	if (!t->dev && wg_config_parse(t->text, t->len, t->path, &t->dev, e) < 0)
		return -1;
	if ((taken = peername_lookup(t->dev, t->dir, req->name, owner, e)) == 0)
		return 0;
	if (taken > 0) {
		key_to_base64(k, owner);
		wj_errf(e, "jail %s: the name '%s' is taken by peer %s", t->name, req->name, k);
	}
	return -1;
}

/* No allowed IPs given: the next free address of each tunnel network. */
static int allocate(struct jailtx *t, struct add *a, struct wj_err *e)
{
	struct peer_add_given *g = a->req->given;

	if (a->req->n_aips)
		return 0;
	if (peer_alloc_run(t->name, &t->spec, t->main_path, t->text, t->len, t->dev, t->dir, &a->pa, e) < 0)
		return -1;
	a->rq = *a->req;
	if (!(a->rq.aips = malloc(a->pa.n * sizeof(*a->rq.aips))))
		return wj_errnof(e, ENOMEM, "peer add");
	memcpy(a->rq.aips, a->pa.got, a->pa.n * sizeof(*a->rq.aips));
	a->rq.n_aips = a->pa.n;
	a->req = &a->rq;
	a->allocated = true;
	for (size_t i = 0; g && i < a->pa.n && i < sizeof(g->a) / sizeof(g->a[0]); i++)
		g->a[g->n++] = a->pa.got[i];
	return 0;
}

static int add_edit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct add *a = arg;
	const struct peer_add_req *req = a->req;
	struct wg_device *ch;
	struct stat st;
	char k[WG_KEY_B64_LEN + 1];

	/* The main file: mapped, as it may be big. */
	if (jailtx_index(t, e) < 0 || jailtx_read(t, NULL, JAILTX_MAPPED, e) < 0 ||
	    jailwg_dropin_path(a->dropin, sizeof(a->dropin), t->dir, req->public_key, e) < 0)
		return -1;
	/* Already a drop-in peer: one lstat. */
	if (lstat(a->dropin, &st) == 0) {
		key_to_base64(k, req->public_key);
		return wj_errf(e, "%s: peer %s is already there (use 'wgjail peer remove' first to change it)",
			       a->dropin, k);
	}
	/* The file as it is must parse: known from the stamp, else parsed
	 * (and then known for the next add). */
	if (!jailtx_main_known(t)) {
		if (wg_config_parse(t->text, t->len, t->path, &t->dev, e) < 0)
			return -1;
		jailtx_main_parsed(t);
	}
	if (check_name(t, req, e) < 0 || allocate(t, a, e) < 0)
		return -1;
	req = a->req;
	if (check_main(t, req, e) < 0 || check_dropins(t, req, e) < 0 || make_block(a, e) < 0)
		return -1;
	t->handover = &a->blk->peers[0];
	if (!(ch = jailtx_changes(t, e)) ||
	    peer_copy_change(ch, t->handover, WGPEER_REPLACE_AIPS | WGPEER_NEW | WGPEER_CHANGED_AIPS, e) < 0)
		return -1;
	return 0;
}

/* The index links first (a crash leaves stale links, which are ignored),
 * then the drop-in: the config is as before or as after.  The links'
 * directory and the drop-in's bytes are fsync'd together, both before
 * the drop-in's rename (one flush of the disk, not two). */
static int add_commit(struct jailtx *t, void *arg, struct wj_err *e)
{
	struct add *a = arg;
	int idx = -1, r;

	snprintf(t->path, sizeof(t->path), "%s", a->dropin);
	if (a->allocated)
		peer_alloc_commit(&a->pa); /* before the drop-in: a crash only skips addresses */
	if (jailwg_mkdir(t->dir, e) < 0 ||
	    (a->req->name && aipidx_name_set(t->dir, a->req->public_key, a->req->name, e) < 0) ||
	    aipidx_add(t->dir, a->req->public_key, a->req->aips, a->req->n_aips, &idx, e) < 0)
		return -1;
	r = wj_write_atomic_with(a->dropin, a->block, a->block_len, 0600, idx, e);
	close(idx);
	if (r < 0)
		return -1;
	t->written = true;
	aipidx_stamp(t->dir);
	return 0;
}

static const struct jailtx_op add_op = {"peer add", 0, add_edit, add_commit};

int peer_add(const char *jail, const struct peer_add_req *req, const struct jailtx_hook *hook,
	     struct jailtx_report *out, struct wj_err *e)
{
	struct add a = {.req = req};
	int r;

	if (req->given)
		req->given->n = 0;
	r = jailtx_run(jail, &add_op, &a, hook, out, e);

	if (a.block) {
		sodium_memzero(a.block, a.block_len);
		free(a.block);
	}
	wg_device_free(a.blk);
	if (a.allocated)
		free(a.rq.aips);
	return r;
}
