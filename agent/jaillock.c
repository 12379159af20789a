/* A jail's edit lock (see agent/jaillock.h). */
#include "agent/jaillock.h"

#include <limits.h>
#include <stdio.h>

#include "agent/jailtx.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/safefile.h"

int jail_dirs_check(const char *name, struct wj_err *e)
{
	char dir[PATH_MAX];

	/* The configuration directory may be reached through a link (an
	 * administrator's choice); the jail's directory may not. */
	if (wj_check_trusted_dir(wj_confdir(), false, e) < 0)
		return -1;
	if (!name)
		return 0;
	if (jail_path(dir, sizeof(dir), name, NULL) < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	return wj_check_trusted_dir(dir, true, e);
}

int jail_lock(const char *name, int *fd, struct wj_err *e)
{
	char path[PATH_MAX], dir[PATH_MAX];
	bool held;

	*fd = -1;
	if (jail_path(path, sizeof(path), name, ".lock") < 0 || jail_path(dir, sizeof(dir), name, NULL) < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	held = wj_lock_held(path);
	if (!held && jail_dirs_check(name, e) < 0)
		return -1;
	if (wj_lock(path, fd, e) < 0)
		return -1;
	if (held)
		return 0;
	wj_sweep_temps(dir);
	if (jailtx_recover(name, e) < 0) {
		wj_unlock(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

void jail_unlock(int fd)
{
	wj_unlock(fd);
}

