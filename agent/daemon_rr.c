/* The agent and host names (see agent/daemon_int.h): which peers to
 * re-resolve, and what to do with the resolver's answers.  Nothing here
 * waits for a name: questions go to the resolver process
 * (agent/resolver.h), answers come back through the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/daemon_int.h"
#include "agent/jailcall.h"
#include "agent/platform.h"
#include "wg/peer_meta.h"
#include "agent/resolver.h"
#include "agent/uplinkwatch.h"
#include "util/clock.h"
#include "util/log.h"
#include "wg/applied.h"
#include "wg/model.h"

/* Settling time after an uplink event: a link that comes up gets its
 * addresses and routes a moment later. */
#define UPLINK_SETTLE_MS 1000

void agent_reresolve(struct agent *a, struct ajail *j, time_t now)
{
	for (size_t i = 0; j->conf && i < j->conf->n_peers; i++) {
		const struct wg_peer *want = &j->conf->peers[i];
		const struct wg_peer *cur;
		struct rr_entry *en;

		if (!rr_endpoint_is_name(want->endpoint))
			continue;
		resolver_mark(a->rsv, want->endpoint);
		rr_mark(&a->rr, j->name, want->public_key);
		/* A peer left out (its name did not resolve) counts as one
		 * that never had a handshake: due at once, then backing off. */
		cur = j->dev ? wg_device_find_peer(j->dev, want->public_key) : NULL;
		if (!rr_due(&a->rr, j->name, want->public_key, cur ? cur->last_handshake_sec : 0, now, &a->rrp) ||
		    rr_attempted(&a->rr, j->name, want->public_key, now, &a->rrp) < 0 ||
		    !(en = rr_find(&a->rr, j->name, want->public_key)))
			continue;
		en->seen = true;
		en->asked = resolver_seq(a->rsv) + 1; /* any answer from now on */
		resolver_ask(a->rsv, want->endpoint);
	}
	rr_sweep(&a->rr, j->name);
}

/* Send the endpoints in CS (one-field changes of peers that must exist)
 * to J's interface; then read it again so that status shows them. */
static void send_endpoints(struct ajail *j, struct wg_device *cs)
{
	char ifn[WJ_IFNAME_MAX + 1];
	struct wg_device *d = NULL;
	struct wj_err e;

	wj_err_clear(&e);
	wj_platform()->jail_ifname(&j->spec, ifn, sizeof(ifn));
	if (jail_dev_set(j->spec.name, ifn, cs, &e) < 0) {
		log_warnx("jail %s: setting %zu re-resolved endpoint%s: %s", j->name, cs->n_peers,
			  cs->n_peers == 1 ? "" : "s", e.msg);
	} else if (jail_dev_get(j->spec.name, ifn, &d, &e) == 0) {
		snprintf(d->name, sizeof(d->name), "%s", ifn);
		wg_device_copy_meta(d, j->conf); /* names for status.json */
		wg_device_free(j->dev);
		j->dev = d;
	}
}

/* The answers J has not seen yet. */
static void jail_answers(struct agent *a, struct ajail *j)
{
	struct wg_device *cs = NULL;
	char kb[WG_KEY_B64_LEN + 1], was[80], is[80];

	for (size_t i = 0; j->have_spec && j->conf && i < j->conf->n_peers; i++) {
		const struct wg_peer *want = &j->conf->peers[i];
		const struct rsv_entry *re;
		const struct wg_peer *cur;
		struct rr_entry *en;
		bool asked;

		if (!want->endpoint || !(re = resolver_get(a->rsv, want->endpoint)) || re->seq <= j->rsv_seen)
			continue;
		en = rr_find(&a->rr, j->name, want->public_key);
		asked = en && en->asked && re->seq >= en->asked;
		if (asked)
			en->asked = 0;
		cur = j->dev ? wg_device_find_peer(j->dev, want->public_key) : NULL;
		key_to_base64(kb, want->public_key);
		if (!re->ok) {
			j->resolution_failures++;
			if (asked || !cur)
				log_warnx("jail %s: peer %s: %s; will retry", j->name, kb, re->error);
			continue;
		}
		if (!cur) {
			/* Left out when its name did not resolve: once it does,
			 * reconcile the jail (the sync engine adds it) - unless
			 * the last reconcile already knew this answer. */
			if ((j->dev || j->state == JAIL_UP) && re->seq > j->rsv_reconciled) {
				log_info("jail %s: %s resolves now; adding its peer", j->name, want->endpoint);
				if (!j->due_ms)
					j->due_ms = wj_mono_ms();
			}
			continue;
		}
		if (!asked) /* (asked for another peer: this one's endpoint may have roamed) */
			continue;
		if (wg_sockaddr_equal(&re->addr, &cur->endpoint_addr)) {
			log_debug("jail %s: peer %s: %s still resolves to the same address", j->name, kb, want->endpoint);
			continue;
		}
		wg_sockaddr_fmt(&cur->endpoint_addr, was, sizeof(was));
		wg_sockaddr_fmt(&re->addr, is, sizeof(is));
		log_info("jail %s: peer %s: %s now resolves to %s (was %s); endpoint updated", j->name, kb, want->endpoint,
			 is, was[0] ? was : "none");
		/* A change set of one field per peer: nobody else is touched. */
		{
			struct wg_peer *p;
			if ((!cs && !(cs = wg_device_new())) || !(p = wg_device_add_peer(cs, want->public_key))) {
				log_warnx("jail %s: out of memory re-resolving", j->name);
				break;
			}
			p->flags = WGPEER_UPDATE_ONLY | WGPEER_HAS_ENDPOINT;
			p->endpoint_addr = re->addr;
		}
	}
	j->rsv_seen = resolver_seq(a->rsv);
	if (cs && cs->n_peers)
		send_endpoints(j, cs);
	wg_device_free(cs);
}

void agent_answers(struct agent *a)
{
	uint64_t seq = resolver_seq(a->rsv);

	if (seq == a->rsv_seen)
		return;
	for (size_t i = 0; i < a->n; i++)
		jail_answers(a, &a->v[i]);
	a->rsv_seen = seq;
	a->report_due = true; /* show the answers (send_endpoints read the devices again) */
}

/* Links that are the jails' (a host-side veth or WireGuard link that `up`
 * made, named wj...; a jail's bridge) are not the uplink. */
static bool ours(const char *ifname, void *arg)
{
	const struct agent *a = arg;

	if (!strncmp(ifname, "wj", 2))
		return true;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].have_spec && a->v[i].spec.bridge[0] && !strcmp(a->v[i].spec.bridge, ifname))
			return true;
	return false;
}

void agent_uplink_read(struct agent *a)
{
	char why[sizeof(a->uplink_why)];
	struct wj_err e;
	int r;

	wj_err_clear(&e);
	r = uplinkwatch_read(a->uw, ours, a, why, sizeof(why), &e);
	if (r < 0) {
		log_warnx("%s", e.msg);
		return;
	}
	if (r > 0 && !a->uplink_ms) {
		snprintf(a->uplink_why, sizeof(a->uplink_why), "%s", why);
		a->uplink_ms = wj_mono_ms() + UPLINK_SETTLE_MS;
	}
}

void agent_uplink_due(struct agent *a, int64_t now_ms)
{
	if (!a->uplink_ms || now_ms < a->uplink_ms)
		return;
	a->uplink_ms = 0;
	log_info("uplink changed (%s): host names are resolved again", a->uplink_why);
	rr_trigger(&a->rr, time(NULL), &a->rrp);
	a->next_status_ms = 0; /* the check re-resolves what is due */
}
