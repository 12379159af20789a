/* `peer add`'s tunnel addresses (see agent/peer_alloc.h). */
#include "agent/peer_alloc.h"

#include <stdio.h>
#include <string.h>

#include "agent/aipidx.h"
#include "agent/alloc.h"
#include "agent/jailwg.h"
#include "agent/peer.h"
#include "util/err.h"
#include "util/paths.h"
#include "wg/config.h"

struct used_ctx {
	const char *dir;
	const char *text;
	size_t len;
};

/* Routed already: by a drop-in (the index), or by a peer of the main file
 * (the pre-check scan of peer add, which also counts an address inside
 * another peer's prefix). */
static int used(void *arg, const struct wg_ipmask *host, struct wj_err *e)
{
	struct used_ctx *u = arg;
	struct aipidx_hit hit;
	struct peer_add_req req;
	struct peer_scan sc;
	int r = aipidx_find(u->dir, host, 1, &hit, e);

	if (r != 0)
		return r;
	memset(&req, 0, sizeof(req));
	req.aips = (struct wg_ipmask *)host;
	req.n_aips = 1;
	peer_scan_for_add(u->text, u->len, &req, &sc);
	return sc.conflict;
}

int peer_alloc_run(const char *jail, const struct jail_spec *spec, const char *main_path, const char *text,
		   size_t len, const struct wg_device *main, const char *dir, struct peer_alloc *a, struct wj_err *e)
{
	struct used_ctx u = {dir, text, len};
	struct wg_device *parsed = NULL, *all = NULL;
	const struct wg_ipmask *nets = spec->address;
	size_t n = spec->n_address;
	int r = -1;

	memset(a, 0, sizeof(*a));
	if (jail_alloc_path(a->state, sizeof(a->state), jail, spec->ifname) < 0)
		return wj_errf(e, "jail %s: path too long", jail);
	if (!n) { /* no address in the spec: the main file's Address lines */
		if (!main && wg_config_parse(text, len, main_path, &parsed, e) < 0)
			return -1;
		main = main ? main : parsed;
		nets = main->quick.address;
		n = main->quick.n_address;
	}
	if (!n) {
		wj_errf(e, "jail %s has no tunnel network to take an address from (no address in its spec, no Address "
			   "in %s): give --allowed-ips",
			jail, main_path);
		goto out;
	}
	for (size_t i = 0; i < n && a->n < JAIL_MAX_ADDRS; i++) {
		struct wg_ipmask mark;
		bool have;

		a->net[a->n] = nets[i];
		if (alloc_mark_load(a->state, &nets[i], &mark, &have, e) < 0)
			goto out;
		if (!have) { /* rebuilt from the files: O(N), once */
			if (!all && jailwg_load_paths(main_path, dir, &all, e) < 0)
				goto out;
			alloc_mark_of(all, &nets[i], &mark);
		}
		if (alloc_next(&nets[i], &mark, nets, n, used, &u, &a->got[a->n], e) < 0) {
			wj_err_prefix(e, "jail %s", jail);
			goto out;
		}
		a->n++;
	}
	r = 0;
out:
	wg_device_free(parsed);
	wg_device_free(all);
	return r;
}

void peer_alloc_commit(const struct peer_alloc *a)
{
	for (size_t i = 0; i < a->n; i++)
		alloc_mark_store(a->state, &a->net[i], &a->got[i]);
}
