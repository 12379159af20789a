/* No two jails publish the same host port (see agent/reach.h).  Apart
 * from agent/reach.c because it reads every other jail's spec
 * (agent/jailspec.c), which itself uses agent/reach.c to validate one. */
#include "agent/reach.h"

#include <stdlib.h>
#include <string.h>

#include "agent/jailspec.h"
#include "util/err.h"

int reach_check_others(const struct jail_spec *s, struct wj_err *e)
{
	struct reach_port mine[REACH_MAX_PORTS], theirs[REACH_MAX_PORTS];
	size_t nm, nt, nnames = 0;
	char **names = NULL;
	int r = 0;

	if (reach_published(s, mine, &nm, e) < 0)
		return -1;
	if (!nm)
		return 0;
	if (jailspec_list(&names, &nnames, e) < 0)
		return -1;
	for (size_t k = 0; k < nnames && r == 0; k++) {
		struct jail_spec o;
		struct wj_err ignored = {0};
		if (!strcmp(names[k], s->name) || jailspec_load(names[k], &o, &ignored) < 0)
			continue; /* a broken spec is reported when it is used */
		if (reach_published(&o, theirs, &nt, &ignored) < 0)
			continue;
		for (size_t i = 0; i < nm && r == 0; i++)
			for (size_t j = 0; j < nt && r == 0; j++)
				if (mine[i].proto == theirs[j].proto && mine[i].host_port == theirs[j].host_port)
					r = wj_errf(e, "jail %s: publish %s:%u: jail %s publishes that host port already",
						    s->name, reach_proto_name(mine[i].proto), mine[i].host_port, o.name);
	}
	for (size_t k = 0; k < nnames; k++)
		free(names[k]);
	free(names);
	return r;
}
