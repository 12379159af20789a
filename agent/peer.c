/* Peers and keys of a jail: validate, lock, re-read, edit, re-parse,
 * write atomically, apply the one change live (see agent/peer.h). */
#include "agent/peer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/aipidx.h"
#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/jailtx.h"
#include "agent/jailwg.h"
#include "agent/keyguard.h"
#include "agent/platform.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/stores.h"
#include "util/safefile.h"
#include "wg/conf_edit.h"
#include "wg/config.h"

#define CONF_MAX (256u << 20) /* a wg config larger than this is refused */

/* ---- the validation stamp ----------------------------------------------
 * Parsing a config with 50,000 peers costs tens of milliseconds; `peer add`
 * must not pay that on every call.  After wgjail itself wrote the config
 * (and parsed what it wrote), CONFDIR/JAIL/.IF.conf.parsed records the
 * file's identity: device, inode, size, mtime and ctime (nanoseconds).  If
 * the config still has that identity, it is the file that parsed, and
 * `peer add` checks the new peer against a fast scan instead of a full
 * parse.  Any other writer (an editor, another tool, wj_write_atomic)
 * makes a new inode or a new ctime, so the stamp no longer matches and the
 * next command parses the whole file again.  A lost or damaged stamp only
 * costs that parse. */
static void stamp_fmt(char *buf, size_t sz, const struct stat *st)
{
	snprintf(buf, sz, "%ju %ju %jd %jd.%09ld %jd.%09ld\n", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino,
		 (intmax_t)st->st_size, (intmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		 (intmax_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

static bool stamp_ok(const char *jail, const char *ifname, const struct stat *st)
{
	char path[PATH_MAX], want[160];

	if (jail_parsed_stamp_path(path, sizeof(path), jail, ifname) < 0)
		return false;
	stamp_fmt(want, sizeof(want), st);
	return wj_cache_is(path, want);
}

/* Record ST (of the main file that parsed) as the stamp. */
static void stamp_write_st(const char *jail, const char *ifname, const struct stat *st)
{
	char path[PATH_MAX], line[160];

	if (jail_parsed_stamp_path(path, sizeof(path), jail, ifname) < 0)
		return;
	stamp_fmt(line, sizeof(line), st);
	wj_cache_write(path, line);
}

static void stamp_write(const char *jail, const char *ifname, const char *conf)
{
	struct stat st;
	char path[PATH_MAX];

	if (stat(conf, &st) < 0) {
		if (jail_parsed_stamp_path(path, sizeof(path), jail, ifname) == 0)
			unlink(path);
		return;
	}
	stamp_write_st(jail, ifname, &st);
}

/* One read-modify-write of a jail's wg config, under its lock. */
struct tx {
	struct jail_spec spec;
	char lock[PATH_MAX];
	int lockfd;
	char *text; /* the file as read (secret memory) */
	size_t len;
	size_t room; /* if > 0: TEXT is an anonymous mapping of len + room bytes (add) */
	struct stat st; /* of the file TEXT was read from (read_with_room) */
	struct wg_device *dev; /* parsed */
	struct conf_doc doc;
	bool doc_loaded;
	char *new_text; /* the edited file */
	size_t new_len;
	struct wg_device *after; /* the edited file, parsed */
	char main_path[PATH_MAX]; /* CONFDIR/JAIL/IF.conf */
	char dir[PATH_MAX];       /* CONFDIR/JAIL/IF.peers */
	bool dropin;              /* TEXT is a peer's drop-in, not the main file */
};

static void tx_end(struct tx *t)
{
	if (t->doc_loaded)
		conf_doc_free(&t->doc);
	conf_doc_free_text(t->new_text, t->new_len);
	wg_device_free(t->after);
	wg_device_free(t->dev);
	if (t->text && t->room) {
		wj_free_mapped(t->text, t->len + t->room);
	} else if (t->text) {
		wj_free_file(t->text, t->len, true);
	}
	if (t->lockfd >= 0)
		jail_unlock(t->lockfd);
	t->lockfd = -1;
	t->text = t->new_text = NULL;
	t->dev = t->after = NULL;
	t->doc_loaded = false;
}

static int conf_path(const char *jail, const struct jail_spec *spec, char *buf, size_t sz, struct wj_err *e)
{
	char file[WJ_IFNAME_MAX + 8];

	snprintf(file, sizeof(file), "%s.conf", spec->ifname);
	if (jail_path(buf, sz, jail, file) < 0)
		return wj_errf(e, "jail %s: the path of its WireGuard config is too long", jail);
	return 0;
}

/* Read PATH with ROOM spare bytes after it, so that `peer add` appends in
 * place: no second copy of a big file.  Wiped and unmapped by tx_end. */
static int read_with_room(struct tx *t, const char *path, size_t room, struct wj_err *e)
{
	if (wj_read_mapped_conf(path, CONF_MAX, room, &t->text, &t->len, &t->st, e) < 0)
		return -1;
	t->room = room;
	return 0;
}

/* Load the spec, take the lock, bring the allowed-IP index up to date,
 * read and parse the file to edit: the drop-in of KEY if KEY is given
 * and has one, else the main file; split it into lines. */
static int tx_begin(const char *jail, struct tx *t, bool full, size_t room, const uint8_t *key,
		    struct peer_outcome *out, struct wj_err *e)
{
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->lockfd = -1;
	memset(out, 0, sizeof(*out));
	/* The spec read again under the lock: taking it may have finished an
	 * interrupted change of the interface (agent/jaillock.h). */
	if (jailspec_load(jail, &t->spec, e) < 0 || jail_lock(jail, &t->lockfd, e) < 0)
		return -1;
	if (jailspec_load(jail, &t->spec, e) < 0) {
		tx_end(t);
		return -1;
	}
	snprintf(out->ifname, sizeof(out->ifname), "%s", t->spec.ifname);
	if (conf_path(jail, &t->spec, t->main_path, sizeof(t->main_path), e) < 0 ||
	    jailwg_dir_path(t->dir, sizeof(t->dir), jail, t->spec.ifname, e) < 0 ||
	    jail_path(t->lock, sizeof(t->lock), jail, ".lock") < 0) {
		tx_end(t);
		return wj_errf(e, "jail %s: path too long", jail);
	}
	snprintf(out->path, sizeof(out->path), "%s", t->main_path);
	wj_remove_stale_temps(t->main_path);
	if (aipidx_ensure(t->dir, NULL, e) < 0) {
		tx_end(t);
		return wj_err_prefix(e, "jail %s: the allowed-IP index", jail);
	}
	if (key && jailwg_dropin_path(out->path, sizeof(out->path), t->dir, key, e) == 0) {
		/* (Killed writers' temporary files in IF.peers/ are removed
		 * when the index is rebuilt: their creation changed the
		 * directory, so aipidx_ensure above did.) */
		if (lstat(out->path, &st) == 0) {
			t->dropin = true;
		} else {
			snprintf(out->path, sizeof(out->path), "%s", t->main_path);
		}
	}
	if ((room && !t->dropin) ? read_with_room(t, out->path, room, e) < 0
				 : wj_read_conf(out->path, CONF_MAX, true, &t->text, &t->len, e) < 0) {
		tx_end(t);
		return -1;
	}
	if (!full)
		return 0;
	if ((t->dropin ? jailwg_parse_dropin(t->text, t->len, out->path, key, &t->dev, e)
		       : wg_config_parse(t->text, t->len, out->path, &t->dev, e)) < 0 ||
	    conf_doc_load(&t->doc, t->text, t->len, e) < 0) {
		tx_end(t);
		return -1;
	}
	t->doc_loaded = true;
	return 0;
}

/* Render the edited text and parse it with the real parser. */
static int tx_render(struct tx *t, const char *path, struct wj_err *e)
{
	t->new_text = conf_doc_text(&t->doc, &t->new_len);
	if (!t->new_text)
		return wj_errnof(e, ENOMEM, "%s", path);
	if (wg_config_parse(t->new_text, t->new_len, path, &t->after, e) < 0)
		return wj_err_prefix(e, "%s: the edited config does not parse (nothing written)", path);
	return 0;
}

/* Replace the config; the new text is known to parse: stamp it. */
static int tx_write(struct tx *t, const char *jail, const char *path, struct peer_outcome *out, struct wj_err *e)
{
	if (wj_write_atomic(path, t->new_text, t->new_len, 0600, e) < 0)
		return -1;
	out->written = true;
	if (t->dropin)
		aipidx_stamp(t->dir); /* the index was current (tx_begin) and still is */
	else
		stamp_write(jail, t->spec.ifname, path);
	return 0;
}

/* After the file is written: keep the jail's own copy of its config in
 * step (FreeBSD: ROOT/etc/IF.conf, which its rc applies at every start;
 * running or not), then apply CHANGES if the jail is running. */
static int tx_apply(const char *jail, struct tx *t, struct wg_device *changes, struct peer_outcome *out,
		    struct wj_err *e)
{
	const struct wj_platform *pl = wj_platform();
	struct peer_target tgt;
	int up;

	if (pl->keep_files && pl->keep_files(&t->spec, NULL, e) < 0)
		return wj_err_prefix(e, "%s saved, but jail %s's own copy of it was not updated", out->path, jail);
	up = peer_jail_target(&t->spec, &tgt, e);
	if (up < 0)
		return wj_err_prefix(e, "%s saved, but jail %s's state cannot be read", out->path, jail);
	if (!up)
		return 0;
	if (peer_live_set(&tgt, changes, e) < 0)
		return wj_err_prefix(e, "%s saved, but jail %s's interface %s was not updated", out->path, jail,
				     t->spec.ifname);
	out->live = true;
	return 0;
}

static bool ip_in(const struct wg_ipmask *inner, const struct wg_ipmask *outer)
{
	const uint8_t *a, *b;
	unsigned bits = outer->cidr, full, rest;

	if (inner->family != outer->family || inner->cidr < outer->cidr)
		return false;
	a = (const uint8_t *)&inner->addr;
	b = (const uint8_t *)&outer->addr;
	full = bits / 8;
	rest = bits % 8;
	if (memcmp(a, b, full) != 0)
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));
		if ((a[full] & m) != (b[full] & m))
			return false;
	}
	return true;
}

long peer_aip_conflict(const struct wg_ipmask *new_aips, size_t n_new, const struct wg_peer *other,
		       size_t *other_idx)
{
	for (size_t i = 0; i < n_new; i++) {
		for (size_t j = 0; j < other->n_aips; j++) {
			struct wg_ipmask o = other->aips[j];

			wg_ipmask_mask(&o);
			if (o.family != new_aips[i].family)
				continue;
			/* Same prefix: WireGuard routes a prefix to one peer only,
			 * so adding it would take it from OTHER.  Inside OTHER's
			 * prefix: it would carve addresses out of OTHER's range.
			 * A default route (/0) is meant to be carved from. */
			if ((o.cidr == new_aips[i].cidr && ip_in(&new_aips[i], &o)) ||
			    (o.cidr > 0 && ip_in(&new_aips[i], &o))) {
				if (other_idx)
					*other_idx = j;
				return (long)i;
			}
		}
	}
	return -1;
}

static void fmt_key(char out[WG_KEY_B64_LEN + 1], const uint8_t k[WG_KEY_LEN])
{
	key_to_base64(out, k);
}

/* A change-set copy of peer P (everything the file says about it). */
static int copy_peer(struct wg_device *ch, const struct wg_peer *p, uint32_t extra, struct wj_err *e)
{
	struct wg_peer *c = wg_device_add_peer(ch, p->public_key);

	if (!c)
		return wj_errnof(e, ENOMEM, "change set");
	c->flags = (p->flags & (WGPEER_HAS_PSK | WGPEER_HAS_KEEPALIVE | WGPEER_HAS_ENDPOINT)) | extra;
	memcpy(c->psk, p->psk, WG_KEY_LEN);
	c->keepalive = p->keepalive;
	c->endpoint_addr = p->endpoint_addr;
	if (p->endpoint && wg_peer_set_endpoint_text(c, p->endpoint) < 0)
		return wj_errnof(e, ENOMEM, "change set");
	for (size_t i = 0; i < p->n_aips; i++)
		if (wg_peer_add_aip(c, &p->aips[i]) < 0)
			return wj_errnof(e, ENOMEM, "change set");
	return 0;
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

static int peer_lines(const struct peer_add_req *req, char **lines, size_t *n, struct wj_err *e)
{
	char k[WG_KEY_B64_LEN + 1];
	size_t cap, used;
	char *aips;

	*n = 0;
	fmt_key(k, req->public_key);
	if (asprintf(&lines[(*n)++], "[Peer]") < 0 || asprintf(&lines[(*n)++], "PublicKey = %s", k) < 0)
		goto oom;
	if (req->has_psk) {
		char p[WG_KEY_B64_LEN + 1];
		int r;
		key_to_base64(p, req->psk);
		r = asprintf(&lines[(*n)++], "PresharedKey = %s", p);
		sodium_memzero(p, sizeof(p));
		if (r < 0)
			goto oom;
	}
	if (req->n_aips) {
		cap = req->n_aips * (INET6_ADDRSTRLEN + 6) + 16;
		aips = malloc(cap);
		if (!aips)
			goto oom;
		used = (size_t)snprintf(aips, cap, "AllowedIPs = ");
		for (size_t i = 0; i < req->n_aips; i++) {
			char a[INET6_ADDRSTRLEN + 8];
			used += (size_t)snprintf(aips + used, cap - used, "%s%s", i ? ", " : "",
						 wg_ipmask_fmt(&req->aips[i], a, sizeof(a)));
		}
		lines[(*n)++] = aips;
	}
	if (req->endpoint && asprintf(&lines[(*n)++], "Endpoint = %s", req->endpoint) < 0)
		goto oom;
	if (req->keepalive >= 0 && asprintf(&lines[(*n)++], "PersistentKeepalive = %d", req->keepalive) < 0)
		goto oom;
	return 0;
oom:
	lines[--(*n)] = NULL;
	return wj_errnof(e, ENOMEM, "peer add");
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (lines[i]) {
			sodium_memzero(lines[i], strlen(lines[i]));
			free(lines[i]);
		}
	}
}

/* ---- peer add ------------------------------------------------------------ */


struct add_scan {
	const struct peer_add_req *req;
	char want[WG_KEY_B64_LEN + 1];
	bool force;
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
	} else if (!strcasecmp(key, "AllowedIPs") && !s->force && s->conflict < 0) {
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
	return 0;
}

/* Bytes the new [Peer] block may need after the file's text. */
static size_t block_room(char *const *lines, size_t n)
{
	size_t need = 4 + 1;

	for (size_t i = 0; i < n; i++)
		need += strlen(lines[i]) + 2;
	return need;
}

/* Append the new [Peer] block to BUF[0..LEN) (room: block_room), as
 * conf_append_lines would: a line end after a last line without one, a
 * blank line before the block unless the file ends with one, the file's
 * line end for the new lines.  Returns the new length (BUF NUL-terminated). */
static size_t append_block(char *buf, size_t len, bool crlf, char *const *lines, size_t n)
{
	const char *eol = crlf ? "\r\n" : "\n";
	size_t el = strlen(eol), pos = len;
	bool blank_last = true;

	if (len > 0) {
		/* the last line: from after the previous '\n' to the end */
		size_t end = len, start;
		if (buf[len - 1] == '\n')
			end--;
		start = end;
		while (start > 0 && buf[start - 1] != '\n')
			start--;
		for (size_t i = start; i < end && blank_last; i++)
			blank_last = buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\v' || buf[i] == '\f';
		if (buf[len - 1] != '\n') {
			memcpy(buf + pos, eol, el);
			pos += el;
		}
		if (!blank_last) {
			memcpy(buf + pos, eol, el);
			pos += el;
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(lines[i]);
		memcpy(buf + pos, lines[i], l);
		pos += l;
		memcpy(buf + pos, eol, el);
		pos += el;
	}
	buf[pos] = '\0';
	return pos;
}

int peer_add(const char *jail, const struct peer_add_req *req, struct peer_outcome *out, struct wj_err *e)
{
	struct tx t;
	char *lines[8] = {0}, *block = NULL;
	size_t n_lines = 0, room, block_len;
	struct add_scan sc;
	struct peer_scan fast;
	struct aipidx_hit hit;
	struct wg_device *blk = NULL, *ch = NULL;
	struct wg_peer *np;
	char dropin[PATH_MAX];
	struct stat st;
	int r = -1, h;

	memset(&sc, 0, sizeof(sc));
	sc.req = req;
	sc.force = req->force;
	sc.conflict = -1;
	fmt_key(sc.want, req->public_key);
	memset(&t, 0, sizeof(t));
	t.lockfd = -1;
	if (peer_lines(req, lines, &n_lines, e) < 0)
		goto done;
	room = block_room(lines, n_lines);
	/* The main file: read into room to spare, as it may be big. */
	if (tx_begin(jail, &t, false, 1, NULL, out, e) < 0 ||
	    jailwg_dropin_path(dropin, sizeof(dropin), t.dir, req->public_key, e) < 0)
		goto done;
	/* Already a drop-in peer: one lstat. */
	if (lstat(dropin, &st) == 0) {
		wj_errf(e, "%s: peer %s is already there (use 'wgjail peer remove' first to change it)", dropin,
			sc.want);
		goto done;
	}
	/* The file as it is must parse: known from the stamp, else parsed. */
	if (!stamp_ok(jail, t.spec.ifname, &t.st)) {
		if (wg_config_parse(t.text, t.len, out->path, &t.dev, e) < 0)
			goto done;
		/* It parsed as it was read (T.ST is the fstat of that read):
		 * the next add need not parse it again. */
		stamp_write_st(jail, t.spec.ifname, &t.st);
	}
	/* The main file's peers (hand-written): the fast scan. */
	peer_scan_for_add(t.text, t.len, req, &fast);
	/* Something to refuse: the slower scan finds the lines to name. */
	if ((fast.dup || fast.own || fast.conflict) && conf_scan(t.text, t.len, add_scan_fn, &sc, NULL, NULL) != 0) {
		wj_errnof(e, ENOMEM, "peer add");
		goto done;
	}
	add_scan_close_section(&sc);
	if (fast.dup || sc.dup_line) {
		wj_errf(e, "%s:%u: peer %s is already there (use 'wgjail peer remove' first to change it)",
			out->path, sc.dup_line, sc.want);
		goto done;
	}
	if (fast.own || sc.own_key) {
		wj_errf(e, "peer %s is jail %s's own public key", sc.want, jail);
		goto done;
	}
	if (sc.conflict_found) {
		char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];
		wj_errf(e, "allowed IP %s is already routed to peer %s (%s:%u, AllowedIPs %s); --force to take it anyway",
			wg_ipmask_fmt(&sc.conflict_new, a, sizeof(a)), sc.conflict_key, out->path, sc.conflict_header,
			wg_ipmask_fmt(&sc.conflict_old, b, sizeof(b)));
		goto done;
	}
	if (fast.conflict) {
		wj_errf(e, "%s: an allowed IP of the new peer is already routed to another peer; --force to take it anyway",
			out->path);
		goto done;
	}
	/* The drop-in peers: the index, at most 33 (IPv4) or 129 (IPv6)
	 * lookups per allowed IP. */
	if (!req->force && (h = aipidx_find(t.dir, req->aips, req->n_aips, &hit, e)) != 0) {
		char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8], k[WG_KEY_B64_LEN + 1], p[PATH_MAX];
		if (h < 0)
			goto done;
		fmt_key(k, hit.owner);
		if (jailwg_dropin_path(p, sizeof(p), t.dir, hit.owner, e) < 0)
			goto done;
		wj_errf(e, "allowed IP %s is already routed to peer %s (%s:%u, AllowedIPs %s); --force to take it anyway",
			wg_ipmask_fmt(&req->aips[hit.idx], a, sizeof(a)), k, p, hit.line,
			wg_ipmask_fmt(&hit.theirs, b, sizeof(b)));
		goto done;
	}
	/* The new drop-in, parsed by the real parser, must say exactly what
	 * was asked. */
	block = malloc(room);
	if (!block) {
		wj_errnof(e, ENOMEM, "peer add");
		goto done;
	}
	block_len = append_block(block, 0, false, lines, n_lines);
	if (jailwg_parse_dropin(block, block_len, dropin, req->public_key, &blk, e) < 0) {
		wj_err_prefix(e, "the new [Peer] section does not parse (nothing written)");
		goto done;
	}
	np = blk->n_peers == 1 ? wg_device_find_peer(blk, req->public_key) : NULL;
	if (!np || !!(np->flags & WGPEER_HAS_PSK) != req->has_psk || (req->has_psk && !key_equal(np->psk, req->psk)) ||
	    (req->keepalive >= 0 && np->keepalive != req->keepalive) || !!np->endpoint != !!req->endpoint ||
	    (req->endpoint && strcmp(np->endpoint, req->endpoint) != 0) || !aips_equal(np, req->aips, req->n_aips)) {
		wj_errf(e, "%s: the new [Peer] section does not read back as the peer to add (nothing written)",
			dropin);
		goto done;
	}
	ch = wg_device_new();
	if (!ch) {
		wj_errnof(e, ENOMEM, "peer add");
		goto done;
	}
	if (copy_peer(ch, np, WGPEER_REPLACE_AIPS | WGPEER_NEW | WGPEER_CHANGED_AIPS, e) < 0)
		goto done;
	if (req->hook && req->hook->fn(req->hook->arg, np, e) < 0)
		goto done;
	/* The index links first (a crash leaves stale links, which are
	 * ignored), then the drop-in: the config is as before or as after. */
	snprintf(out->path, sizeof(out->path), "%s", dropin);
	if (jailwg_mkdir(t.dir, e) < 0 || aipidx_add(t.dir, req->public_key, req->aips, req->n_aips, e) < 0 ||
	    wj_write_atomic(dropin, block, block_len, 0600, e) < 0)
		goto done;
	out->written = true;
	aipidx_stamp(t.dir);
	r = tx_apply(jail, &t, ch, out, e);
done:
	if (block) {
		sodium_memzero(block, room);
		free(block);
	}
	free_lines(lines, n_lines);
	wg_device_free(blk);
	wg_device_free(ch);
	tx_end(&t);
	return r;
}

/* Remove the drop-in of peer KEY: the file (the config is as before or
 * after), then its index links. */
static int remove_dropin(const char *jail, struct tx *t, const uint8_t key[WG_KEY_LEN], struct peer_outcome *out,
			 struct wj_err *e)
{
	struct wg_device *one = NULL, *ch;
	struct wg_peer *c;
	struct wj_err ignored;
	int r = -1;

	/* A drop-in that does not parse is removed all the same (that
	 * repairs the config); its links are then stale, and harmless. */
	wj_err_clear(&ignored);
	if (jailwg_parse_dropin(t->text, t->len, out->path, key, &one, &ignored) < 0)
		one = NULL;
	if (unlink(out->path) < 0) {
		wj_errnof(e, errno, "%s", out->path);
		goto done;
	}
	if (jailwg_sync_dir(t->dir, e) < 0)
		goto done;
	if (one && aipidx_remove(t->dir, key, one->peers[0].aips, one->peers[0].n_aips, e) < 0)
		goto done;
	aipidx_stamp(t->dir);
	ch = wg_device_new();
	if (!ch || !(c = wg_device_add_peer(ch, key))) {
		wg_device_free(ch);
		wj_errnof(e, ENOMEM, "peer remove");
		goto done;
	}
	c->flags = WGPEER_REMOVE;
	r = tx_apply(jail, t, ch, out, e);
	wg_device_free(ch);
done:
	wg_device_free(one);
	return r;
}

int peer_remove(const char *jail, const uint8_t key[WG_KEY_LEN], struct peer_outcome *out, struct wj_err *e)
{
	struct tx t;
	struct conf_block b;
	char k[WG_KEY_B64_LEN + 1];
	struct wg_device *ch = NULL;
	struct wg_peer *c;
	bool stamped;
	unsigned found = 0;
	int r = -1;

	fmt_key(k, key);
	if (tx_begin(jail, &t, false, 1, key, out, e) < 0)
		goto done;
	if (t.dropin) {
		r = remove_dropin(jail, &t, key, out, e);
		goto done;
	}
	/* As for peer add: the file wgjail wrote and parsed last need not be
	 * parsed again; otherwise it is, before and after the edit. */
	stamped = stamp_ok(jail, t.spec.ifname, &t.st);
	if (!stamped && wg_config_parse(t.text, t.len, out->path, &t.dev, e) < 0)
		goto done;
	if (conf_doc_load(&t.doc, t.text, t.len, e) < 0)
		goto done;
	t.doc_loaded = true;
	/* A key listed in two [Peer] sections: remove them all. */
	while (conf_find_peer(&t.doc, key, &b) == 1) {
		if (conf_remove_block(&t.doc, &b, e) < 0)
			goto done;
		found++;
	}
	if (!found) {
		if (t.dev && wg_device_find_peer(t.dev, key))
			wj_errf(e, "%s: cannot find the [Peer] section of %s to edit", out->path, k);
		else
			wj_errf(e, "%s: no peer %s", out->path, k);
		goto done;
	}
	if (stamped) {
		/* Whole sections removed from a file that parses: what is left
		 * is a sequence of complete sections, and parses. */
		t.new_text = conf_doc_text(&t.doc, &t.new_len);
		if (!t.new_text) {
			wj_errnof(e, ENOMEM, "%s", out->path);
			goto done;
		}
	} else {
		if (tx_render(&t, out->path, e) < 0)
			goto done;
		if (wg_device_find_peer(t.after, key) || t.after->n_peers >= t.dev->n_peers) {
			wj_errf(e, "%s: the edited config does not read back as the peer removed (nothing written)",
				out->path);
			goto done;
		}
	}
	ch = wg_device_new();
	if (!ch || !(c = wg_device_add_peer(ch, key))) {
		wj_errnof(e, ENOMEM, "peer remove");
		goto done;
	}
	c->flags = WGPEER_REMOVE;
	if (tx_write(&t, jail, out->path, out, e) < 0)
		goto done;
	r = tx_apply(jail, &t, ch, out, e);
done:
	wg_device_free(ch);
	tx_end(&t);
	return r;
}

int peer_rotate_key(const char *jail, uint8_t pub[WG_KEY_LEN], struct peer_outcome *out, struct wj_err *e)
{
	struct tx t;
	struct conf_block b;
	uint8_t *priv = sodium_malloc(WG_KEY_LEN);
	char *b64 = sodium_malloc(WG_KEY_B64_LEN + 1);
	struct wg_device *ch = NULL;
	int r = -1;

	if (!priv || !b64) {
		sodium_free(priv);
		sodium_free(b64);
		return wj_errnof(e, ENOMEM, "rotate");
	}
	if (tx_begin(jail, &t, true, 0, NULL, out, e) < 0)
		goto out_free;
	if (conf_find_interface(&t.doc, &b) != 1) {
		wj_errf(e, "%s: no [Interface] section", out->path);
		goto done;
	}
	key_generate_private(priv);
	if (key_public_from_private(pub, priv) < 0) {
		wj_errf(e, "rotate: key generation failed");
		goto done;
	}
	key_to_base64(b64, priv);
	if (conf_set_value(&t.doc, &b, "PrivateKey", b64, e) < 0 || tx_render(&t, out->path, e) < 0)
		goto done;
	if (!t.after->private_key || !key_equal(t.after->private_key, priv) ||
	    t.after->n_peers != t.dev->n_peers) {
		wj_errf(e, "%s: the edited config does not read back with the new key (nothing written)", out->path);
		goto done;
	}
	ch = wg_device_new();
	if (!ch || wg_device_set_private_key(ch, priv) < 0) {
		wj_errnof(e, ENOMEM, "rotate");
		goto done;
	}
	/* Persisted before it is applied: a crash in between leaves a file
	 * whose key the next `up` applies. */
	if (tx_write(&t, jail, out->path, out, e) < 0)
		goto done;
	{
		struct wj_err ignored;
		keyguard_record(jail, pub, &ignored); /* agent/keyguard.h */
	}
	r = tx_apply(jail, &t, ch, out, e);
done:
	wg_device_free(ch);
	tx_end(&t);
out_free:
	sodium_free(priv);
	sodium_free(b64);
	return r;
}

int peer_rotate_psk(const char *jail, const uint8_t key[WG_KEY_LEN], uint8_t psk[WG_KEY_LEN],
		    const struct peer_commit_hook *hook, struct peer_outcome *out, struct wj_err *e)
{
	struct tx t;
	struct conf_block b;
	char *b64 = sodium_malloc(WG_KEY_B64_LEN + 1);
	char k[WG_KEY_B64_LEN + 1];
	struct wg_device *ch = NULL;
	struct wg_peer *np, *c;
	int r = -1, found = 0;

	if (!b64)
		return wj_errnof(e, ENOMEM, "rotate");
	fmt_key(k, key);
	if (tx_begin(jail, &t, true, 0, key, out, e) < 0)
		goto out_free;
	if (!wg_device_find_peer(t.dev, key)) {
		wj_errf(e, "%s: no peer %s", out->path, k);
		goto done;
	}
	key_generate_psk(psk);
	key_to_base64(b64, psk);
	/* Every [Peer] section of that key (normally one). */
	for (size_t from = 0; conf_find_peer_from(&t.doc, key, from, &b) == 1; from = b.end) {
		if (conf_set_value(&t.doc, &b, "PresharedKey", b64, e) < 0)
			goto done;
		found++;
	}
	if (!found) {
		wj_errf(e, "%s: cannot find the [Peer] section of %s to edit", out->path, k);
		goto done;
	}
	if (tx_render(&t, out->path, e) < 0)
		goto done;
	np = wg_device_find_peer(t.after, key);
	if (!np || !(np->flags & WGPEER_HAS_PSK) || !key_equal(np->psk, psk) || t.after->n_peers != t.dev->n_peers) {
		wj_errf(e, "%s: the edited config does not read back with the new PSK (nothing written)", out->path);
		goto done;
	}
	ch = wg_device_new();
	if (!ch || !(c = wg_device_add_peer(ch, key))) {
		wj_errnof(e, ENOMEM, "rotate");
		goto done;
	}
	c->flags = WGPEER_HAS_PSK | WGPEER_UPDATE_ONLY;
	memcpy(c->psk, psk, WG_KEY_LEN);
	if ((hook && hook->fn(hook->arg, np, e) < 0) || tx_write(&t, jail, out->path, out, e) < 0)
		goto done;
	r = tx_apply(jail, &t, ch, out, e);
done:
	wg_device_free(ch);
	tx_end(&t);
out_free:
	sodium_free(b64);
	return r;
}

/* Is KEY a peer of the jail (main file parsed in T->dev or not)? */
static int key_taken(struct tx *t, const uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	char p[PATH_MAX];
	struct stat st;
	struct wg_device *m = NULL;
	bool in_main;

	if (jailwg_dropin_path(p, sizeof(p), t->dir, key, e) < 0)
		return -1;
	if (lstat(p, &st) == 0)
		return 1;
	if (!t->dropin)
		return wg_device_find_peer(t->dev, key) != NULL;
	if (jailwg_load_main(t->main_path, &m, e) < 0)
		return -1;
	in_main = wg_device_find_peer(m, key) != NULL;
	wg_device_free(m);
	return in_main;
}

/* Write the edited drop-in under NEW_KEY's name and move the index links
 * (the caller removes the old drop-in).  The index stamp goes first: a crash half-way
 * makes the next command rebuild the index. */
static int move_dropin(struct tx *t, const uint8_t old[WG_KEY_LEN], const uint8_t new_key[WG_KEY_LEN],
		       const struct wg_peer *np, struct wj_err *e)
{
	char np_path[PATH_MAX];

	if (jailwg_dropin_path(np_path, sizeof(np_path), t->dir, new_key, e) < 0)
		return -1;
	wj_stores_forget(WJ_FORGET_DROPINS_MOVED, &(struct wj_store_scope){.peers_dir = t->dir});
	if (aipidx_remove(t->dir, old, np->aips, np->n_aips, e) < 0 ||
	    aipidx_add(t->dir, new_key, np->aips, np->n_aips, e) < 0 ||
	    wj_write_atomic(np_path, t->new_text, t->new_len, 0600, e) < 0)
		return -1;
	return 0;
}

int peer_replace_key(const char *jail, const uint8_t old[WG_KEY_LEN], const uint8_t new_key[WG_KEY_LEN],
		     const struct peer_commit_hook *hook, struct peer_outcome *out, struct wj_err *e)
{
	struct tx t;
	struct conf_block b;
	char k[WG_KEY_B64_LEN + 1], nk[WG_KEY_B64_LEN + 1];
	struct wg_device *ch = NULL;
	struct wg_peer *np, *c;
	int r = -1, taken;

	fmt_key(k, old);
	fmt_key(nk, new_key);
	if (tx_begin(jail, &t, true, 0, old, out, e) < 0)
		return -1;
	if (!wg_device_find_peer(t.dev, old)) {
		wj_errf(e, "%s: no peer %s", out->path, k);
		goto done;
	}
	if ((taken = key_taken(&t, new_key, e)) != 0) {
		if (taken > 0)
			wj_errf(e, "jail %s: peer %s is already there", jail, nk);
		goto done;
	}
	if (conf_find_peer(&t.doc, old, &b) != 1 || conf_set_value(&t.doc, &b, "PublicKey", nk, e) < 0 ||
	    tx_render(&t, out->path, e) < 0)
		goto done;
	np = wg_device_find_peer(t.after, new_key);
	if (!np || wg_device_find_peer(t.after, old) || t.after->n_peers != t.dev->n_peers) {
		wj_errf(e, "%s: the edited config does not read back with the new key (nothing written)", out->path);
		goto done;
	}
	ch = wg_device_new();
	if (!ch || !(c = wg_device_add_peer(ch, old))) {
		wj_errnof(e, ENOMEM, "export");
		goto done;
	}
	c->flags = WGPEER_REMOVE;
	if (copy_peer(ch, np, WGPEER_REPLACE_AIPS | WGPEER_NEW | WGPEER_CHANGED_AIPS, e) < 0)
		goto done;
	if (hook && hook->fn(hook->arg, np, e) < 0)
		goto done;
	if (t.dropin) {
		char old_path[PATH_MAX];
		snprintf(old_path, sizeof(old_path), "%s", out->path);
		/* Journalled: once the new drop-in is written, the old one
		 * goes, even if this command is killed in between. */
		if (jailtx_replace_begin(jail, t.spec.ifname, old, new_key, e) < 0 ||
		    move_dropin(&t, old, new_key, np, e) < 0)
			goto done;
		out->written = true;
		if (jailwg_dropin_path(out->path, sizeof(out->path), t.dir, new_key, e) < 0)
			goto done;
		if (unlink(old_path) < 0 && errno != ENOENT) {
			wj_errnof(e, errno, "%s", old_path);
			goto done;
		}
		if (jailwg_sync_dir(t.dir, e) < 0 || jailtx_replace_end(jail, e) < 0)
			goto done;
		aipidx_stamp(t.dir);
	} else if (tx_write(&t, jail, out->path, out, e) < 0) {
		goto done;
	}
	r = tx_apply(jail, &t, ch, out, e);
done:
	wg_device_free(ch);
	tx_end(&t);
	return r;
}

int peer_load(const char *jail, bool want_live, struct wg_device **dev, bool *live, struct peer_outcome *out,
	      struct wj_err *e)
{
	struct jail_spec spec;
	struct peer_target tgt;
	int up = 0, lockfd = -1, r;
	struct wg_device *cur = NULL;

	memset(out, 0, sizeof(*out));
	*dev = NULL;
	*live = false;
	/* Read under the lock: never a change half made (agent/jaillock.h). */
	if (jailspec_load(jail, &spec, e) < 0 || jail_lock(jail, &lockfd, e) < 0)
		return -1;
	r = jailspec_load(jail, &spec, e) < 0 || conf_path(jail, &spec, out->path, sizeof(out->path), e) < 0 ||
	    jailwg_load(jail, spec.ifname, dev, e) < 0;
	jail_unlock(lockfd);
	if (r)
		return -1;
	snprintf(out->ifname, sizeof(out->ifname), "%s", spec.ifname);
	if (want_live && (up = peer_jail_target(&spec, &tgt, e)) < 0) {
		wg_device_free(*dev);
		*dev = NULL;
		return -1;
	}
	if (!up)
		return 0;
	if (peer_live_get(&tgt, &cur, e) < 0) {
		wg_device_free(*dev);
		*dev = NULL;
		return wj_err_prefix(e, "jail %s is up, but its interface cannot be read", jail);
	}
	for (size_t i = 0; i < (*dev)->n_peers; i++) {
		struct wg_peer *p = &(*dev)->peers[i];
		const struct wg_peer *q = wg_device_find_peer(cur, p->public_key);
		if (!q)
			continue;
		p->last_handshake_sec = q->last_handshake_sec;
		p->last_handshake_nsec = q->last_handshake_nsec;
		p->rx_bytes = q->rx_bytes;
		p->tx_bytes = q->tx_bytes;
		if (!p->endpoint && q->endpoint_addr.sa.sa_family != AF_UNSPEC)
			p->endpoint_addr = q->endpoint_addr; /* the roamed/learned one */
	}
	wg_device_free(cur);
	*live = true;
	out->live = true;
	return 0;
}
