/* Peers and keys of a jail: validate, lock, re-read, edit, re-parse,
 * write atomically, apply the one change live (see agent/peer.h). */
#include "agent/peer.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/jailspec.h"
#include "agent/util/err.h"
#include "agent/util/fsutil.h"
#include "wg/conf_edit.h"
#include "wg/config.h"

#define CONF_MAX (256u << 20) /* a wg config larger than this is refused */

/* One read-modify-write of a jail's wg config, under its lock. */
struct tx {
	struct jail_spec spec;
	char lock[PATH_MAX];
	int lockfd;
	char *text; /* the file as read (secret memory) */
	size_t len;
	struct wg_device *dev; /* parsed */
	struct conf_doc doc;
	bool doc_loaded;
	char *new_text; /* the edited file */
	size_t new_len;
	struct wg_device *after; /* the edited file, parsed */
};

static void tx_end(struct tx *t)
{
	if (t->doc_loaded)
		conf_doc_free(&t->doc);
	conf_doc_free_text(t->new_text, t->new_len);
	wg_device_free(t->after);
	wg_device_free(t->dev);
	if (t->text)
		wj_free_file(t->text, t->len, true);
	if (t->lockfd >= 0)
		wj_unlock(t->lockfd);
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

/* Temporary files of writers killed before their rename (PATH.tmpXXXXXX,
 * see wj_write_atomic) hold a copy of the config, secrets included.  Under
 * the lock no writer is running: remove them. */
static void remove_stale_temps(const char *path)
{
	char dir[PATH_MAX], pre[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t plen;
	DIR *d;
	struct dirent *de;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	plen = (size_t)snprintf(pre, sizeof(pre), "%s.tmp", slash + 1);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL)
		if (strlen(de->d_name) == plen + 6 && strncmp(de->d_name, pre, plen) == 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* Load the spec, take the lock, read and parse the config, split it into
 * lines. */
static int tx_begin(const char *jail, struct tx *t, struct peer_outcome *out, struct wj_err *e)
{
	memset(t, 0, sizeof(*t));
	t->lockfd = -1;
	memset(out, 0, sizeof(*out));
	if (jailspec_load(jail, &t->spec, e) < 0)
		return -1;
	snprintf(out->ifname, sizeof(out->ifname), "%s", t->spec.ifname);
	if (conf_path(jail, &t->spec, out->path, sizeof(out->path), e) < 0 ||
	    jail_path(t->lock, sizeof(t->lock), jail, ".lock") < 0)
		return wj_errf(e, "jail %s: path too long", jail);
	if (wj_lock(t->lock, &t->lockfd, e) < 0)
		return -1;
	remove_stale_temps(out->path);
	if (wj_read_file(out->path, CONF_MAX, true, &t->text, &t->len, e) < 0 ||
	    wg_config_parse(t->text, t->len, out->path, &t->dev, e) < 0) {
		tx_end(t);
		return -1;
	}
	if (conf_doc_load(&t->doc, t->text, t->len, e) < 0) {
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

static int tx_write(struct tx *t, const char *path, struct wj_err *e)
{
	return wj_write_atomic(path, t->new_text, t->new_len, 0600, e);
}

/* After the file is written: apply CHANGES if the jail is up. */
static int tx_apply(const char *jail, struct tx *t, struct wg_device *changes, struct peer_outcome *out,
		    struct wj_err *e)
{
	const char *nsp = peer_jail_netns(jail);

	if (!nsp)
		return 0;
	snprintf(changes->name, sizeof(changes->name), "%s", t->spec.ifname);
	if (peer_live_set(nsp, t->spec.ifname, changes, e) < 0)
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

int peer_add(const char *jail, const struct peer_add_req *req, struct peer_outcome *out, struct wj_err *e)
{
	struct tx t;
	char *lines[8] = {0};
	size_t n_lines = 0;
	char k[WG_KEY_B64_LEN + 1];
	struct wg_peer *np;
	struct wg_device *ch = NULL;
	int r = -1;

	fmt_key(k, req->public_key);
	if (tx_begin(jail, &t, out, e) < 0)
		return -1;
	if (wg_device_find_peer(t.dev, req->public_key)) {
		const struct wg_peer *p = wg_device_find_peer(t.dev, req->public_key);
		wj_errf(e, "%s:%u: peer %s is already there (use 'wgjail peer remove' first to change it)",
			out->path, p->line, k);
		goto done;
	}
	if ((t.dev->flags & WGDEV_HAS_PRIVATE_KEY) && key_equal(t.dev->public_key, req->public_key)) {
		wj_errf(e, "peer %s is jail %s's own public key", k, jail);
		goto done;
	}
	if (!req->force) {
		for (size_t i = 0; i < t.dev->n_peers; i++) {
			size_t oj;
			long ni = peer_aip_conflict(req->aips, req->n_aips, &t.dev->peers[i], &oj);
			char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8], ok[WG_KEY_B64_LEN + 1];

			if (ni < 0)
				continue;
			fmt_key(ok, t.dev->peers[i].public_key);
			wj_errf(e, "allowed IP %s is already routed to peer %s (%s:%u, AllowedIPs %s); "
				   "--force to take it anyway",
				wg_ipmask_fmt(&req->aips[ni], a, sizeof(a)), ok, out->path, t.dev->peers[i].line,
				wg_ipmask_fmt(&t.dev->peers[i].aips[oj], b, sizeof(b)));
			goto done;
		}
	}
	if (peer_lines(req, lines, &n_lines, e) < 0 ||
	    conf_append_lines(&t.doc, (const char *const *)lines, n_lines, e) < 0 || tx_render(&t, out->path, e) < 0)
		goto done;
	/* The edited file must say exactly this, and nothing else changed in
	 * number. */
	np = wg_device_find_peer(t.after, req->public_key);
	if (!np || t.after->n_peers != t.dev->n_peers + 1 ||
	    !!(np->flags & WGPEER_HAS_PSK) != req->has_psk ||
	    (req->has_psk && !key_equal(np->psk, req->psk)) ||
	    (req->keepalive >= 0 && np->keepalive != req->keepalive) ||
	    !!np->endpoint != !!req->endpoint || (req->endpoint && strcmp(np->endpoint, req->endpoint) != 0) ||
	    !aips_equal(np, req->aips, req->n_aips)) {
		wj_errf(e, "%s: the edited config does not read back as the peer to add (nothing written)", out->path);
		goto done;
	}
	ch = wg_device_new();
	if (!ch) {
		wj_errnof(e, ENOMEM, "peer add");
		goto done;
	}
	if (copy_peer(ch, np, WGPEER_REPLACE_AIPS | WGPEER_NEW | WGPEER_CHANGED_AIPS, e) < 0)
		goto done;
	if (tx_write(&t, out->path, e) < 0)
		goto done;
	r = tx_apply(jail, &t, ch, out, e);
done:
	free_lines(lines, n_lines);
	wg_device_free(ch);
	tx_end(&t);
	return r;
}

int peer_remove(const char *jail, const uint8_t key[WG_KEY_LEN], struct peer_outcome *out, struct wj_err *e)
{
	struct tx t;
	struct conf_block b;
	char k[WG_KEY_B64_LEN + 1];
	struct wg_device *ch = NULL;
	struct wg_peer *c;
	int r = -1;

	fmt_key(k, key);
	if (tx_begin(jail, &t, out, e) < 0)
		return -1;
	if (!wg_device_find_peer(t.dev, key)) {
		wj_errf(e, "%s: no peer %s", out->path, k);
		goto done;
	}
	/* A key listed in two [Peer] sections: remove them all. */
	while (conf_find_peer(&t.doc, key, &b) == 1)
		if (conf_remove_block(&t.doc, &b, e) < 0)
			goto done;
	if (tx_render(&t, out->path, e) < 0)
		goto done;
	if (wg_device_find_peer(t.after, key) || t.after->n_peers + 1 != t.dev->n_peers) {
		wj_errf(e, "%s: the edited config does not read back as the peer removed (nothing written)", out->path);
		goto done;
	}
	ch = wg_device_new();
	if (!ch || !(c = wg_device_add_peer(ch, key))) {
		wj_errnof(e, ENOMEM, "peer remove");
		goto done;
	}
	c->flags = WGPEER_REMOVE;
	if (tx_write(&t, out->path, e) < 0)
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
	if (tx_begin(jail, &t, out, e) < 0)
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
	if (tx_write(&t, out->path, e) < 0)
		goto done;
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
		    struct peer_outcome *out, struct wj_err *e)
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
	if (tx_begin(jail, &t, out, e) < 0)
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
	if (tx_write(&t, out->path, e) < 0)
		goto done;
	r = tx_apply(jail, &t, ch, out, e);
done:
	wg_device_free(ch);
	tx_end(&t);
out_free:
	sodium_free(b64);
	return r;
}

int peer_replace_key(const char *jail, const uint8_t old[WG_KEY_LEN], const uint8_t new_key[WG_KEY_LEN],
		     struct peer_outcome *out, struct wj_err *e)
{
	struct tx t;
	struct conf_block b;
	char k[WG_KEY_B64_LEN + 1], nk[WG_KEY_B64_LEN + 1];
	struct wg_device *ch = NULL;
	struct wg_peer *np, *c;
	int r = -1;

	fmt_key(k, old);
	fmt_key(nk, new_key);
	if (tx_begin(jail, &t, out, e) < 0)
		return -1;
	if (!wg_device_find_peer(t.dev, old)) {
		wj_errf(e, "%s: no peer %s", out->path, k);
		goto done;
	}
	if (wg_device_find_peer(t.dev, new_key)) {
		wj_errf(e, "%s: peer %s is already there", out->path, nk);
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
	if (tx_write(&t, out->path, e) < 0)
		goto done;
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
	const char *nsp;
	struct wg_device *cur = NULL;

	memset(out, 0, sizeof(*out));
	*dev = NULL;
	*live = false;
	if (jailspec_load(jail, &spec, e) < 0 || conf_path(jail, &spec, out->path, sizeof(out->path), e) < 0)
		return -1;
	snprintf(out->ifname, sizeof(out->ifname), "%s", spec.ifname);
	if (wg_config_load(out->path, dev, e) < 0)
		return -1;
	nsp = want_live ? peer_jail_netns(jail) : NULL;
	if (!nsp)
		return 0;
	if (peer_live_get(nsp, spec.ifname, &cur, e) < 0) {
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
