/* Host /boot/loader.conf.  Jails cannot load kernel modules: inside a
 * jail `ifconfig wg0 create` fails ("SIOCIFCREATE2 (wg0): Invalid
 * argument") unless the host loaded if_wg; the uplink kind names what else
 * it needs (the bridge uplink: if_epair and if_bridge).  Each line is added once; every other line of
 * the file is kept (rc/edit.h). */
#include "util/err.h"
#include "rc/edit.h"
#include "rc/gen.h"
#include "rc/uplink_kind.h"

#include <errno.h>

static int add_modules(struct kv_doc *d, void *arg, struct wj_err *e)
{
	const struct rc_jail *j = arg;

	if (kv_set(d, "if_wg_load", "YES", e) < 0)
		return -1;
	for (const char *const *m = j->uplink->loader_modules; *m; m++)
		if (kv_set(d, *m, "YES", e) < 0)
			return -1;
	return 0;
}

char *rc_loader_conf(const struct rc_jail *j, const char *old, size_t oldlen, const char *path,
		     size_t *len, struct wj_err *e)
{
	return kv_edit(old, oldlen, path, add_modules, (void *)j, len, e);
}
