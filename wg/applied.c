/* The record of the last sync (see wg/applied.h). */
#include "wg/applied.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/platform.h"
#include "util/stores.h"
#include "wg/backend.h"
#include "wg/config_private.h"
#include "wg/uapi.h"

int wg_applied_identity(const struct wg_backend *b, const char *ifname, bool mint, char *out, size_t outsz)
{
	return b && b->identity ? b->identity(ifname, mint, out, outsz) : -1;
}

int wg_state_mkdir(const char *path, struct wj_err *e)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	return wj_mkdirs(dir, 0700, e);
}

int wg_applied_lock(const char *ifname)
{
	char path[PATH_MAX];
	struct wj_err e;
	int fd;

	if (wj_state_path("applied", ifname, ",lock", path, sizeof(path)) < 0 || wg_state_mkdir(path, &e) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

void wg_applied_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

void wg_applied_forget(const char *ifname)
{
	char path[PATH_MAX];

	if (wj_state_path("applied", ifname, "", path, sizeof(path)) == 0)
		unlink(path);
}

int wg_device_set(const struct wg_backend *b, const char *ifname, const struct wg_device *changes,
		  struct wj_err *e)
{
	int fd = wg_applied_lock(ifname), r;

	wj_stores_forget(WJ_FORGET_DEVICE_SET, &(struct wj_store_scope){.ifname = ifname});
	r = b->set(ifname, changes, e);
	wg_applied_unlock(fd);
	return r;
}
