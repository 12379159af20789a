/* The numbers an environment variable may change, each with its default
 * and range written once (util/tunables.c); the variables that name
 * places are util/paths.h.  A value that is not a decimal number in range
 * is ignored (the default holds): the timing is meant for tests, the
 * defaults suit appliances.  Listed in wgjail(8), ENVIRONMENT. */
#ifndef WGJAIL_TUNABLES_H
#define WGJAIL_TUNABLES_H

enum wj_tunable {
	WJ_DEBOUNCE_MS,            /* the agent: quiet time before it acts on a change */
	WJ_STATUS_INTERVAL_MS,     /* the agent: status.json and health every ... */
	WJ_RERESOLVE_AFTER,        /* seconds without a handshake before a name is resolved again */
	WJ_RERESOLVE_BACKOFF_MIN,  /* seconds between attempts, doubling ... */
	WJ_RERESOLVE_BACKOFF_MAX,  /* ... up to this */
	WJ_STALE_AFTER,            /* seconds since the last handshake: a peer is stale */
	WJ_DOWN_AFTER,             /* ... and down */
	WJ_RESOLVE_RETRIES,        /* a name that does not resolve: tries */
	WJ_RESOLVE_DELAY_MS,       /* ... the first delay between them */
	WJ_JAILCALL_STOP,          /* tests: 1 = the process that enters a jail stops there (agent/jailcall_child.c) */
	WJ_TUNABLES
};

/* The rows: the variable, its default and its range (the tests hold
 * them to wgjail(8)). */
struct wj_tunable_row {
	const char *env;
	unsigned def, min, max;
};
extern const struct wj_tunable_row wj_tunables[WJ_TUNABLES];

/* The value of T: its variable if set to a number in range, else the
 * default. */
unsigned wj_tunable(enum wj_tunable t);

#endif
