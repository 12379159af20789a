/* The agent's executable on Linux (see agent/selfexe.h): /proc/self/exe
 * names the file the process was started from, even once it is removed
 * or replaced. */
#include "agent/selfexe.h"

#include <errno.h>
#include <fcntl.h>

#include "util/err.h"

int selfexe_open(struct wj_err *e)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return wj_errnof(e, errno, "/proc/self/exe");
	return fd;
}
