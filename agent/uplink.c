/* The uplink kinds (see agent/uplink.h). */
#include "agent/uplink.h"

#include <stdlib.h>
#include <string.h>

#include "rc/uplink.h"

static const struct uplink_kind kinds[] = {
	[UPLINK_BRIDGE] = {"bridge", &rc_uplink_bridge, &uplink_live_bridge},
	[UPLINK_WIREGUARD] = {"wireguard", &rc_uplink_wireguard, &uplink_live_wireguard},
};
_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == UPLINK_COUNT, "one row per uplink kind");

const struct uplink_kind *uplink_kind(enum jail_uplink u)
{
	if ((unsigned)u >= UPLINK_COUNT)
		abort(); /* not a kind: every enum jail_uplink comes from uplink_from_name */
	return &kinds[u];
}

const char *uplink_name(enum jail_uplink u)
{
	return uplink_kind(u)->name;
}

int uplink_from_name(const char *name, enum jail_uplink *u)
{
	for (unsigned i = 0; i < UPLINK_COUNT; i++)
		if (!strcmp(kinds[i].name, name)) {
			*u = (enum jail_uplink)i;
			return 0;
		}
	return -1;
}

const struct uplink_kind *uplink_kind_named(const char *name)
{
	enum jail_uplink u;

	return uplink_from_name(name, &u) == 0 ? &kinds[u] : NULL;
}

const char *uplink_choices(void)
{
	static char text[64];

	if (!text[0]) {
		for (unsigned i = 0; i < UPLINK_COUNT; i++) {
			size_t n = strlen(text);
			/* "a", "a or b", "a, b or c" */
			const char *sep = i == 0 ? "" : i + 1 == UPLINK_COUNT ? " or " : ", ";
			if (n + strlen(sep) + strlen(kinds[i].name) + 1 > sizeof(text))
				break;
			strcat(strcat(text, sep), kinds[i].name);
		}
	}
	return text;
}
