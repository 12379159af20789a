/* State and run directories (see util/paths.h). */
#include "util/paths.h"

#include <stdlib.h>

#if defined(__linux__)
#define STATEDIR_DEFAULT "/run/wgjail"
#else
#define STATEDIR_DEFAULT "/var/run/wgjail"
#endif
#define RUNDIR_DEFAULT "/var/run/wgjail"

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

const char *wj_statedir(void)
{
	return env_or("WGJAIL_STATEDIR", STATEDIR_DEFAULT);
}

const char *wj_rundir(void)
{
	return env_or("WGJAIL_RUNDIR", RUNDIR_DEFAULT);
}
