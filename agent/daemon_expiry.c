/* The agent's part of peer expiry (issue 18): per jail, the next expiry of
 * a peer of its last good config, as a monotonic deadline; at that moment
 * one remove per expired peer is sent to the jail's interface (no
 * read-back, no reconcile: the other sessions are not touched) and the
 * peer is logged by name.  The files keep it; a later reconcile leaves it
 * out as `up` does (agent/jail_linux.c). */
#include <time.h>

#include "agent/daemon_int.h"
#include "agent/peer.h"
#include "util/clock.h"
#include "util/log.h"
#include "wg/model.h"
#include "wg/peer_meta.h"

void agent_expiry_schedule(struct ajail *j, int64_t done)
{
	struct timespec ts;
	int64_t wall_ms, at;

	clock_gettime(CLOCK_REALTIME, &ts);
	wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	at = wg_device_next_expiry(j->conf, (int64_t)ts.tv_sec > done ? (int64_t)ts.tv_sec : done);
	j->expiry_at = at;
	j->expiry_ms = at ? wj_mono_ms() + (at * 1000 > wall_ms ? at * 1000 - wall_ms : 0) : 0;
}

void agent_expiry_due(struct agent *a, struct ajail *j)
{
	char kb[WG_KEY_B64_LEN + 1];
	struct wg_device *ch = wg_device_new();
	struct peer_target tgt;
	struct wj_err e;
	int up;

	wj_err_clear(&e);
	for (size_t i = 0; ch && j->conf && i < j->conf->n_peers; i++) {
		const struct wg_peer *p = &j->conf->peers[i];
		struct wg_peer *c;
		if (p->disabled || p->expires != j->expiry_at)
			continue;
		key_to_base64(kb, p->public_key);
		log_info("jail %s: peer %s%s%s%s expired; removing it from %s", j->name, p->name, p->name[0] ? " (" : "",
			 kb, p->name[0] ? ")" : "", j->spec.ifname);
		if ((c = wg_device_add_peer(ch, p->public_key)))
			c->flags = WGPEER_REMOVE;
	}
	if (!ch) {
		log_warnx("jail %s: out of memory removing expired peers", j->name);
	} else if (ch->n_peers && (up = peer_jail_target(&j->spec, &tgt, &e)) != 0) {
		if (up < 0 || peer_live_set(&tgt, ch, &e) < 0) {
			log_warnx("jail %s: expired peers: %s; reconciling", j->name, e.msg);
			j->due_ms = wj_mono_ms();
		}
	}
	wg_device_free(ch);
	agent_expiry_schedule(j, j->expiry_at); /* the next one; this second's are done */
	j->dirty = true;
	a->report_due = true;
}
