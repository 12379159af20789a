/* FreeBSD: the pf anchor of a jail spec (see agent/rcreach.h). */
#include "agent/rcreach.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "agent/jailspec.h"
#include "agent/reach.h"
#include "rc/pfanchor.h"
#include "rc/plan.h"
#include "util/fsutil.h"
#include "util/safefile.h"
#include "util/sbuf.h"
#include "util/err.h"

int rcreach_pf_anchor(const struct jail_spec *s, char **text, size_t *len, bool *need6, struct wj_err *e)
{
	struct reach_port p[REACH_MAX_PORTS];
	struct pf_port pp[REACH_MAX_PORTS];
	struct pf_jail j = {.name = s->name, .ext_if = s->nat_ifname, .ports = pp};

	*text = NULL;
	*len = 0;
	*need6 = false;
	if (!s->nat)
		return 0;
	if (!s->nat_ifname[0])
		return wj_errf(e, "jail %s: nat = yes: on FreeBSD name the host interface to NAT out of "
				  "(nat_interface = IF)", s->name);
	if (reach_check_others(s, e) < 0 || reach_published(s, p, &j.n_ports, e) < 0)
		return -1;
	for (size_t i = 0; i < j.n_ports; i++)
		pp[i] = (struct pf_port){p[i].proto == REACH_TCP ? IPPROTO_TCP : IPPROTO_UDP, p[i].host_port,
					 p[i].jail_port};
	for (size_t i = 0; i < s->n_jail_addr; i++) {
		int v6 = s->jail_addr[i].family == AF_INET6;
		if (!j.addr[v6].family)
			j.addr[v6] = s->jail_addr[i];
	}
	*need6 = j.addr[1].family != 0;
	j.nat6 = *need6 && reach_is_ula(&j.addr[1]);
	if (!(*text = rc_pf_anchor(&j, len)))
		return wj_errnof(e, ENOMEM, "jail %s: pf anchor", s->name);
	return 0;
}

/* ROOT/etc/NAME as text, NULL if there is none (or it cannot be read). */
static char *host_file(const char *root, const char *name, size_t *len)
{
	char path[PATH_MAX], *text = NULL;
	struct wj_err ignored;

	*len = 0;
	if (snprintf(path, sizeof(path), "%s/etc/%s", root, name) >= (int)sizeof(path) || !wj_exists(path) ||
	    wj_read_conf(path, 1 << 20, false, &text, len, &ignored) < 0)
		return NULL;
	return text;
}

int rcreach_provision(struct rc_plan *p, const char *root, const char *hguard, const struct jail_spec *s,
		      char **note, struct wj_err *e)
{
	char path[PATH_MAX], *text, *pf, *rc;
	size_t len, pflen, rclen;
	bool need6;
	struct rc_file *f;

	*note = NULL;
	if (rc_pf_anchor_path(root, s->name, path, sizeof(path)) < 0)
		return wj_errf(e, "%s: path too long", root);
	if (rcreach_pf_anchor(s, &text, &len, &need6, e) < 0)
		return -1;
	if (!text) {
		if (rc_plan_remove(p, hguard, path, false, rc_pf_anchor_is_ours, e) < 0)
			return -1;
		return (*note = strdup("")) ? 0 : wj_errnof(e, ENOMEM, "provision");
	}
	if (!(f = rc_plan_add(p, hguard, path, 0644, false, false, e))) {
		free(text);
		return -1;
	}
	if (f->exists && !rc_pf_anchor_is_ours(f->old, f->old_len)) {
		free(text);
		return wj_errf(e, "%s exists and is not a pf anchor that provision wrote: not replaced", f->path);
	}
	rc_plan_set(f, text, len, NULL);
	pf = host_file(root, "pf.conf", &pflen);
	rc = host_file(root, "rc.conf", &rclen);
	*note = rc_pf_hooks_missing(pf, pflen, rc, rclen, need6);
	free(pf);
	free(rc);
	return *note ? 0 : wj_errnof(e, ENOMEM, "provision");
}

char *rcreach_jail_conf(char *text, size_t *len, const struct jail_spec *s)
{
	struct wj_sbuf b = {0};
	char *lines, *out;
	size_t keep;

	if (!s->nat || !text || *len < 2 || strcmp(text + *len - 2, "}\n"))
		return text;
	if (!(lines = rc_pf_jail_lines(s->name))) {
		free(text);
		return NULL;
	}
	keep = *len - 2;
	wj_sb_append(&b, text, keep);
	wj_sb_printf(&b, "%s}\n", lines);
	free(lines);
	free(text);
	out = wj_sb_take(&b, len);
	return out;
}
