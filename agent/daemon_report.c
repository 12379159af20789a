/* What the agent reports after each check (see agent/daemon_int.h):
 * status.json, the state file the commands read (agent/agentstate.h) and,
 * with --metrics-file, the metrics for node_exporter (agent/metrics.h).
 * All three are replaced atomically (not fsync'd: wj_write_report) and
 * hold no secret. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agentstate.h"
#include "agent/daemon_int.h"
#include "agent/metrics.h"
#include "agent/resolver.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "wg/model.h"

/* What is known of J's host-name peers' names, into RES (room for every
 * peer of J's config); the count. */
static size_t resolutions(struct agent *a, const struct ajail *j, struct status_resolution *res)
{
	size_t n = 0;

	for (size_t i = 0; j->have_spec && j->conf && i < j->conf->n_peers; i++) {
		const struct wg_peer *p = &j->conf->peers[i];
		const struct rsv_entry *re;

		if (!rr_endpoint_is_name(p->endpoint))
			continue;
		re = resolver_get(a->rsv, p->endpoint);
		memcpy(res[n].key, p->public_key, WG_KEY_LEN);
		res[n].endpoint = p->endpoint;
		res[n].state = !re || !re->answered ? "pending" : re->ok ? "ok" : "failed";
		res[n].error = re && re->answered && !re->ok ? re->error : NULL;
		res[n].when = re && re->answered ? re->when : 0;
		n++;
	}
	return n;
}

static void write_state(struct agent *a, const struct status_jail *sj, size_t n)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct wj_err e;

	if (!f || agentstate_path(path, sizeof(path)) < 0) {
		if (f)
			fclose(f);
		free(buf);
		return;
	}
	agentstate_put_agent(f, (long)getpid(), (int64_t)a->start, resolver_restarts(a->rsv), resolver_pid(a->rsv),
			     a->hl.stale_after, a->hl.down_after);
	for (size_t i = 0; i < n; i++) {
		struct as_jail aj = {.reconciles = sj[i].reconciles,
				     .failures = sj[i].reconcile_failures,
				     .resolution_failures = sj[i].resolution_failures,
				     .restarts = sj[i].restarts,
				     .last_ok = (int64_t)sj[i].last_ok};
		snprintf(aj.name, sizeof(aj.name), "%s", sj[i].name);
		agentstate_put_jail(f, &aj);
		for (size_t k = 0; k < sj[i].n_res; k++)
			if (sj[i].res[k].error)
				agentstate_put_rerr(f, sj[i].name, sj[i].res[k].key, sj[i].res[k].endpoint,
						    sj[i].res[k].error);
	}
	if (fclose(f) != 0) {
		free(buf);
		return;
	}
	wj_err_clear(&e);
	if (wj_write_report(path, buf, len, 0644, &e) < 0)
		log_warnx("%s", e.msg);
	free(buf);
}

static void write_metrics(struct agent *a, const struct status_jail *sj, size_t n, time_t now)
{
	struct metrics_jail *mj = n ? calloc(n, sizeof(*mj)) : NULL;
	struct metrics_rerr *rr = NULL;
	struct metrics_agent ag = {true, (int64_t)a->start, resolver_restarts(a->rsv)};
	size_t nres = 0, k = 0;
	struct wj_err e;

	for (size_t i = 0; i < n; i++)
		nres += sj[i].n_res;
	if ((n && !mj) || (nres && !(rr = calloc(nres, sizeof(*rr))))) {
		free(mj);
		log_warnx("out of memory writing the metrics");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		mj[i].name = sj[i].name;
		mj[i].ifname = sj[i].ifname;
		mj[i].dev = sj[i].dev;
		mj[i].agent = true;
		mj[i].reconciles = sj[i].reconciles;
		mj[i].reconcile_failures = sj[i].reconcile_failures;
		mj[i].resolution_failures = sj[i].resolution_failures;
		mj[i].restarts = sj[i].restarts;
		mj[i].last_ok = (int64_t)sj[i].last_ok;
		mj[i].rerr = rr + k;
		for (size_t r = 0; r < sj[i].n_res; r++) {
			if (!sj[i].res[r].error)
				continue;
			memcpy(rr[k].key, sj[i].res[r].key, WG_KEY_LEN);
			rr[k].endpoint = sj[i].res[r].endpoint;
			rr[k].error = sj[i].res[r].error;
			k++;
			mj[i].n_rerr++;
		}
	}
	wj_err_clear(&e);
	if (metrics_write(a->metrics_path, mj, n, &ag, now, &a->hl, &e) < 0) {
		/* Said once per new error, not at every check. */
		if (strcmp(e.msg, a->metrics_err))
			log_warnx("metrics file: %s (the agent goes on; said again only if this changes)", e.msg);
		snprintf(a->metrics_err, sizeof(a->metrics_err), "%s", e.msg);
	} else if (a->metrics_err[0]) {
		log_info("metrics file: %s written again", a->metrics_path);
		a->metrics_err[0] = '\0';
	}
	free(rr);
	free(mj);
}

void agent_report(struct agent *a, time_t now)
{
	struct status_jail *sj = a->n ? calloc(a->n, sizeof(*sj)) : NULL;
	struct status_resolution **res = a->n ? calloc(a->n, sizeof(*res)) : NULL;
	struct status_agent ag = {(long)getpid(), resolver_pid(a->rsv), a->start, resolver_restarts(a->rsv)};
	struct wj_err e;

	if (a->n && (!sj || !res))
		goto oom;
	for (size_t i = 0; i < a->n; i++) {
		const struct ajail *j = &a->v[i];
		size_t np = j->have_spec && j->conf ? j->conf->n_peers : 0;
		if (np && !(res[i] = calloc(np, sizeof(**res))))
			goto oom;
		snprintf(sj[i].name, sizeof(sj[i].name), "%s", j->name);
		snprintf(sj[i].ifname, sizeof(sj[i].ifname), "%s", j->have_spec ? j->spec.ifname : "");
		sj[i].state = j->state;
		snprintf(sj[i].message, sizeof(sj[i].message), "%s", j->message);
		sj[i].dev = j->dev;
		sj[i].restarts = j->restarts;
		sj[i].spec = j->have_spec ? &j->spec : NULL;
		sj[i].reconciles = j->reconciles;
		sj[i].reconcile_failures = j->reconcile_failures;
		sj[i].resolution_failures = j->resolution_failures;
		sj[i].last_ok = j->last_ok;
		sj[i].res = res[i];
		sj[i].n_res = np ? resolutions(a, j, res[i]) : 0;
	}
	wj_err_clear(&e);
	if (status_write(a->status_path, sj, a->n, &ag, now, &a->hl, &e) < 0)
		log_warnx("%s", e.msg);
	write_state(a, sj, a->n);
	if (a->metrics_path)
		write_metrics(a, sj, a->n, now);
	goto out;
oom:
	log_warnx("out of memory writing the status");
out:
	for (size_t i = 0; res && i < a->n; i++)
		free(res[i]);
	free(res);
	free(sj);
}

void agent_report_end(void)
{
	char path[PATH_MAX];

	if (agentstate_path(path, sizeof(path)) == 0 && unlink(path) < 0 && errno != ENOENT)
		log_warn("%s", path);
}
