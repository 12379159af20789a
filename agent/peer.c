/* What the peer operations share (see agent/peer.h): the allowed-IP
 * conflict rule, change-set entries, and the reader of `peer list` and
 * `export`. */
#include "agent/peer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/jailcall.h"
#include "agent/jailwg.h"
#include "util/err.h"

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

int peer_copy_change(struct wg_device *ch, const struct wg_peer *p, uint32_t extra, struct wj_err *e)
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

int peer_remove_change(struct wg_device *ch, const uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	struct wg_peer *c = wg_device_add_peer(ch, key);

	if (!c)
		return wj_errnof(e, ENOMEM, "change set");
	c->flags = WGPEER_REMOVE;
	return 0;
}

int peer_edit_sections(struct jailtx *t, const uint8_t key[WG_KEY_LEN], peer_section_fn fn, void *arg,
		       struct wj_err *e)
{
	struct conf_block b;
	char k[WG_KEY_B64_LEN + 1];
	int found = 0;

	key_to_base64(k, key);
	if (jailtx_index(t, e) < 0 || jailtx_read(t, key, JAILTX_PARSE, e) < 0)
		return -1;
	if (!wg_device_find_peer(t->dev, key))
		return wj_errf(e, "%s: no peer %s", t->path, k);
	for (size_t from = 0; conf_find_peer_from(&t->doc, key, from, &b) == 1; from = b.end) {
		if (fn(&t->doc, &b, arg, e) < 0)
			return -1;
		found++;
	}
	if (!found)
		return wj_errf(e, "%s: cannot find the [Peer] section of %s to edit", t->path, k);
	return jailtx_render(t, e);
}

/* The jail's device is asked for first and read last: the process in
 * the jail and its WireGuard daemon answer while the files are read. */
int peer_load(const char *jail, bool want_live, struct wg_device **dev, bool *live, struct jailtx_report *out,
	      struct wj_err *e)
{
	struct jailtx t;
	struct peer_target tgt;
	struct jail_call call;
	struct wg_device *cur = NULL;
	struct wj_err le;
	int up = 0, r, lr = -1;

	memset(out, 0, sizeof(*out));
	*dev = NULL;
	*live = false;
	/* Read under the lock: never a change half made (agent/jaillock.h). */
	if (jailtx_open(&t, jail, 0, e) < 0)
		return -1;
	if (want_live && (up = peer_jail_target(&t.spec, &tgt, e)) < 0) {
		jailtx_close(&t);
		return -1;
	}
	wj_err_clear(&le);
	if (up)
		lr = peer_live_get_start(&tgt, &call, &le);
	r = jailwg_load(jail, t.spec.ifname, dev, e);
	snprintf(out->path, sizeof(out->path), "%s", t.main_path);
	snprintf(out->ifname, sizeof(out->ifname), "%s", t.spec.ifname);
	jailtx_close(&t);
	if (up && lr == 0)
		lr = peer_live_get_finish(&tgt, &call, &cur, &le);
	if (r < 0) {
		wg_device_free(cur);
		return -1;
	}
	if (!up)
		return 0;
	if (lr < 0) {
		wg_device_free(*dev);
		*dev = NULL;
		*e = le;
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
