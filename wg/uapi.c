/* Placeholder until its issue lands. */
#include "wg/backend.h"
#include "agent/util/err.h"

static bool ph_has(const char *ifname) { (void)ifname; return false; }
static int ph_get(const char *ifname, struct wg_device **out, struct wj_err *e)
{ (void)out; return wj_errf(e, "%s: the uapi backend is not available yet", ifname); }
static int ph_set(const char *ifname, const struct wg_device *c, struct wj_err *e)
{ (void)c; return wj_errf(e, "%s: the uapi backend is not available yet", ifname); }
static int ph_list(char ***names, size_t *n, struct wj_err *e) { (void)names; (void)n; (void)e; return 0; }

const struct wg_backend wg_backend_uapi = {"uapi", ph_has, ph_get, ph_set, ph_list};

#include <stdlib.h>
#include <string.h>
#include "wg/uapi.h"
static char *uapi_dir_override;
void wg_uapi_set_dir(const char *dir)
{
	free(uapi_dir_override);
	uapi_dir_override = dir ? strdup(dir) : NULL;
}
const char *wg_uapi_dir(void)
{
	const char *env = getenv("WGJAIL_UAPI_DIR");
	if (uapi_dir_override)
		return uapi_dir_override;
	return env && *env ? env : "/var/run/wireguard";
}
