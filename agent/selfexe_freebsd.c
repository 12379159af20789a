/* The agent's executable on FreeBSD (see agent/selfexe.h): the kernel's
 * path of the process image (sysctl kern.proc.pathname), which needs no
 * procfs, opened at start (before an upgrade could replace it). */
#include "agent/selfexe.h"

#include <sys/types.h>
#include <sys/sysctl.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>

#include "util/err.h"

int selfexe_open(struct wj_err *e)
{
	int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1};
	char path[PATH_MAX];
	size_t len = sizeof(path);
	int fd;

	if (sysctl(mib, 4, path, &len, NULL, 0) < 0)
		return wj_errnof(e, errno, "sysctl kern.proc.pathname");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return wj_errnof(e, errno, "%s", path);
	return fd;
}
