/* Tunnel addresses handed out to new peers (see agent/alloc.h). */
#include "agent/alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/fsutil.h"

/* After the mark wrapped, at most this many candidates are looked at (a
 * huge IPv6 network is never full in practice; a bounded search is). */
#define WRAP_SCAN_MAX (1u << 20)

static unsigned alen(const struct wg_ipmask *m)
{
	return m->family == AF_INET ? 4 : 16;
}

static uint8_t *bytes(struct wg_ipmask *m)
{
	return (uint8_t *)&m->addr;
}

static const uint8_t *cbytes(const struct wg_ipmask *m)
{
	return (const uint8_t *)&m->addr;
}

static int addr_cmp(const struct wg_ipmask *a, const struct wg_ipmask *b)
{
	return memcmp(cbytes(a), cbytes(b), alen(a));
}

/* A + 1; false on overflow. */
static bool incr(struct wg_ipmask *a)
{
	uint8_t *b = bytes(a);

	for (unsigned i = alen(a); i-- > 0;)
		if (++b[i] != 0)
			return true;
	return false;
}

static bool decr(struct wg_ipmask *a)
{
	uint8_t *b = bytes(a);

	for (unsigned i = alen(a); i-- > 0;)
		if (b[i]-- != 0)
			return true;
	return false;
}

/* NET's network address and last address (all host bits set). */
static void bounds(const struct wg_ipmask *net, struct wg_ipmask *lo, struct wg_ipmask *hi)
{
	*lo = *net;
	wg_ipmask_mask(lo);
	*hi = *lo;
	for (unsigned bit = net->cidr; bit < alen(net) * 8; bit++)
		bytes(hi)[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
}

static void host(struct wg_ipmask *m)
{
	m->cidr = (uint8_t)(alen(m) * 8);
}

static bool inside(const struct wg_ipmask *a, const struct wg_ipmask *net)
{
	struct wg_ipmask x = *a;

	if (a->family != net->family)
		return false;
	x.cidr = net->cidr;
	wg_ipmask_mask(&x);
	struct wg_ipmask n = *net;
	wg_ipmask_mask(&n);
	return memcmp(cbytes(&x), cbytes(&n), alen(&x)) == 0;
}

int alloc_range(const struct wg_ipmask *net, struct wg_ipmask *first, struct wg_ipmask *last, struct wj_err *e)
{
	unsigned bits = alen(net) * 8;
	char a[INET6_ADDRSTRLEN + 8];
	struct wg_ipmask n = *net;

	wg_ipmask_mask(&n);
	if ((unsigned)net->cidr + 2 > bits)
		return wj_errf(e, "tunnel network %s is too small to hand out addresses (at most /%u)",
			       wg_ipmask_fmt(&n, a, sizeof(a)), bits - 2);
	bounds(net, first, last);
	incr(first); /* the network address (IPv6: the subnet-router anycast) */
	if (net->family == AF_INET)
		decr(last); /* the broadcast address */
	host(first);
	host(last);
	return 0;
}

/* The state line's network key: "10.8.0.0/24". */
static void net_key(const struct wg_ipmask *net, char *buf, size_t sz)
{
	struct wg_ipmask n = *net;

	wg_ipmask_mask(&n);
	wg_ipmask_fmt(&n, buf, sz);
}

int alloc_mark_load(const char *state_path, const struct wg_ipmask *net, struct wg_ipmask *mark, bool *have,
		    struct wj_err *e)
{
	char key[INET6_ADDRSTRLEN + 8], *text = NULL, *save = NULL;
	size_t len;

	*have = false;
	if (!wj_exists(state_path))
		return 0;
	if (wj_read_file(state_path, 1 << 16, false, &text, &len, e) < 0)
		return -1;
	net_key(net, key, sizeof(key));
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		struct wg_ipmask m;
		if (!sp)
			continue;
		*sp = '\0';
		/* A damaged line is no mark: the caller rebuilds it. */
		if (strcmp(line, key) != 0 || wg_ipmask_parse(sp + 1, &m) < 0 || m.family != net->family ||
		    !inside(&m, net))
			continue;
		host(&m);
		*mark = m;
		*have = true;
	}
	free(text);
	return 0;
}

void alloc_mark_store(const char *state_path, const struct wg_ipmask *net, const struct wg_ipmask *mark)
{
	char key[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN + 8], *text = NULL, *save = NULL, *out;
	size_t len = 0, used = 0;
	struct wj_err ignored;

	net_key(net, key, sizeof(key));
	if (wj_exists(state_path) && wj_read_file(state_path, 1 << 16, false, &text, &len, &ignored) < 0)
		text = NULL, len = 0;
	if (!(out = malloc(len + 2 * sizeof(a) + 4))) {
		free(text);
		return;
	}
	out[0] = '\0';
	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		size_t kl = strlen(key);
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			continue;
		used += (size_t)sprintf(out + used, "%s\n", line);
	}
	struct wg_ipmask m = *mark;
	m.cidr = (uint8_t)(alen(&m) * 8);
	inet_ntop(m.family, &m.addr, a, sizeof(a));
	sprintf(out + used, "%s %s\n", key, a);
	wj_cache_write(state_path, out);
	free(text);
	free(out);
}

void alloc_mark_of(const struct wg_device *dev, const struct wg_ipmask *net, struct wg_ipmask *mark)
{
	struct wg_ipmask hi;

	bounds(net, mark, &hi);
	host(mark);
	for (size_t i = 0; dev && i < dev->n_peers; i++)
		for (size_t j = 0; j < dev->peers[i].n_aips; j++) {
			const struct wg_ipmask *a = &dev->peers[i].aips[j];
			if (a->family == net->family && a->cidr == alen(a) * 8 && inside(a, net) &&
			    addr_cmp(a, mark) > 0)
				*mark = *a;
		}
}

static bool avoided(const struct wg_ipmask *c, const struct wg_ipmask *avoid, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (avoid[i].family == c->family && addr_cmp(&avoid[i], c) == 0)
			return true;
	return false;
}

/* The first free address of [FROM, TO], at most MAX looked at: 1 and
 * *OUT, 0 if none, -1 on error. */
static int scan(struct wg_ipmask from, const struct wg_ipmask *to, uint64_t max, const struct wg_ipmask *avoid,
		size_t n_avoid, alloc_used_fn used, void *arg, struct wg_ipmask *out, struct wj_err *e)
{
	for (uint64_t k = 0; k < max && addr_cmp(&from, to) <= 0; k++) {
		if (!avoided(&from, avoid, n_avoid)) {
			int u = used(arg, &from, e);
			if (u < 0)
				return -1;
			if (!u) {
				*out = from;
				return 1;
			}
		}
		if (!incr(&from))
			break;
	}
	return 0;
}

int alloc_next(const struct wg_ipmask *net, const struct wg_ipmask *mark, const struct wg_ipmask *avoid,
	       size_t n_avoid, alloc_used_fn used, void *arg, struct wg_ipmask *out, struct wj_err *e)
{
	struct wg_ipmask first, last, from = *mark;
	char a[INET6_ADDRSTRLEN + 8];
	int r;

	if (alloc_range(net, &first, &last, e) < 0)
		return -1;
	host(&from);
	/* Above the mark: addresses never handed out. */
	if (addr_cmp(&from, &first) < 0 || !incr(&from))
		from = first;
	if (addr_cmp(&from, &first) < 0)
		from = first;
	if ((r = scan(from, &last, UINT64_MAX, avoid, n_avoid, used, arg, out, e)) != 0)
		return r < 0 ? -1 : 0;
	/* None left: the freed ones, lowest first. */
	if ((r = scan(first, &last, WRAP_SCAN_MAX, avoid, n_avoid, used, arg, out, e)) != 0)
		return r < 0 ? -1 : 0;
	net_key(net, a, sizeof(a));
	return wj_errf(e, "tunnel network %s is full: every address a peer can be given is routed to a peer", a);
}
