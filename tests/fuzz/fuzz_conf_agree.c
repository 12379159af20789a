/* libFuzzer: the fast paths that read wg0.conf without the full parser
 * never disagree with it on the same input.
 *
 *   - sync's fast path (wg/conf_sections.h cut, wg/conf_delta.h delta of a
 *     recorded file OLD to NEW, the changed sections parsed): whenever it
 *     applies, NEW is accepted exactly when the full parser accepts it, and
 *     then the recorded configuration with the delta applied is the full
 *     parse of NEW (every peer, field by field, and the interface);
 *   - the cut alone: its public keys are the parser's peers;
 *   - `peer add`'s scan (agent/peer_scan.c): on a file the parser accepts,
 *     "a [Peer] has this key" and "it is the interface's own key" are what
 *     the parse says, and an allowed IP routed to a parsed peer is always
 *     seen (the scan may refuse more: a section whose AllowedIPs wg(8)
 *     overrides with a later section of the same key still counts);
 *   - the first-boot key scan (agent/bootkey.c): on a file the parser
 *     accepts, "it has a private key" is what the parse says.
 *
 * Input: OLD, a NUL byte, NEW; without a NUL, NEW is the input and OLD is
 * the input with its middle third reversed.  Any disagreement aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/bootkey.h"
#include "agent/peer.h"
#include "util/err.h"
#include "keys/keys.h"
#include "wg/conf_delta.h"
#include "wg/conf_sections.h"
#include "wg/config.h"

#define FAIL(why)                                                                                                      \
	do {                                                                                                           \
		fprintf(stderr, "fuzz_conf_agree: %s\n", why);                                                          \
		abort();                                                                                               \
	} while (0)

static struct wg_device *parse(const char *t, size_t n)
{
	struct wg_device *d = NULL;
	struct wj_err e = {0};

	return wg_config_parse(t, n, "f", &d, &e) == 0 ? d : NULL;
}

static bool has_hostname(const struct wg_device *d)
{
	for (size_t i = 0; i < d->n_peers; i++)
		if (d->peers[i].endpoint && d->peers[i].endpoint_addr.sa.sa_family != AF_INET &&
		    d->peers[i].endpoint_addr.sa.sa_family != AF_INET6)
			return true;
	return false;
}

static bool peer_equal(const struct wg_peer *a, const struct wg_peer *b)
{
	if (memcmp(a->public_key, b->public_key, WG_KEY_LEN) || a->flags != b->flags ||
	    ((a->flags & WGPEER_HAS_PSK) && memcmp(a->psk, b->psk, WG_KEY_LEN)) || a->keepalive != b->keepalive ||
	    !a->endpoint != !b->endpoint || (a->endpoint && strcmp(a->endpoint, b->endpoint)) ||
	    (a->endpoint && !wg_sockaddr_equal(&a->endpoint_addr, &b->endpoint_addr)) || a->n_aips != b->n_aips)
		return false;
	for (size_t i = 0; i < a->n_aips; i++)
		if (wg_ipmask_cmp(&a->aips[i], &b->aips[i]))
			return false;
	return true;
}

static bool drop_all(const struct wg_peer *p, void *arg)
{
	(void)p;
	(void)arg;
	return true;
}

/* The interface as text (peers left out). */
static char *iface_text(const struct wg_device *d, size_t *len)
{
	struct wg_device *c = wg_device_clone(d);
	char *t;

	if (!c)
		abort();
	wg_device_remove_peers_if(c, drop_all, NULL);
	t = wg_config_format(c, 0, len);
	wg_device_free(c);
	if (!t)
		abort();
	return t;
}

/* The fast path of sync from the record OLD (parsed: DO) to NEW. */
static void sync_fast(const char *o, size_t ol, const struct wg_device *dold, const char *n, size_t nl,
		      const struct wg_device *dnew)
{
	struct conf_sections os, ns;
	struct conf_delta d;
	struct conf_view w;
	struct wg_device *before = NULL, *after = NULL;
	struct wj_err e = {0};
	bool kept;
	int r;

	if (!dold || has_hostname(dold) || wg_conf_sections(o, ol, true, &os) != WG_SECTIONS_OK)
		return; /* only such a file is ever recorded */
	if (os.hostname) {
		wg_conf_sections_free(&os);
		return;
	}
	r = wg_conf_delta_flat(o, ol, &os, n, nl, 0, &ns, &d);
	if (r < 0)
		abort();
	if (r != WG_SECTIONS_OK || d.cut.hostname)
		goto out;
	if (conf_view_flat(&w, o, ol, os.v, os.n) < 0)
		abort();
	/* (the flat delta's indices are the whole new cut's: back to the edit's) */
	for (size_t i = 0; i < d.n_new; i++)
		d.new_idx[i] -= d.oa;
	r = wg_conf_delta_parse(&w, &d, "f", &before, &after, &e);
	kept = wg_conf_delta_keeps_interface(&w, &d);
	conf_view_free(&w);
	if ((r == 0) != (dnew != NULL))
		FAIL(r == 0 ? "the fast path accepts a file the parser refuses"
			    : "the fast path refuses a file the parser accepts");
	if (r < 0 || has_hostname(after) || has_hostname(before))
		goto out;
	/* the record, less what BEFORE lists, plus AFTER, is NEW */
	for (size_t i = 0; i < dnew->n_peers; i++) {
		const struct wg_peer *p = &dnew->peers[i], *q = wg_device_find_peer(after, p->public_key);
		if (!q && wg_device_find_peer(before, p->public_key))
			FAIL("a peer changed in the file is missing from the delta");
		if (!q && !(q = wg_device_find_peer(dold, p->public_key)))
			FAIL("a peer of the file is neither recorded nor in the delta");
		if (!peer_equal(p, q))
			FAIL("a peer reads differently on the fast path");
	}
	for (size_t i = 0; i < dold->n_peers; i++)
		if (!wg_device_find_peer(dnew, dold->peers[i].public_key) &&
		    !wg_device_find_peer(before, dold->peers[i].public_key))
			FAIL("a peer gone from the file is not in the delta");
	for (size_t i = 0; i < after->n_peers; i++)
		if (!wg_device_find_peer(dnew, after->peers[i].public_key))
			FAIL("the delta adds a peer the file does not have");
	{
		/* an interface the edit kept is BEFORE's, and AFTER has none
		 * (the planner then leaves the device's alone) */
		size_t la, lb;
		char *ta = iface_text(kept ? before : after, &la), *tb = iface_text(dnew, &lb);
		if (la != lb || memcmp(ta, tb, la))
			FAIL("the interface reads differently on the fast path");
		if (kept && (after->private_key || after->flags & (WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK)))
			FAIL("an interface the edit kept is in the delta");
		wg_config_free_text(ta, la);
		wg_config_free_text(tb, lb);
	}
out:
	wg_device_free(before);
	wg_device_free(after);
	wg_conf_sections_free(&ns);
	wg_conf_delta_free(&d);
	wg_conf_sections_free(&os);
}

/* The cut's keys are the parse's peers. */
static void cut_keys(const char *t, size_t n, const struct wg_device *dev)
{
	struct conf_sections s;
	size_t found = 0;

	if (!dev || wg_conf_sections(t, n, true, &s) != WG_SECTIONS_OK)
		return;
	for (size_t i = 0; i < s.n; i++) {
		uint8_t k[WG_KEY_LEN];
		if (s.v[i].kind != CONF_PEER)
			continue;
		if (!key_from_base64_n(k, t + s.v[i].key, WG_KEY_B64_LEN) || !wg_device_find_peer(dev, k))
			FAIL("a key of the cut is not a peer of the parse");
		found++;
	}
	if (found != dev->n_peers)
		FAIL("the parse has peers the cut does not");
	wg_conf_sections_free(&s);
}

/* `peer add` of KEY with allowed IP AIP. */
static void add_scan(const char *t, size_t n, const struct wg_device *dev, const uint8_t key[WG_KEY_LEN],
		     const struct wg_ipmask *aip)
{
	struct peer_add_req req;
	struct peer_scan r;
	bool conflict = false;

	if (!dev)
		return;
	memset(&req, 0, sizeof(req));
	memcpy(req.public_key, key, WG_KEY_LEN);
	req.aips = (struct wg_ipmask *)(uintptr_t)aip;
	req.n_aips = 1;
	peer_scan_for_add(t, n, &req, &r);
	if (r.dup != (wg_device_find_peer(dev, key) != NULL))
		FAIL("the add scan and the parser disagree on a peer's key");
	if (r.own != (dev->private_key && !memcmp(dev->public_key, key, WG_KEY_LEN)))
		FAIL("the add scan and the parser disagree on the interface's key");
	for (size_t i = 0; i < dev->n_peers && !conflict; i++) {
		size_t oj;
		conflict = peer_aip_conflict(aip, 1, &dev->peers[i], &oj) >= 0;
	}
	if (conflict && !r.conflict)
		FAIL("the add scan misses an allowed IP a parsed peer routes");
}

static void boot_scan(const char *t, size_t n, const struct wg_device *dev)
{
	enum bootkey_need need = bootkey_scan(t, n);

	if (dev && (need == BOOTKEY_PRESENT) != ((dev->flags & WGDEV_HAS_PRIVATE_KEY) != 0))
		FAIL("the boot key scan and the parser disagree on the private key");
	if (dev && need == BOOTKEY_GENERATE)
		FAIL("the boot key scan would generate a key for a file the parser accepts");
}

static void one_file(const char *t, size_t n, const struct wg_device *dev, uint8_t pick)
{
	static const uint8_t fixed[WG_KEY_LEN] = {0x11, 0x22};
	struct wg_ipmask aip = {.family = AF_INET, .cidr = 8};
	const uint8_t *key = fixed;

	aip.addr.ip4.s_addr = htonl(0x0a000000);
	if (dev && dev->n_peers && (pick & 1)) {
		const struct wg_peer *p = &dev->peers[(pick >> 1) % dev->n_peers];
		key = p->public_key;
		if (p->n_aips)
			aip = p->aips[0];
	} else if (dev && dev->private_key && (pick & 2)) {
		key = dev->public_key;
	}
	wg_ipmask_mask(&aip); /* as `peer add` takes it */
	cut_keys(t, n, dev);
	add_scan(t, n, dev, key, &aip);
	boot_scan(t, n, dev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *t = (const char *)data, *nul = memchr(data, '\0', size);
	const char *o = t, *n = t;
	size_t ol = size, nl = size;
	char *edit = NULL;
	struct wg_device *dold, *dnew;

	if (!ready) {
		if (keys_init() < 0)
			abort();
		ready = 1;
	}
	if (nul) {
		ol = (size_t)(nul - t);
		n = nul + 1;
		nl = size - ol - 1;
	} else {
		if (!(edit = malloc(size + 1)))
			return 0;
		memcpy(edit, t, size);
		for (size_t a = size / 3, b = 2 * size / 3; a + 1 < b; a++, b--) {
			char c = edit[a];
			edit[a] = edit[b - 1];
			edit[b - 1] = c;
		}
		o = edit;
	}
	dold = parse(o, ol);
	dnew = parse(n, nl);
	one_file(n, nl, dnew, size ? data[size - 1] : 0);
	one_file(o, ol, dold, size ? data[0] : 0);
	sync_fast(o, ol, dold, n, nl, dnew);
	sync_fast(n, nl, dnew, o, ol, dold);
	wg_device_free(dold);
	wg_device_free(dnew);
	free(edit);
	return 0;
}
