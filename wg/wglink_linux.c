/* WireGuard links of the current network namespace (wg/wglink.h): a
 * thin layer over netconf/link_linux.c, which does the rtnetlink work for every
 * kind of link, with the messages an operator needs for this one. */
#include "wg/wglink.h"
#include "netconf/link.h"
#include "util/err.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WG_KIND "wireguard"

static int open_here(struct nc *c, const char *name, struct wj_err *e)
{
	const char *why = wj_ifname_invalid(name);
	char q[64];

	if (why)
		return wj_errf(e, "interface '%s': %s", wj_quote(name, q, sizeof(q)), why);
	memset(c, 0, sizeof(*c));
	return nc_open(c, "host", e);
}

/* open_here, and link NAME looked up into *LI: 1, or 0 if there is none,
 * or -1.  C (zeroed by the caller) is closed by nc_close in every case. */
static int open_link(struct nc *c, const char *name, struct link_info *li, struct wj_err *e)
{
	if (open_here(c, name, e) < 0)
		return -1;
	return link_get(c, name, li, e);
}

int wglink_is_wireguard(const char *name, struct wj_err *e)
{
	struct nc c = {0};
	struct link_info li = {0};
	int r = open_link(&c, name, &li, e);

	nc_close(&c);
	return r <= 0 ? r : strcmp(li.kind, WG_KIND) == 0;
}

int wglink_create(const char *name, struct wj_err *e)
{
	struct nc c = {0};
	struct link_info li = {0};
	int r = open_link(&c, name, &li, e);

	if (r < 0 && !c.nl.mnl)
		return -1; /* not even opened: E says why */
	if (r == 1 && strcmp(li.kind, WG_KIND) != 0) {
		nc_close(&c);
		return wj_errf(e, "%s: a link of that name exists and is not a WireGuard link", name);
	}
	if (r == 0)
		r = link_create(&c, name, WG_KIND, e);
	nc_close(&c);
	if (r >= 0)
		return 0;
	if (e->code == EOPNOTSUPP)
		return wj_errf(e, "%s: cannot create a WireGuard link: the wireguard kernel module is not loaded "
			       "(the kernel does not know the link type \"wireguard\")", name);
	if (e->code == EPERM)
		return wj_errf(e, "%s: cannot create a WireGuard link: permission denied (needs CAP_NET_ADMIN)", name);
	return wj_err_prefix(e, "cannot create WireGuard link");
}

int wglink_delete(const char *name, struct wj_err *e)
{
	struct nc c;
	int r;

	if (open_here(&c, name, e) < 0)
		return -1;
	r = link_delete(&c, name, e);
	nc_close(&c);
	if (r >= 0)
		return 0;
	if (e->code == EPERM)
		return wj_errf(e, "%s: cannot delete the link: permission denied (needs CAP_NET_ADMIN)", name);
	return wj_err_prefix(e, "cannot delete link");
}

int wglink_list(char ***names, size_t *n, struct wj_err *e)
{
	struct nc c;
	struct link_info *links = NULL;
	size_t nl = 0, have = *n;
	char **v;
	int r = -1;

	memset(&c, 0, sizeof(c));
	if (nc_open(&c, "host", e) < 0)
		return -1;
	if (link_list(&c, &links, &nl, e) < 0)
		goto out;
	v = realloc(*names, (have + nl + 1) * sizeof(*v));
	if (!v) {
		wj_errnof(e, ENOMEM, "listing WireGuard links");
		goto out;
	}
	*names = v;
	for (size_t i = 0; i < nl; i++) {
		if (strcmp(links[i].kind, WG_KIND) != 0)
			continue;
		if (!(v[*n] = strdup(links[i].name))) {
			wj_errnof(e, ENOMEM, "listing WireGuard links");
			goto out;
		}
		(*n)++;
	}
	r = 0;
out:
	free(links);
	nc_close(&c);
	return r;
}
