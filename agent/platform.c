/* The one place where the platform is chosen (see agent/platform.h). */
#include "agent/platform.h"

#include <stdio.h>

#include "util/err.h"

/* Chosen at compile time, as wg/backend.c chooses the kernel backend. */
const struct wj_platform *wj_platform(void)
{
#if defined(__linux__)
	return &wj_platform_linux;
#elif defined(__FreeBSD__)
	return &wj_platform_freebsd;
#else
#error "wgjail: no jail operations for this platform (agent/platform.h)"
#endif
}

int wj_jail_not_running(const char *name, struct wj_err *e)
{
	char hint[256];

	wj_platform()->start_hint(name, hint, sizeof(hint));
	return wj_errf(e, "jail %s is not running here (start it with: %s)", name, hint);
}
