/* Helpers of `up`'s steps and the uplink kinds (agent/jailrun_linux.h). */
#include "agent/jailrun_linux.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/wggo_linux.h"
#include "netconf/route.h"
#include "util/array.h"
#include "util/err.h"
#include "util/paths.h"
#include "util/fsutil.h"

void run_say(struct jail_run *r, const char *fmt, ...)
{
	va_list ap;

	r->extra_changes++;
	fputs(r->o->dry ? "would: " : "", r->o->out);
	va_start(ap, fmt);
	vfprintf(r->o->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->o->out);
}

int run_save(struct jail_run *r, struct wj_err *e)
{
	return r->o->dry ? 0 : jailstate_save(r->s->name, &r->st, e);
}

/* (Another jail with the same id in another configuration directory, or
 * someone else's link: never adopted, so never deleted.) */
int run_claim_hostif(struct jail_run *r, const char *prefix, struct wj_err *e)
{
	char name[WJ_IFNAME_MAX + 1];
	struct link_info li = {0};
	int got;

	snprintf(name, sizeof(name), "%s%u", prefix, r->s->id);
	if (!strcmp(r->st.hostif, name))
		return 0;
	got = link_get(&r->host, name, &li, e);
	if (got < 0)
		return -1;
	if (got == 1)
		return wj_errf(e, "jail %s: link %s exists on the host and is not this jail's (another jail with id %u?)",
			       r->s->name, name, r->s->id);
	snprintf(r->st.hostif, sizeof(r->st.hostif), "%s", name);
	return 0;
}

static int start_wggo(struct jail_run *r, const char *ifname, int nsfd, struct wj_err *e)
{
	if (r->o->dry) {
		run_say(r, "%s: start %s for %s", nsfd >= 0 ? "jail" : "host", wj_wireguard_go(), ifname);
		return 0;
	}
	char target[64], sock[600];

	if (wj_mkdirs(r->uapi_dir, 0700, e) < 0 || wj_mkdirs(r->wggo_dir, 0700, e) < 0)
		return -1;
	snprintf(r->st.impl, sizeof(r->st.impl), "userspace");
	snprintf(r->st.uapi_name, sizeof(r->st.uapi_name), "%s", ifname);
	if (wggo_start(ifname, nsfd, r->wggo_dir, r->log_path, &r->st.wggo_pid, &r->st.wggo_start, e) < 0)
		return -1;
	/* wireguard-go's own directory holds its socket, named after the
	 * interface it created; the jail's UAPI directory names it after
	 * the jail's interface.  (A symbolic link: wireguard-go watches its
	 * socket file with inotify and shuts down on any event, so the
	 * socket itself is never touched.) */
	snprintf(target, sizeof(target), "../wireguard-go/%s.sock", ifname);
	snprintf(sock, sizeof(sock), "%s/%s.sock", r->uapi_dir, r->s->ifname);
	unlink(sock);
	if (symlink(target, sock) < 0)
		return wj_errnof(e, errno, "jail %s: %s", r->s->name, sock);
	run_say(r, "%s: started %s for %s (pid %d)", nsfd >= 0 ? "jail" : "host", wj_wireguard_go(), ifname,
		(int)r->st.wggo_pid);
	return run_save(r, e);
}

int run_create_wg(struct jail_run *r, struct nc *c, const char *name, int nsfd, struct wj_err *e)
{
	enum jail_impl impl = r->s->impl;

	if (impl != IMPL_USERSPACE) {
		if (r->o->dry) {
			if (impl == IMPL_AUTO)
				run_say(r, "%s: create WireGuard interface %s (kernel, or %s if the kernel has none)",
					c->where, name, wj_wireguard_go());
			else
				return link_create(c, name, "wireguard", e);
			return 0;
		}
		/* Tried quietly: the kernel may have no WireGuard. */
		void (*saved_note)(void *, const char *, const char *) = c->note;
		int got;
		c->note = NULL;
		got = link_create(c, name, "wireguard", e);
		c->note = saved_note;
		c->changes--;
		if (got == 0) {
			nc_note(c, "create kernel WireGuard link %s", name);
			snprintf(r->st.impl, sizeof(r->st.impl), "kernel");
			return run_save(r, e);
		}
		if (impl == IMPL_KERNEL || (e->code != EOPNOTSUPP && e->code != ENOTSUP))
			return -1;
		wj_err_clear(e);
	}
	return start_wggo(r, name, nsfd, e);
}

void run_default_dst(struct wg_ipmask *d, int family)
{
	memset(d, 0, sizeof(*d));
	d->family = (uint16_t)family;
}

int plist_add(struct plist *l, const struct wg_ipmask *m, struct wj_err *e)
{
	struct wg_ipmask *nv = wj_grow(l->v, &l->cap, l->n, sizeof(*nv), 16);
	if (!nv)
		return wj_errnof(e, ENOMEM, "routes");
	l->v = nv;
	l->v[l->n++] = *m;
	return 0;
}

int run_wg_route(struct jail_run *r, struct plist *keep, const struct wg_ipmask *dst, struct wj_err *e)
{
	if (plist_add(keep, dst, e) < 0)
		return -1;
	return route_add(&r->jail, dst, NULL, r->s->ifname, e);
}
