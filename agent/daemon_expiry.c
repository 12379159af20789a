/* The agent's part of peer expiry (issue 18): per jail, the next expiry of
 * a peer of its last good config, as a monotonic deadline; at that moment
 * one remove per expired peer is sent to the jail's interface (no
 * read-back, no reconcile: the other sessions are not touched), the
 * jail's own copies of its files are brought in step (agent/expiry.h),
 * and the peer is logged by name.  The configuration keeps it; a later
 * reconcile leaves it out as `up` does (agent/jail_linux.c). */
#include <errno.h>
#include <time.h>

#include "agent/daemon_int.h"
#include "agent/expiry.h"
#include "agent/jailtx.h"
#include "agent/platform.h"
#include "util/clock.h"
#include "util/err.h"
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

int expiry_take_off(const struct wj_platform *pl, const struct jail_spec *s, const struct wg_device *conf, int64_t at,
		    struct wj_err *e)
{
	char kb[WG_KEY_B64_LEN + 1];
	struct wg_device *ch = wg_device_new();
	bool live;
	int r;

	if (!ch)
		return wj_errnof(e, ENOMEM, "jail %s: removing expired peers", s->name);
	for (size_t i = 0; conf && i < conf->n_peers; i++) {
		const struct wg_peer *p = &conf->peers[i];
		struct wg_peer *c;
		if (p->disabled || p->expires != at)
			continue;
		key_to_base64(kb, p->public_key);
		log_info("jail %s: peer %s%s%s%s expired; removing it from %s", s->name, p->name, p->name[0] ? " (" : "",
			 kb, p->name[0] ? ")" : "", s->ifname);
		if (!(c = wg_device_add_peer(ch, p->public_key))) {
			wg_device_free(ch);
			return wj_errnof(e, ENOMEM, "jail %s: removing expired peers", s->name);
		}
		c->flags = WGPEER_REMOVE;
	}
	r = ch->n_peers ? jailtx_follow(pl, s, true, ch, "peers expired", &live, e) : 0;
	wg_device_free(ch);
	return r;
}

void agent_expiry_due(struct agent *a, struct ajail *j)
{
	struct wj_err e;

	wj_err_clear(&e);
	if (expiry_take_off(wj_platform(), &j->spec, j->conf, j->expiry_at, &e) < 0) {
		log_warnx("jail %s: expired peers: %s; reconciling", j->name, e.msg);
		j->due_ms = wj_mono_ms();
	}
	agent_expiry_schedule(j, j->expiry_at); /* the next one; this second's are done */
	j->dirty = true;
	a->report_due = true;
}
