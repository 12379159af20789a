/* Boot's platform part on FreeBSD (see agent/boot.h): the jail is started
 * by jail(8) from the generated jail.conf.d file, and its rc loads the wg
 * config (start_if.IF); boot only gives the jail its key (done before this
 * is called).  Reaching a device inside a running vnet jail from the host:
 * see agent/jailctx_freebsd.c. */
#include "agent/boot.h"

#include <stdio.h>

#include "agent/jailspec.h"

const char boot_platform_done[] = "ready";

int boot_platform_up(const struct jail_spec *s, FILE *out, struct wj_err *e)
{
	(void)e;
	if (out)
		fprintf(out, "jail %s: key and config ready; jail(8) starts it\n", s->name);
	return 0;
}
