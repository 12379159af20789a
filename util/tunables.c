/* The tunables and their ranges (see util/tunables.h). */
#include "util/tunables.h"

#include <stdint.h>
#include <stdlib.h>

#include "util/strutil.h"

const struct wj_tunable_row wj_tunables[WJ_TUNABLES] = {
	[WJ_DEBOUNCE_MS] = {"WGJAIL_DEBOUNCE_MS", 300, 0, 3600u * 1000},
	[WJ_STATUS_INTERVAL_MS] = {"WGJAIL_STATUS_INTERVAL_MS", 5000, 0, 3600u * 1000},
	[WJ_RERESOLVE_AFTER] = {"WGJAIL_RERESOLVE_AFTER", 135, 1, 86400},
	[WJ_RERESOLVE_BACKOFF_MIN] = {"WGJAIL_RERESOLVE_BACKOFF_MIN", 15, 1, 86400},
	[WJ_RERESOLVE_BACKOFF_MAX] = {"WGJAIL_RERESOLVE_BACKOFF_MAX", 600, 1, 86400},
	[WJ_STALE_AFTER] = {"WGJAIL_STALE_AFTER", 180, 1, 86400u * 365},
	[WJ_DOWN_AFTER] = {"WGJAIL_DOWN_AFTER", 600, 1, 86400u * 365},
	[WJ_RESOLVE_RETRIES] = {"WGJAIL_RESOLVE_RETRIES", 5, 0, 1000},
	[WJ_RESOLVE_DELAY_MS] = {"WGJAIL_RESOLVE_DELAY_MS", 1000, 0, 600000},
	[WJ_JAILCALL_STOP] = {"WGJAIL_JAILCALL_STOP", 0, 0, 1},
};

unsigned wj_tunable(enum wj_tunable t)
{
	const struct wj_tunable_row *row = &wj_tunables[t];
	const char *v = getenv(row->env);
	uint64_t n;

	if (!v || wj_parse_uint(v, row->min, row->max, &n) < 0)
		return row->def;
	return (unsigned)n;
}
