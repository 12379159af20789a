/* What only the running agent knows, for the commands that report on the
 * jails (`metrics`, `show --json JAIL`): RUNDIR/agent.state, rewritten
 * atomically with status.json and removed when the agent stops.  One
 * record a line, fields separated by tabs (no field holds a tab or a
 * control character: texts are cleaned when written):
 *
 *   wgjail-agent-state 1
 *   pid PID | start UNIX | resolver_restarts N | resolver_pid PID |
 *   stale_after S | down_after S                  (one line each)
 *   jail NAME RECONCILES FAILURES RESOLUTION_FAILURES LAST_OK RESTARTS
 *   rerr NAME PUBKEY ENDPOINT ERROR               (a peer whose last
 *                                                 resolution failed)
 *
 * The reader is strict: a line it does not know, a bad number, a wrong
 * field count is an error naming the file and line (the file is the
 * agent's, so that means a bug or another version). */
#ifndef WGJAIL_AGENTSTATE_H
#define WGJAIL_AGENTSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keys/keys.h"
#include "util/strutil.h"

struct wj_err;

struct as_jail {
	char name[WJ_JAIL_NAME_MAX + 1];
	uint64_t reconciles, failures, resolution_failures, restarts;
	int64_t last_ok;
};

struct as_rerr {
	char jail[WJ_JAIL_NAME_MAX + 1];
	uint8_t key[WG_KEY_LEN];
	char *endpoint, *error;
};

struct agent_state {
	uint64_t pid, resolver_pid, start, resolver_restarts, stale_after, down_after;
	struct as_jail *jails;
	size_t n_jails;
	struct as_rerr *rerrs;
	size_t n_rerrs;
};

/* The file's path: RUNDIR/agent.state. */
int agentstate_path(char *out, size_t outsz);

/* Writing: the header and agent lines, then one call per jail and per
 * resolution error, into F (an open_memstream the caller replaces the
 * file with). */
void agentstate_put_agent(FILE *f, long pid, int64_t start, uint64_t resolver_restarts, long resolver_pid,
			  unsigned stale_after, unsigned down_after);
void agentstate_put_jail(FILE *f, const struct as_jail *j);
void agentstate_put_rerr(FILE *f, const char *jail, const uint8_t key[WG_KEY_LEN], const char *endpoint,
			 const char *error);

/* Parse TEXT[0..LEN) (from file PATH, for messages) into *S.  Returns 0
 * or -1 with E set. */
int agentstate_parse(const char *path, const char *text, size_t len, struct agent_state *s, struct wj_err *e);
/* Read the running agent's state: 1 and *S filled; 0 when no agent runs
 * (no file, or its process is gone); -1 with E set. */
int agentstate_load(struct agent_state *s, struct wj_err *e);
void agentstate_free(struct agent_state *s);

/* The jail NAME's record, or NULL. */
const struct as_jail *agentstate_jail(const struct agent_state *s, const char *name);

#endif
