/* `up` and `down` on Linux: a list of steps (see agent/jail_linux.h).
 *
 *   step        up (forwards)                        down (backwards)
 *   namespace   the jail's network namespace         delete it if `up` made it;
 *                                                    forget what was kept about
 *                                                    its interface
 *   loopback    lo up                                -
 *   uplink      the uplink kind's way out            the kind's down
 *               (bridge: bridge, veth, addresses,    (bridge: the veth, what was
 *               default routes; wireguard: nothing)  added to the bridge)
 *   wireguard   the WireGuard link, created where    stop wireguard-go, delete a
 *               the kind wants its socket            kernel link, the kind's rest
 *   tunnel      MTU, tunnel addresses, the config    -
 *               synced, link up
 *   routes      the kind's routes                    -
 *   nat         the jail's chains in the host's      remove them (the table and
 *               table inet wgjail, forwarding on     the forwarding with the last
 *               (agent/jailreach_linux.h)            jail's)
 *   host link   the jail's firewall, then the veth   delete the veth
 *               into a WireGuard-only jail
 *
 * Each step is idempotent (a no-op where its target already holds: `up`
 * on a running jail reconciles) and prints what it changes; what it
 * creates is recorded in the jail's state (agent/jailstate.h) before or
 * as it is created.  A `down` works from that record alone, walking the
 * steps backwards.  When an `up` of a jail that was not up fails, the
 * steps it went through are walked backwards the same way (as jail(8)
 * undoes the exec.* commands of a start that failed), so it leaves
 * nothing behind; a failed reconcile leaves the jail running as it was,
 * and `down` removes it all.
 *
 * A new piece of a jail is a new row here, with its own record in the
 * state. */
#include "agent/jailrun_linux.h"
#include "agent/jailcall.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/jaillock.h"
#include "agent/jailreach_linux.h"
#include "agent/jailwg.h"
#include "agent/wggo_linux.h"
#include "netconf/addr.h"
#include "netconf/netns.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/stores.h"
#include "wg/applied.h"
#include "wg/config.h"
#include "wg/peer_meta.h"
#include "wg/sync.h"
#include "wg/uapi.h"

/* up: 0, 1 (done, but the sync left peers out), -1.  down: 0, -1. */
struct jail_step {
	const char *name;
	int (*up)(struct jail_run *r, struct wj_err *e);
	int (*down)(struct jail_undo *d, struct wj_err *e);
};

static void note(void *arg, const char *where, const char *what)
{
	const struct jail_run *r = arg;

	fprintf(r->o->out, "%s%s: %s\n", r->o->dry ? "would: " : "", where, what);
}

static void down_note(void *arg, const char *where, const char *what)
{
	fprintf(arg, "%s: %s\n", where, what);
}

/* Open C's socket inside the namespace NSFD.  Enter, call, leave: written
 * out at each such call (agent/jailreach_linux.c has two more), as a
 * callback would take more lines than it saves. */
static int nc_open_in(struct nc *c, int nsfd, const char *where, struct wj_err *e)
{
	int saved, r;

	if (netns_enter_fd(nsfd, &saved, e) < 0)
		return -1;
	r = nc_open(c, where, e);
	netns_leave(saved);
	return r;
}

/* ---- namespace --------------------------------------------------------- */

static int namespace_up(struct jail_run *r, struct wj_err *e)
{
	const char *name = r->s->name;

	if (!netns_exists(name)) {
		if (r->o->dry) {
			run_say(r, "host: create network namespace %s", name);
			r->fresh = true;
			r->nsfd = netns_new_anonymous(e);
			return r->nsfd < 0 ? -1 : nc_open_in(&r->jail, r->nsfd, "jail", e);
		}
		bool created;
		/* Recorded before it exists: a failure half-way still lets
		 * `down` remove it. */
		r->st.netns_created = true;
		if (run_save(r, e) < 0)
			return -1;
		if (netns_create(name, &created, e) < 0) {
			r->st.netns_created = false; /* nothing was made */
			return -1;
		}
		if (created)
			run_say(r, "host: create network namespace %s", name);
	}
	r->nsfd = netns_open(name, e);
	return r->nsfd < 0 ? -1 : nc_open_in(&r->jail, r->nsfd, "jail", e);
}

static int namespace_down(struct jail_undo *d, struct wj_err *e)
{
	unsigned long long ns_ino = netns_inode(d->name);

	if (d->st.netns_created && netns_exists(d->name)) {
		if (netns_delete(d->name, e) < 0)
			return -1;
		fprintf(d->out, "host: delete network namespace %s\n", d->name);
	}
	/* What was kept about the jail's interface (the record of the last
	 * sync, the endpoint memory) describes nothing any more. */
	if (ns_ino)
		wj_stores_forget(WJ_FORGET_DOWN, &(struct wj_store_scope){
			.jail = d->name, .ifname = d->st.netns_created ? NULL : d->st.ifname, .ns = ns_ino});
	return 0;
}

/* ---- loopback, uplink -------------------------------------------------- */

static int loopback_up(struct jail_run *r, struct wj_err *e)
{
	return link_set_up(&r->jail, "lo", true, e);
}

static int uplink_up(struct jail_run *r, struct wj_err *e)
{
	return r->kind->live->up ? r->kind->live->up(r, e) : 0;
}

static int uplink_down(struct jail_undo *d, struct wj_err *e)
{
	return d->kind->live->down ? d->kind->live->down(d, e) : 0;
}

/* ---- wireguard --------------------------------------------------------- */

/* The WireGuard interface exists in the jail already: which kind? */
static int existing_wg(struct jail_run *r, const struct link_info *li, struct wj_err *e)
{
	if (!strcmp(li->kind, "wireguard")) {
		snprintf(r->st.impl, sizeof(r->st.impl), "kernel");
		return 0;
	}
	if (!strcmp(li->kind, "tun") && r->st.wggo_pid && wggo_alive(r->st.wggo_pid, r->st.wggo_start))
		return 0;
	return wj_errf(e, "jail %s: %s exists but is neither a kernel WireGuard link nor served by a wireguard-go "
			  "that wgjail started (take the jail down first)",
		       r->s->name, li->name);
}

static int wireguard_up(struct jail_run *r, struct wj_err *e)
{
	const struct jail_spec *s = r->s;
	struct link_info li = {0};
	int got = link_get(&r->jail, s->ifname, &li, e);

	if (got < 0)
		return -1;
	snprintf(r->st.ifname, sizeof(r->st.ifname), "%s", s->ifname);
	if (got == 1)
		return existing_wg(r, &li, e);
	if (s->impl == IMPL_KERNEL && !strcmp(r->st.impl, "userspace"))
		r->st.impl[0] = '\0';
	return r->kind->live->wg_create(r, e);
}

static int wireguard_down(struct jail_undo *d, struct wj_err *e)
{
	const struct jail_state *st = &d->st;

	if (st->wggo_pid && wggo_alive(st->wggo_pid, st->wggo_start)) {
		if (wggo_stop(st->wggo_pid, st->wggo_start, e) < 0)
			return -1;
		fprintf(d->out, "host: stopped %s (pid %d)\n", wj_wireguard_go(), (int)st->wggo_pid);
	}
	if (netns_exists(d->name) && st->ifname[0] && !strcmp(st->impl, "kernel")) {
		struct nc jail = {.note = down_note, .arg = d->out};
		int saved, r;
		if (netns_enter(d->name, &saved, e) < 0)
			return -1;
		r = nc_open(&jail, "jail", e);
		netns_leave(saved);
		if (r == 0)
			r = link_delete(&jail, st->ifname, e);
		nc_close(&jail);
		if (r < 0)
			return -1;
	}
	return d->kind->live->wg_down ? d->kind->live->wg_down(d, e) : 0;
}

/* ---- tunnel ------------------------------------------------------------ */

static int sync_conf(struct jail_run *r, struct wj_err *e)
{
	struct wg_sync_result res = {0};
	int rc;

	if (r->fresh || (r->o->dry && !link_get(&r->jail, r->s->ifname, &(struct link_info){0}, e))) {
		run_say(r, "jail: configure %s from its file (%zu peer%s)", r->s->ifname, r->conf->n_peers,
			r->conf->n_peers == 1 ? "" : "s");
		return 0;
	}
	/* Inside the jail (agent/jailcall.h): the UAPI socket (wireguard-go)
	 * is in the jail's own directory; a kernel link is reached over
	 * generic netlink from inside. */
	rc = jail_dev_sync(r->s->name, r->s->ifname, r->conf, r->o->dry, r->o->out, &res, e);
	if (rc < 0)
		return -1;
	r->extra_changes += (unsigned)(res.added + res.removed + res.changed + (res.device_changed ? 1 : 0));
	return rc;
}

static int tunnel_up(struct jail_run *r, struct wj_err *e)
{
	const char *ifname = r->s->ifname;
	int synced;

	if (link_set_mtu(&r->jail, ifname, r->mtu, e) < 0)
		return -1;
	for (size_t i = 0; i < r->n_addr; i++)
		if (addr_add(&r->jail, ifname, &r->addr[i], e) < 0)
			return -1;
	if ((synced = sync_conf(r, e)) < 0 || link_set_up(&r->jail, ifname, true, e) < 0)
		return -1;
	return synced;
}

/* ---- routes ------------------------------------------------------------ */

static int routes_up(struct jail_run *r, struct wj_err *e)
{
	return r->kind->live->routes(r, e);
}

/* ---- reaching the jail (agent/jailreach_linux.h) ------------------------- */

static int reach_save(void *arg, struct wj_err *e)
{
	return run_save(arg, e);
}

static struct reach_run reach_of(struct jail_run *r)
{
	return (struct reach_run){.s = r->s, .st = &r->st, .dry = r->o->dry, .out = r->o->out, .save = reach_save,
				  .arg = r};
}

static int nat_up(struct jail_run *r, struct wj_err *e)
{
	struct reach_run rr = reach_of(r);
	int got = jailreach_nat_up(&rr, &r->host, e);

	r->extra_changes += rr.changes;
	return got;
}

static int nat_down(struct jail_undo *d, struct wj_err *e)
{
	return jailreach_nat_down(d->name, &d->st, d->out, e);
}

static int hostlink_up(struct jail_run *r, struct wj_err *e)
{
	struct reach_run rr = reach_of(r);
	int got = jailreach_hostlink_up(&rr, &r->host, &r->jail, r->nsfd, e);

	r->extra_changes += rr.changes;
	return got;
}

static int hostlink_down(struct jail_undo *d, struct wj_err *e)
{
	return jailreach_hostlink_down(&d->st, d->host, e);
}

static const struct jail_step steps[] = {
	{"namespace", namespace_up, namespace_down},
	{"loopback", loopback_up, NULL},
	{"uplink", uplink_up, uplink_down},
	{"wireguard", wireguard_up, wireguard_down},
	{"tunnel", tunnel_up, NULL},
	{"routes", routes_up, NULL},
	{"nat", nat_up, nat_down},
	{"host link", hostlink_up, hostlink_down},
};
#define N_STEPS (sizeof(steps) / sizeof(steps[0]))

/* Walk steps [0, N) backwards, from D's state. */
static int walk_down(struct jail_undo *d, size_t n, struct wj_err *e)
{
	for (size_t i = n; i-- > 0;)
		if (steps[i].down && steps[i].down(d, e) < 0)
			return -1;
	return 0;
}

/* ---- up ---------------------------------------------------------------- */

static int load_conf(struct jail_run *r, struct wj_err *e)
{
	const struct jail_spec *s = r->s;

	if (jailwg_load(s->name, s->ifname, &r->conf, e) < 0)
		return -1;
	/* Disabled and expired peers stay in the files, not on the link. */
	wg_device_drop_inactive(r->conf, (int64_t)time(NULL));
	/* Tunnel addresses: the spec's, else the file's Address lines. */
	for (size_t i = 0; i < s->n_address; i++)
		r->addr[r->n_addr++] = s->address[i];
	for (size_t i = 0; !s->n_address && i < r->conf->quick.n_address && r->n_addr < 2 * JAIL_MAX_ADDRS; i++)
		r->addr[r->n_addr++] = r->conf->quick.address[i];
	r->mtu = s->mtu ? s->mtu : r->conf->quick.mtu ? r->conf->quick.mtu : JAIL_DEFAULT_MTU;
	return 0;
}

/* Everything that may stop `up` before a step runs.  *FOUND: the jail has
 * state (it is up, or half up). */
static int prepare(struct jail_run *r, int *found, struct wj_err *e)
{
	const struct jail_spec *s = r->s;

	if (load_conf(r, e) < 0 || (*found = jailstate_load(s->name, &r->st, e)) < 0 ||
	    jailstate_check_host(s->name, &r->st, e) < 0)
		return -1;
	r->st.hostns = jailstate_current_netns();
	if (r->st.uplink[0] && strcmp(r->st.uplink, uplink_name(r->s->uplink)))
		return wj_errf(e, "jail %s is up with a %s uplink; the spec now says otherwise: take it down first",
			       s->name, r->st.uplink);
	snprintf(r->st.uplink, sizeof(r->st.uplink), "%s", uplink_name(r->s->uplink));
	if (r->st.ifname[0] && strcmp(r->st.ifname, s->ifname))
		return wj_errf(e, "jail %s is up with interface %s; the spec now says %s: take it down first", s->name,
			       r->st.ifname, s->ifname);
	r->host.dry = r->jail.dry = r->o->dry;
	r->host.note = r->jail.note = note;
	r->host.arg = r->jail.arg = r;
	return nc_open(&r->host, "host", e);
}

/* A jail that was not up failed to come up after the steps [0, N): walk
 * them back and forget it.  E keeps the failure; a failure to undo is
 * added to it. */
static void unwind(struct jail_run *r, size_t n, struct wj_err *e)
{
	struct jail_undo d = {.name = r->s->name, .kind = r->kind, .st = r->st, .host = &r->host, .out = r->o->out};
	struct wj_err u;
	char first[WJ_ERR_MAX];

	nc_close(&r->jail);
	if (r->nsfd >= 0)
		close(r->nsfd);
	r->nsfd = -1;
	wj_err_clear(&u);
	if (walk_down(&d, n, &u) == 0 && jailstate_remove(r->s->name, &u) == 0)
		return;
	snprintf(first, sizeof(first), "%s", e->msg);
	wj_errf(e, "%s; undoing this up failed too (%s): 'wgjail down %s' removes the rest", first, u.msg,
		r->s->name);
}

int jail_up(const struct jail_spec *s, const struct jail_up_opts *o, struct wj_err *e)
{
	struct jail_run r = {.s = s, .kind = uplink_kind(s->uplink), .o = o, .nsfd = -1};
	size_t i = 0;
	int lockfd = -1, rc = -1, found = 0, partial = 0;

	if (jailspec_validate(s, e) < 0)
		return -1;
	if (jail_uapi_dir(s->name, r.uapi_dir, sizeof(r.uapi_dir)) < 0 ||
	    jail_run_path(r.log_path, sizeof(r.log_path), s->name, "wireguard-go.log") < 0 ||
	    jail_run_path(r.wggo_dir, sizeof(r.wggo_dir), s->name, "wireguard-go") < 0)
		return wj_errf(e, "jail %s: path too long", s->name);
	if (jail_lock(s->name, &lockfd, e) < 0)
		return -1;
	if (prepare(&r, &found, e) < 0)
		goto out;
	for (i = 0; i < N_STEPS; i++) {
		int got = steps[i].up(&r, e);
		if (got < 0)
			break;
		partial |= got;
	}
	if (i < N_STEPS || run_save(&r, e) < 0) {
		/* (A step that failed may have made part of its change.) */
		if (!found && !o->dry)
			unwind(&r, i < N_STEPS ? i + 1 : N_STEPS, e);
		goto out;
	}
	rc = partial;
	if (r.host.changes + r.jail.changes + r.extra_changes == 0)
		fprintf(o->out, "jail %s: up to date, nothing changed\n", s->name);
	else if (o->dry)
		fprintf(o->out, "jail %s: nothing changed (dry run)\n", s->name);
	else
		fprintf(o->out, "jail %s: up (%s uplink, %s WireGuard %s)\n", s->name, uplink_name(s->uplink),
			r.st.impl[0] ? r.st.impl : impl_name(s->impl), s->ifname);
out:
	nc_close(&r.jail);
	nc_close(&r.host);
	if (r.nsfd >= 0)
		close(r.nsfd);
	wg_device_free(r.conf);
	jail_unlock(lockfd);
	return rc;
}

/* ---- down -------------------------------------------------------------- */

int jail_down(const char *name, FILE *out, struct wj_err *e)
{
	struct nc host = {.note = down_note, .arg = out};
	struct jail_undo d = {.name = name, .host = &host, .out = out};
	char lock[PATH_MAX], q[80];
	const char *why = wj_jail_name_invalid(name);
	int lockfd = -1, rc = -1, found;

	if (why)
		return wj_errf(e, "jail name '%s': %s", wj_quote(name, q, sizeof(q)), why);
	if (jail_path(lock, sizeof(lock), name, NULL) < 0)
		return wj_errf(e, "jail %s: path too long", name);
	if (wj_exists(lock) && jail_lock(name, &lockfd, e) < 0)
		return -1;
	if ((found = jailstate_load(name, &d.st, e)) < 0)
		goto out;
	if (!found) {
		fprintf(out, "jail %s: not up (no state in %s/jails), nothing to do\n", name, wj_statedir());
		rc = 0;
		goto out;
	}
	if (jailstate_check_host(name, &d.st, e) < 0)
		goto out;
	if (!(d.kind = uplink_kind_named(d.st.uplink))) {
		wj_errf(e, "jail %s: its state names the uplink '%s', which is not %s: nothing removed", name,
			wj_quote(d.st.uplink, q, sizeof(q)), uplink_choices());
		goto out;
	}
	if (nc_open(&host, "host", e) < 0 || walk_down(&d, N_STEPS, e) < 0 || jailstate_remove(name, e) < 0)
		goto out;
	fprintf(out, "jail %s: down\n", name);
	rc = 0;
out:
	nc_close(&host);
	jail_unlock(lockfd);
	return rc;
}
