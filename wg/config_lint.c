/* Warnings about a parsed wg0.conf: things wg(8) accepts but that do not
 * mean what they seem to (see wg/config_private.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg/config_private.h"

struct owner {
	struct wg_ipmask ip; /* masked */
	size_t peer;
};

static int cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;
	int r = wg_ipmask_cmp(&x->ip, &y->ip);

	if (r)
		return r;
	return x->peer < y->peer ? -1 : x->peer > y->peer;
}

#define MAX_EACH 10 /* warnings of one kind before "and N more" */

size_t wg_config_warnings(const struct wg_device *dev, const char *path,
			  void (*warn)(void *arg, const char *msg), void *arg)
{
	char msg[512], a[64], b[64];
	size_t total = 0, host_bits = 0, shared = 0, n = 0;
	struct owner *all;

	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];
		for (size_t j = 0; j < p->n_aips; j++) {
			struct wg_ipmask m = p->aips[j];
			wg_ipmask_mask(&m);
			if (wg_ipmask_cmp(&m, &p->aips[j]) == 0)
				continue;
			if (host_bits++ < MAX_EACH) {
				snprintf(msg, sizeof(msg), "%s:%u: in this [Peer], AllowedIPs %s has host bits set; the peer gets %s", path,
					 p->line, wg_ipmask_fmt(&p->aips[j], a, sizeof(a)),
					 wg_ipmask_fmt(&m, b, sizeof(b)));
				warn(arg, msg);
			}
			n++;
		}
		n += p->n_aips;
	}
	if (host_bits > MAX_EACH) {
		snprintf(msg, sizeof(msg), "%s: %zu more AllowedIPs with host bits set", path, host_bits - MAX_EACH);
		warn(arg, msg);
	}
	total += host_bits;

	/* An allowed IP belongs to one peer: listed under several, the last
	 * one given to the device takes it from the others. */
	all = n ? malloc(n * sizeof(*all)) : NULL;
	if (!all)
		return total;
	n = 0;
	for (size_t i = 0; i < dev->n_peers; i++)
		for (size_t j = 0; j < dev->peers[i].n_aips; j++) {
			all[n].ip = dev->peers[i].aips[j];
			wg_ipmask_mask(&all[n].ip);
			all[n++].peer = i;
		}
	qsort(all, n, sizeof(*all), cmp_owner);
	for (size_t k = 1; k < n; k++) {
		if (wg_ipmask_cmp(&all[k - 1].ip, &all[k].ip) || all[k - 1].peer == all[k].peer)
			continue;
		if (shared++ < MAX_EACH) {
			snprintf(msg, sizeof(msg),
				 "%s:%u: in this [Peer], AllowedIPs %s is also listed for the [Peer] at line %u; only one peer can have "
				 "it (the device gives it to the last one applied)",
				 path, dev->peers[all[k].peer].line, wg_ipmask_fmt(&all[k].ip, a, sizeof(a)),
				 dev->peers[all[k - 1].peer].line);
			warn(arg, msg);
		}
	}
	if (shared > MAX_EACH) {
		snprintf(msg, sizeof(msg), "%s: %zu more AllowedIPs listed for more than one peer", path,
			 shared - MAX_EACH);
		warn(arg, msg);
	}
	free(all);
	return total + shared;
}
