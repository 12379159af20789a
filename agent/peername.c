/* Peers by name (see agent/peername.h). */
#include "agent/peername.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/aipidx.h"
#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/jailwg.h"
#include "util/err.h"
#include "util/strutil.h"
#include "wg/peer_meta.h"

static const struct wg_device *sort_dev;

static int by_name(const void *a, const void *b)
{
	const struct wg_peer *pa = &sort_dev->peers[*(const size_t *)a], *pb = &sort_dev->peers[*(const size_t *)b];
	int c = strcmp(pa->name, pb->name);

	return c ? c : (*(const size_t *)a < *(const size_t *)b ? -1 : 1);
}

static void where(char *buf, size_t sz, const struct wg_device *dev, size_t i, size_t n_main, const char *main_path,
		  const char *dir)
{
	char f[JAILWG_DROPIN_NAME_LEN + 1];

	if (i < n_main) {
		snprintf(buf, sz, "%s:%u", main_path, dev->peers[i].name_line);
		return;
	}
	jailwg_dropin_name(f, dev->peers[i].public_key);
	snprintf(buf, sz, "%s/%s:%u", dir, f, dev->peers[i].name_line);
}

int peername_check_unique(const struct wg_device *dev, size_t n_main, const char *main_path, const char *dir,
			  struct wj_err *e)
{
	size_t *ix, n = 0;
	int r = 0;

	for (size_t i = 0; i < dev->n_peers; i++)
		n += dev->peers[i].name[0] != '\0';
	if (n < 2)
		return 0;
	if (!(ix = malloc(n * sizeof(*ix))))
		return wj_errnof(e, ENOMEM, "peer names");
	n = 0;
	for (size_t i = 0; i < dev->n_peers; i++)
		if (dev->peers[i].name[0])
			ix[n++] = i;
	sort_dev = dev;
	qsort(ix, n, sizeof(*ix), by_name);
	for (size_t i = 1; i < n && !r; i++) {
		char a[PATH_MAX + 16], b[PATH_MAX + 16];

		if (strcmp(dev->peers[ix[i - 1]].name, dev->peers[ix[i]].name) != 0)
			continue;
		where(a, sizeof(a), dev, ix[i - 1], n_main, main_path, dir);
		where(b, sizeof(b), dev, ix[i], n_main, main_path, dir);
		r = wj_errf(e, "%s: peer name '%s' is also used at %s (a name must be unique in the jail)", b,
			    dev->peers[ix[i]].name, a);
	}
	free(ix);
	return r;
}

int peername_lookup(const struct wg_device *main, const char *dir, const char *name, uint8_t key[WG_KEY_LEN],
		    struct wj_err *e)
{
	for (size_t i = 0; main && i < main->n_peers; i++)
		if (!strcmp(main->peers[i].name, name)) {
			memcpy(key, main->peers[i].public_key, WG_KEY_LEN);
			return 1;
		}
	return aipidx_name_find(dir, name, key, e);
}

int peername_resolve(const char *jail, const char *arg, uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	struct jail_spec spec;
	struct wg_device *main = NULL;
	char mp[PATH_MAX], dir[PATH_MAX], q[96];
	const char *why;
	int lockfd = -1, r = -1;

	if (key_from_base64(key, arg))
		return 0;
	if ((why = wg_peer_name_invalid(arg, strlen(arg))) != NULL)
		return wj_errf(e, "'%s' is neither a WireGuard key (44 characters of base64) nor a peer name (%s)",
			       wj_quote(arg, q, sizeof(q)), why);
	if (jailspec_load(jail, &spec, e) < 0 || jail_lock(jail, &lockfd, e) < 0)
		return -1;
	if (jailspec_load(jail, &spec, e) < 0 || jailwg_main_path(mp, sizeof(mp), jail, spec.ifname, e) < 0 ||
	    jailwg_dir_path(dir, sizeof(dir), jail, spec.ifname, e) < 0 || aipidx_ensure(dir, NULL, e) < 0 ||
	    jailwg_load_main(mp, &main, e) < 0)
		goto out;
	r = peername_lookup(main, dir, arg, key, e);
	if (r == 0)
		r = wj_errf(e, "jail %s has no peer named '%s'", jail, arg);
	else if (r > 0)
		r = 0;
out:
	wg_device_free(main);
	jail_unlock(lockfd);
	return r;
}
