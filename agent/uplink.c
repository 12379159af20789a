/* The uplink kinds (see agent/uplink.h). */
#include "agent/uplink.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "agent/jailspec_keys.h"
#include "rc/uplink_kind.h"

static const struct uplink_kind kinds[] = {
	[UPLINK_BRIDGE] = {&rc_uplink_bridge, &uplink_live_bridge},
	[UPLINK_WIREGUARD] = {&rc_uplink_wireguard, &uplink_live_wireguard},
};
_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == UPLINK_KINDS, "one row per uplink kind");

const struct uplink_kind *uplink_kind(enum jail_uplink u)
{
	if ((unsigned)u >= UPLINK_KINDS)
		abort(); /* not a kind: every enum jail_uplink comes from uplink_from_name */
	return &kinds[u];
}

const struct uplink_kind *uplink_kind_named(const char *name)
{
	enum jail_uplink u;

	return uplink_from_name(name, &u) == 0 ? &kinds[u] : NULL;
}

const char *uplink_choices(void)
{
	static char text[64];
	size_t n = 0;

	/* "a", "a or b", "a, b or c" */
	if (!text[0])
		for (unsigned k = 0; k < UPLINK_KINDS && n < sizeof(text); k++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s",
					      k == 0 ? "" : k + 1 == UPLINK_KINDS ? " or " : ", ",
					      uplink_name((enum jail_uplink)k));
	return text;
}
