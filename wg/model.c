#include "wg/model.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/strutil.h"

/* ---- device ---------------------------------------------------------- */

struct wg_device *wg_device_new(void)
{
	struct wg_device *dev = calloc(1, sizeof(*dev));

	if (dev)
		dev->quick.save_config = -1;
	return dev;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void wg_peer_clear(struct wg_peer *peer)
{
	free(peer->endpoint);
	free(peer->aips);
	sodium_memzero(peer, sizeof(*peer));
}

void wg_device_free(struct wg_device *dev)
{
	if (!dev)
		return;
	wg_device_clear_private_key(dev);
	for (size_t i = 0; i < dev->n_peers; i++)
		wg_peer_clear(&dev->peers[i]);
	free(dev->peers);
	free(dev->index);
	free(dev->quick.address);
	free_strv(dev->quick.dns, dev->quick.n_dns);
	free(dev->quick.table);
	free_strv(dev->quick.pre_up, dev->quick.n_pre_up);
	free_strv(dev->quick.post_up, dev->quick.n_post_up);
	free_strv(dev->quick.pre_down, dev->quick.n_pre_down);
	free_strv(dev->quick.post_down, dev->quick.n_post_down);
	sodium_memzero(dev, sizeof(*dev));
	free(dev);
}

int wg_device_set_private_key(struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
	if (!dev->private_key) {
		dev->private_key = sodium_malloc(WG_KEY_LEN);
		if (!dev->private_key)
			return -1;
	}
	memcpy(dev->private_key, key, WG_KEY_LEN);
	dev->flags |= WGDEV_HAS_PRIVATE_KEY;
	if (!key_is_zero(key) && key_public_from_private(dev->public_key, key) == 0)
		dev->flags |= WGDEV_HAS_PUBLIC_KEY;
	else {
		memset(dev->public_key, 0, WG_KEY_LEN);
		dev->flags &= ~(uint32_t)WGDEV_HAS_PUBLIC_KEY;
	}
	return 0;
}

void wg_device_clear_private_key(struct wg_device *dev)
{
	if (dev->private_key)
		sodium_free(dev->private_key); /* wipes */
	dev->private_key = NULL;
	dev->flags &= ~(uint32_t)(WGDEV_HAS_PRIVATE_KEY | WGDEV_HAS_PUBLIC_KEY);
}

/* ---- peer index ------------------------------------------------------ */

static unsigned char hash_key[crypto_shorthash_KEYBYTES];
static int hash_key_ready;

static size_t key_hash(const uint8_t k[WG_KEY_LEN])
{
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h;

	/* SipHash with a per-process random key: public keys come from files
	 * and the network, so the index must not be steerable. */
	if (!hash_key_ready) {
		randombytes_buf(hash_key, sizeof(hash_key));
		hash_key_ready = 1;
	}
	crypto_shorthash(out, k, WG_KEY_LEN, hash_key);
	memcpy(&h, out, sizeof(h));
	return (size_t)h;
}

static int index_rebuild(struct wg_device *dev, size_t cap)
{
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -1;
	for (size_t i = 0; i < dev->n_peers; i++) {
		size_t h = key_hash(dev->peers[i].public_key) & (cap - 1);
		while (idx[h])
			h = (h + 1) & (cap - 1);
		idx[h] = (uint32_t)(i + 1);
	}
	free(dev->index);
	dev->index = idx;
	dev->index_cap = cap;
	return 0;
}

struct wg_peer *wg_device_find_peer(const struct wg_device *dev, const uint8_t public_key[WG_KEY_LEN])
{
	size_t h;

	if (!dev->index_cap)
		return NULL;
	h = key_hash(public_key) & (dev->index_cap - 1);
	while (dev->index[h]) {
		struct wg_peer *p = &dev->peers[dev->index[h] - 1];
		if (memcmp(p->public_key, public_key, WG_KEY_LEN) == 0)
			return p;
		h = (h + 1) & (dev->index_cap - 1);
	}
	return NULL;
}

struct wg_peer *wg_device_add_peer(struct wg_device *dev, const uint8_t public_key[WG_KEY_LEN])
{
	struct wg_peer *p;

	if (dev->n_peers >= UINT32_MAX - 1) {
		errno = E2BIG;
		return NULL;
	}
	struct wg_peer *np = wj_grow(dev->peers, &dev->cap_peers, dev->n_peers, sizeof(*np), 16);
	if (!np)
		return NULL;
	dev->peers = np;
	/* Keep the load factor of the index under one half. */
	if ((dev->n_peers + 1) * 2 > dev->index_cap) {
		size_t cap = dev->index_cap ? dev->index_cap * 2 : 64;
		while ((dev->n_peers + 1) * 2 > cap)
			cap *= 2;
		if (index_rebuild(dev, cap) < 0)
			return NULL;
	}
	p = &dev->peers[dev->n_peers];
	memset(p, 0, sizeof(*p));
	memcpy(p->public_key, public_key, WG_KEY_LEN);
	{
		size_t h = key_hash(public_key) & (dev->index_cap - 1);
		while (dev->index[h])
			h = (h + 1) & (dev->index_cap - 1);
		dev->index[h] = (uint32_t)(dev->n_peers + 1);
	}
	dev->n_peers++;
	return p;
}

int wg_device_reserve(struct wg_device *dev, size_t n)
{
	size_t cap = dev->index_cap ? dev->index_cap : 64;

	if (n >= UINT32_MAX - 1 || n > SIZE_MAX / 4 / sizeof(*dev->peers)) {
		errno = E2BIG;
		return -1;
	}
	if (n > dev->cap_peers) {
		struct wg_peer *np = realloc(dev->peers, n * sizeof(*np));
		if (!np)
			return -1;
		dev->peers = np;
		dev->cap_peers = n;
	}
	while (n * 2 > cap) /* as wg_device_add_peer's load factor */
		cap *= 2;
	return cap != dev->index_cap ? index_rebuild(dev, cap) : 0;
}

void wg_device_remove_peers_if(struct wg_device *dev, bool (*pred)(const struct wg_peer *, void *), void *arg)
{
	size_t w = 0;

	for (size_t r = 0; r < dev->n_peers; r++) {
		if (pred(&dev->peers[r], arg)) {
			wg_peer_clear(&dev->peers[r]);
			continue;
		}
		if (w != r)
			dev->peers[w] = dev->peers[r];
		w++;
	}
	if (w != dev->n_peers) {
		dev->n_peers = w;
		index_rebuild(dev, dev->index_cap ? dev->index_cap : 64);
	}
}

static bool is_key(const struct wg_peer *p, void *arg)
{
	return memcmp(p->public_key, arg, WG_KEY_LEN) == 0;
}

bool wg_device_remove_peer(struct wg_device *dev, const uint8_t public_key[WG_KEY_LEN])
{
	size_t before = dev->n_peers;
	uint8_t k[WG_KEY_LEN];

	memcpy(k, public_key, WG_KEY_LEN); /* public_key may point into the array */
	wg_device_remove_peers_if(dev, is_key, k);
	return dev->n_peers != before;
}

int wg_peer_add_aip(struct wg_peer *peer, const struct wg_ipmask *ip)
{
	struct wg_ipmask *n = wj_grow(peer->aips, &peer->cap_aips, peer->n_aips, sizeof(*n), 2);
	if (!n)
		return -1;
	peer->aips = n;
	peer->aips[peer->n_aips++] = *ip;
	return 0;
}

int wg_peer_set_endpoint_text(struct wg_peer *peer, const char *text)
{
	char *dup = NULL;

	if (text && !(dup = strdup(text)))
		return -1;
	free(peer->endpoint);
	peer->endpoint = dup;
	return 0;
}

/* ---- allowed IPs ---------------------------------------------------- */

static int cmp_ipmask_void(const void *a, const void *b)
{
	return wg_ipmask_cmp(a, b);
}

void wg_peer_canonical_aips(struct wg_peer *peer)
{
	size_t w = 0;

	for (size_t i = 0; i < peer->n_aips; i++)
		wg_ipmask_mask(&peer->aips[i]);
	if (peer->n_aips > 1)
		qsort(peer->aips, peer->n_aips, sizeof(*peer->aips), cmp_ipmask_void);
	for (size_t r = 0; r < peer->n_aips; r++) {
		if (w && wg_ipmask_cmp(&peer->aips[w - 1], &peer->aips[r]) == 0)
			continue;
		peer->aips[w++] = peer->aips[r];
	}
	peer->n_aips = w;
}

/* ---- endpoints ------------------------------------------------------- */

bool wg_sockaddr_equal(const union wg_sockaddr *a, const union wg_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	switch (a->sa.sa_family) {
	case AF_INET:
		return a->in.sin_port == b->in.sin_port && a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	case AF_INET6:
		return a->in6.sin6_port == b->in6.sin6_port &&
		       memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16) == 0 &&
		       a->in6.sin6_scope_id == b->in6.sin6_scope_id;
	default:
		return true; /* both unset */
	}
}

char *wg_sockaddr_fmt(const union wg_sockaddr *a, char *out, size_t outsz)
{
	char buf[INET6_ADDRSTRLEN];

	if (a->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->in.sin_addr, buf, sizeof(buf));
		snprintf(out, outsz, "%s:%u", buf, ntohs(a->in.sin_port));
	} else if (a->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->in6.sin6_addr, buf, sizeof(buf));
		snprintf(out, outsz, "[%s]:%u", buf, ntohs(a->in6.sin6_port));
	} else if (outsz) {
		out[0] = '\0';
	}
	return out;
}

/* ---- clone ----------------------------------------------------------- */

static char **dup_strv(char **v, size_t n, bool *ok)
{
	char **r;

	if (!n)
		return NULL;
	r = calloc(n, sizeof(*r));
	if (!r) {
		*ok = false;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i] && !(r[i] = strdup(v[i])))
			*ok = false;
	return r;
}

struct wg_device *wg_device_clone(const struct wg_device *src)
{
	struct wg_device *d = wg_device_new();
	bool ok = true;

	if (!d)
		return NULL;
	memcpy(d->name, src->name, sizeof(d->name));
	d->listen_port = src->listen_port;
	d->fwmark = src->fwmark;
	memcpy(d->public_key, src->public_key, WG_KEY_LEN);
	if (src->private_key && wg_device_set_private_key(d, src->private_key) < 0)
		ok = false;
	d->flags = src->flags;
	for (size_t i = 0; ok && i < src->n_peers; i++) {
		const struct wg_peer *sp = &src->peers[i];
		struct wg_peer *p = wg_device_add_peer(d, sp->public_key);
		if (!p) {
			ok = false;
			break;
		}
		*p = *sp;
		p->endpoint = NULL;
		p->aips = NULL;
		p->n_aips = p->cap_aips = 0;
		if (sp->endpoint && !(p->endpoint = strdup(sp->endpoint)))
			ok = false;
		if (sp->n_aips) {
			p->aips = malloc(sp->n_aips * sizeof(*p->aips));
			if (!p->aips)
				ok = false;
			else {
				memcpy(p->aips, sp->aips, sp->n_aips * sizeof(*p->aips));
				p->n_aips = p->cap_aips = sp->n_aips;
			}
		}
	}
	d->quick.mtu = src->quick.mtu;
	d->quick.save_config = src->quick.save_config;
	if (src->quick.n_address) {
		d->quick.address = malloc(src->quick.n_address * sizeof(*d->quick.address));
		if (d->quick.address) {
			memcpy(d->quick.address, src->quick.address, src->quick.n_address * sizeof(*d->quick.address));
			d->quick.n_address = src->quick.n_address;
		} else
			ok = false;
	}
	if (src->quick.table && !(d->quick.table = strdup(src->quick.table)))
		ok = false;
#define DUPV(f)                                                            \
	do {                                                               \
		d->quick.f = dup_strv(src->quick.f, src->quick.n_##f, &ok); \
		d->quick.n_##f = d->quick.f ? src->quick.n_##f : 0;        \
	} while (0)
	DUPV(dns);
	DUPV(pre_up);
	DUPV(post_up);
	DUPV(pre_down);
	DUPV(post_down);
#undef DUPV
	if (!ok) {
		wg_device_free(d);
		return NULL;
	}
	return d;
}
