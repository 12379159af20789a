/* wgjail metrics [JAIL]: the jails' metrics in Prometheus' text format
 * (agent/metrics.h), read live from each jail's interface - the same
 * moment as `show --json` - with the running agent's counters and
 * resolution errors (agent/agentstate.h) when an agent runs.  A jail that
 * is not up counts as down; one whose spec cannot be read is reported on
 * standard error (exit 1) and the others are still printed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agentstate.h"
#include "agent/commands.h"
#include "agent/jailspec.h"
#include "agent/metrics.h"
#include "agent/peer.h"
#include "util/err.h"

struct mjail {
	struct jail_spec spec;
	struct wg_device *dev;
	struct metrics_rerr *rerr;
	size_t n_rerr;
};

/* Read jail NAME: its spec, and its interface if it is up. */
static int read_jail(const char *name, struct mjail *m, struct wj_err *e)
{
	struct peer_target t;
	int r;

	if (jailspec_load(name, &m->spec, e) < 0)
		return -1;
	if ((r = peer_jail_target(&m->spec, &t, e)) < 0)
		return -1;
	if (r > 0) {
		struct wj_err ie;
		wj_err_clear(&ie);
		if (peer_live_get(&t, &m->dev, &ie) < 0)
			m->dev = NULL; /* up, but its interface cannot be read: down */
	}
	return 0;
}

/* The agent's view of jail J, from S (may be empty). */
static void agent_view(const struct agent_state *s, struct mjail *m, struct metrics_jail *mj)
{
	const struct as_jail *aj = agentstate_jail(s, m->spec.name);
	size_t n = 0;

	if (!aj)
		return;
	mj->agent = true;
	mj->reconciles = aj->reconciles;
	mj->reconcile_failures = aj->failures;
	mj->resolution_failures = aj->resolution_failures;
	mj->restarts = aj->restarts;
	mj->last_ok = aj->last_ok;
	for (size_t i = 0; i < s->n_rerrs; i++)
		n += !strcmp(s->rerrs[i].jail, m->spec.name);
	if (!n || !(m->rerr = calloc(n, sizeof(*m->rerr))))
		return;
	for (size_t i = 0; i < s->n_rerrs; i++) {
		if (strcmp(s->rerrs[i].jail, m->spec.name))
			continue;
		memcpy(m->rerr[m->n_rerr].key, s->rerrs[i].key, WG_KEY_LEN);
		m->rerr[m->n_rerr].endpoint = s->rerrs[i].endpoint;
		m->rerr[m->n_rerr].error = s->rerrs[i].error;
		m->n_rerr++;
	}
	mj->rerr = m->rerr;
	mj->n_rerr = m->n_rerr;
}

int cmd_metrics(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct agent_state st;
	struct health_limits hl;
	struct metrics_agent ag = {false, 0, 0};
	struct mjail *m = NULL;
	struct metrics_jail *mj = NULL;
	char **names = NULL;
	size_t n = 0, shown = 0;
	struct wj_err e;
	int us, failed = 0, have;

	wj_err_clear(&e);
	if (cmd_getopt(argv[0], argc, argv, "h", longopts, &us) == CMD_OPT_EXIT)
		return us; /* -h is its only option */
	if ((us = cmd_operands(argv[0], argc, argv, 0, 1, "")) != WJ_EXIT_OK)
		return us;
	if (optind < argc) {
		const char *why = wj_jail_name_invalid(argv[optind]);
		if (why)
			return cmd_usage_error(argv[0], "jail name '%s': %s", argv[optind], why);
		if (!(names = malloc(sizeof(*names))) || !(names[0] = strdup(argv[optind]))) {
			free(names);
			wj_errf(&e, "out of memory");
			return cmd_fail(&e);
		}
		n = 1;
	} else if (jailspec_list(&names, &n, &e) < 0) {
		return cmd_fail(&e);
	}
	health_limits_default(&hl);
	if ((have = agentstate_load(&st, &e)) < 0) {
		cmd_fail(&e); /* printed without the agent's part */
		failed = 1;
		have = 0;
		wj_err_clear(&e);
	}
	if (have) {
		ag = (struct metrics_agent){true, (int64_t)st.start, st.resolver_restarts};
		if (st.stale_after && st.down_after) { /* the agent's verdicts */
			hl.stale_after = (unsigned)st.stale_after;
			hl.down_after = (unsigned)st.down_after;
		}
	}
	if (n && (!(m = calloc(n, sizeof(*m))) || !(mj = calloc(n, sizeof(*mj))))) {
		wj_errf(&e, "out of memory");
		failed = cmd_fail(&e);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		wj_err_clear(&e);
		if (read_jail(names[i], &m[shown], &e) < 0) {
			cmd_fail(&e);
			failed = 1;
			continue;
		}
		mj[shown].name = m[shown].spec.name;
		mj[shown].ifname = m[shown].spec.ifname;
		mj[shown].dev = m[shown].dev;
		if (have)
			agent_view(&st, &m[shown], &mj[shown]);
		shown++;
	}
	metrics_render(stdout, mj, shown, &ag, time(NULL), &hl);
out:
	for (size_t i = 0; i < shown; i++) {
		wg_device_free(m[i].dev);
		free(m[i].rerr);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(m);
	free(mj);
	if (have)
		agentstate_free(&st);
	return failed ? WJ_EXIT_FAIL : WJ_EXIT_OK;
}
