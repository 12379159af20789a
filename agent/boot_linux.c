/* Boot's platform part on Linux: `up` (see agent/boot.h). */
#include "agent/boot.h"

#include <errno.h>
#include <stdio.h>

#include "agent/jail_linux.h"
#include "agent/jailspec.h"

const char boot_platform_done[] = "up";

int boot_platform_up(const struct jail_spec *s, FILE *out, struct wj_err *e)
{
	struct jail_up_opts o = {.dry = false, .out = out};
	FILE *null = NULL;
	int r;

	if (!out && !(o.out = null = fopen("/dev/null", "we")))
		return wj_errnof(e, errno, "/dev/null");
	r = jail_up(s, &o, e);
	if (null)
		fclose(null);
	return r;
}
