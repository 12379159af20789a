/* Peers by name: found (see agent/peername.h).  Apart from
 * agent/peername.c, whose uniqueness check the loader (agent/jailwg.c)
 * calls: finding a name reads the loader's files and its index
 * (agent/aipidx.c) under the jail's lock, above the loader. */
#include "agent/peername.h"

#include <limits.h>
#include <string.h>

#include "agent/aipidx.h"
#include "agent/jaillock.h"
#include "agent/jailspec.h"
#include "agent/jailwg.h"
#include "util/err.h"
#include "util/strutil.h"
#include "wg/peer_meta.h"

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
