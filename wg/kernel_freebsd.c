/* The FreeBSD kernel backend: if_wg's SIOCGWG and SIOCSWG ioctls, each
 * carrying one packed nvlist (built and read by wg/nv_encode_freebsd.c and
 * wg/nv_decode_freebsd.c, which are pure and tested on Linux against
 * FreeBSD's libnv), and interface groups: "wg" (every if_wg interface is
 * in its cloner's group, also once renamed) for the probe and the list,
 * and a random group as the device's identity for the record of the last
 * sync.  This file only talks to the kernel, in a few small functions; it
 * compiles only on FreeBSD, where the compile-and-link suite
 * (tests/freebsd) checks it; nothing here runs in the test suite.
 *
 * SIOCGWG is the kernel's two-step read: with a size of 0 it says how
 * large the packed reply is; the second call fails with ENOSPC when the
 * configuration grew in between, and is then asked again.  The reply goes
 * to sodium memory (it carries the private key and the PSKs when the
 * caller is root).  SIOCSWG needs PRIV_NET_WG: root, or root of a vnet
 * jail. */
#include "wg/backend.h"

#include <sys/param.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sockio.h>

#include <dev/wg/if_wg.h>
#include <errno.h>
#include <net/if.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "wg/nv_freebsd.h"

#define GET_TRIES 10
#define WG_GROUP "wg"
/* The identity group: "wgjail" and nine random lowercase letters (42
 * bits; interface groups are at most 15 characters and may not end in a
 * digit). */
#define COOKIE_PREFIX "wgjail"
#define COOKIE_RANDOM 9
#define COOKIE_LEN (sizeof(COOKIE_PREFIX) - 1 + COOKIE_RANDOM)

static int ctl_socket(struct wj_err *e)
{
	int s = socket(AF_LOCAL, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0 && e)
		wj_errnof(e, errno, "socket for interface ioctls");
	return s;
}

/* An ioctl's errno, said the way an operator understands it. */
/* A table of errno and words, shaped like wg/nv_wire_freebsd.c's table of
 * nvlist types: both are plain lookup tables. */
static int kernel_error(int err, const char *ifname, const char *op, struct wj_err *e)
{
	static const struct {
		int err;
		const char *what;
	} known[] = {
		{ENXIO, "no such interface"},
		{ENOTTY, "not a WireGuard interface"},
		{EPERM, "permission denied (if_wg needs root; in a jail, the root of a vnet jail)"},
		{EBADMSG, "the kernel could not unpack the nvlist"},
		{E2BIG, "the change is too large for one SIOCSWG"},
		{EADDRINUSE, "the listen port is in use"},
		{EINVAL, "the kernel refused a value (it applies a change in order, up to the value it refuses)"},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (known[i].err == err)
			return wj_errf(e, "%s: %s: %s", ifname, op, known[i].what);
	return wj_errnof(e, err, "%s: %s", ifname, op);
}

/* ---- SIOCGWG / SIOCSWG ------------------------------------------------- */

/* The packed reply of SIOCGWG in sodium memory (*OUT, *LEN bytes). */
static int get_packed(int s, const char *ifname, uint8_t **out, size_t *len, struct wj_err *e)
{
	for (int tries = 0; tries < GET_TRIES; tries++) {
		struct wg_data_io wgd;
		uint8_t *buf;
		size_t size;
		int err;

		memset(&wgd, 0, sizeof(wgd));
		strlcpy(wgd.wgd_name, ifname, sizeof(wgd.wgd_name));
		if (ioctl(s, SIOCGWG, &wgd) < 0)
			return kernel_error(errno, ifname, "reading the device (SIOCGWG)", e);
		size = wgd.wgd_size;
		if (size == 0 || size > WG_NV_MAX_PACKED)
			return wj_errf(e, "%s: reading the device: the kernel announced %zu bytes", ifname, size);
		if (!(buf = sodium_malloc(size)))
			return wj_errnof(e, ENOMEM, "%s: reading the device (%zu bytes)", ifname, size);
		wgd.wgd_data = buf;
		wgd.wgd_size = size;
		if (ioctl(s, SIOCGWG, &wgd) == 0 && wgd.wgd_size <= size) {
			*out = buf;
			*len = wgd.wgd_size;
			return 0;
		}
		err = errno;
		sodium_free(buf);
		if (err != ENOSPC)
			return kernel_error(err, ifname, "reading the device (SIOCGWG)", e);
		/* the device grew between the two calls: ask again */
	}
	return wj_errf(e, "%s: the device kept growing while it was read (%d attempts)", ifname, GET_TRIES);
}

static int freebsd_get(const char *ifname, struct wg_device **out, struct wj_err *e)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int s = ctl_socket(e), r;

	*out = NULL;
	if (s < 0)
		return -1;
	r = get_packed(s, ifname, &buf, &len, e);
	close(s);
	if (r < 0)
		return -1;
	r = wg_nv_decode_get(buf, len, NULL, out, e);
	sodium_free(buf); /* wipes the keys the reply held */
	if (r < 0)
		return wj_err_prefix(e, "%s", ifname);
	snprintf((*out)->name, sizeof((*out)->name), "%s", ifname);
	return 0;
}

static bool has_update_only(const struct wg_device *c)
{
	for (size_t i = 0; i < c->n_peers; i++)
		if (c->peers[i].flags & WGPEER_UPDATE_ONLY)
			return true;
	return false;
}

static int freebsd_set(const char *ifname, const struct wg_device *changes, struct wj_err *e)
{
	struct wg_device *current = NULL;
	struct wg_data_io wgd;
	uint8_t *packed;
	size_t len;
	int s, r = 0;

	/* if_wg has no update-only: such peers are sent only if the device
	 * has them (a peer removed meanwhile is not brought back). */
	if (has_update_only(changes) && freebsd_get(ifname, &current, e) < 0)
		return -1;
	packed = wg_nv_encode_set(changes, current, &len, e);
	wg_device_free(current);
	if (!packed)
		return wj_err_prefix(e, "%s", ifname);
	if ((s = ctl_socket(e)) < 0) {
		wg_nv_packed_free(packed);
		return wj_err_prefix(e, "%s", ifname);
	}
	memset(&wgd, 0, sizeof(wgd));
	strlcpy(wgd.wgd_name, ifname, sizeof(wgd.wgd_name));
	wgd.wgd_data = packed;
	wgd.wgd_size = len;
	if (ioctl(s, SIOCSWG, &wgd) < 0)
		r = kernel_error(errno, ifname, "configuring the device (SIOCSWG)", e);
	close(s);
	wg_nv_packed_free(packed);
	return r;
}

/* ---- interface groups -------------------------------------------------- */

/* The groups of IFNAME (SIOCGIFGROUP, asked for the size first): *OUT
 * (malloc'd, entries with an empty name are unused) of *N entries. */
static int if_groups(int s, const char *ifname, struct ifg_req **out, size_t *n)
{
	for (int tries = 0; tries < 3; tries++) {
		struct ifgroupreq ifgr;
		struct ifg_req *g;
		u_int len;

		memset(&ifgr, 0, sizeof(ifgr));
		strlcpy(ifgr.ifgr_name, ifname, sizeof(ifgr.ifgr_name));
		if (ioctl(s, SIOCGIFGROUP, &ifgr) < 0)
			return -1;
		len = ifgr.ifgr_len;
		if (!(g = calloc(1, len ? len : 1)))
			return -1;
		ifgr.ifgr_groups = g;
		if (ioctl(s, SIOCGIFGROUP, &ifgr) == 0) {
			*out = g;
			*n = len / sizeof(*g);
			return 0;
		}
		free(g);
		if (errno != EINVAL) /* EINVAL: a group was added in between */
			return -1;
	}
	return -1;
}

static bool freebsd_has(const char *ifname)
{
	struct ifg_req *g;
	size_t n;
	bool found = false;
	int s = ctl_socket(NULL);

	if (s < 0)
		return false;
	if (if_groups(s, ifname, &g, &n) == 0) {
		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(g[i].ifgrq_group, WG_GROUP) == 0;
		free(g);
	}
	close(s);
	return found;
}

static int append_name(char ***names, size_t *n, const char *name)
{
	char **v = realloc(*names, (*n + 1) * sizeof(*v));

	if (!v)
		return -1;
	*names = v;
	if (!(v[*n] = strdup(name)))
		return -1;
	(*n)++;
	return 0;
}

/* The members of the group "wg" (SIOCGIFGMEMB; no group: no interface). */
static int freebsd_list(char ***names, size_t *n, struct wj_err *e)
{
	struct ifgroupreq ifgr;
	struct ifg_req *m = NULL;
	u_int len;
	int s = ctl_socket(e), r = 0;

	if (s < 0)
		return -1;
	memset(&ifgr, 0, sizeof(ifgr));
	strlcpy(ifgr.ifgr_name, WG_GROUP, sizeof(ifgr.ifgr_name));
	if (ioctl(s, SIOCGIFGMEMB, &ifgr) < 0) {
		r = errno == ENOENT ? 0 : wj_errnof(e, errno, "listing WireGuard interfaces (group %s)", WG_GROUP);
		goto out;
	}
	len = ifgr.ifgr_len + 8 * sizeof(*m); /* room for a few created meanwhile */
	if (!(m = calloc(1, len))) {
		r = wj_errnof(e, ENOMEM, "listing WireGuard interfaces");
		goto out;
	}
	ifgr.ifgr_len = len;
	ifgr.ifgr_groups = m;
	if (ioctl(s, SIOCGIFGMEMB, &ifgr) < 0) {
		r = errno == ENOENT ? 0 : wj_errnof(e, errno, "listing WireGuard interfaces (group %s)", WG_GROUP);
		goto out;
	}
	for (size_t i = 0; i < len / sizeof(*m); i++) {
		char name[IFNAMSIZ + 1];
		snprintf(name, sizeof(name), "%.*s", IFNAMSIZ, m[i].ifgrq_member);
		if (name[0] && append_name(names, n, name) < 0) {
			r = wj_errnof(e, ENOMEM, "listing WireGuard interfaces");
			break;
		}
	}
out:
	free(m);
	close(s);
	return r;
}

/* ---- identity ------------------------------------------------------------
 * FreeBSD reuses interface indexes (the lowest free one) and its interface
 * epoch counts seconds, so a destroyed and re-created wg0 can have both of
 * the old ones.  The identity is instead a random interface group that
 * wgjail adds to the device when it records a sync: a new interface has
 * no such group (and a move to another vnet drops every group), so it can
 * never match a stale record.  Adding a group needs root
 * (PRIV_NET_ADDIFGROUP, which a vnet jail's root has). */

static bool is_cookie(const char *g)
{
	if (strnlen(g, IFNAMSIZ) != COOKIE_LEN || strncmp(g, COOKIE_PREFIX, sizeof(COOKIE_PREFIX) - 1) != 0)
		return false;
	for (size_t i = sizeof(COOKIE_PREFIX) - 1; i < COOKIE_LEN; i++)
		if (g[i] < 'a' || g[i] > 'z')
			return false;
	return true;
}

static int group_op(int s, unsigned long op, const char *ifname, const char *group)
{
	struct ifgroupreq ifgr;

	memset(&ifgr, 0, sizeof(ifgr));
	strlcpy(ifgr.ifgr_name, ifname, sizeof(ifgr.ifgr_name));
	strlcpy(ifgr.ifgr_group, group, sizeof(ifgr.ifgr_group));
	return ioctl(s, op, &ifgr);
}

/* IFNAME's cookie into COOKIE: the one it has, else (MINT) a new one, the
 * stray ones removed.  Returns 0 or -1. */
static int cookie_of(int s, const char *ifname, bool mint, char cookie[IFNAMSIZ])
{
	struct ifg_req *g;
	size_t n, found = 0, at = 0;

	if (if_groups(s, ifname, &g, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (is_cookie(g[i].ifgrq_group))
			found++, at = i;
	if (found == 1) {
		strlcpy(cookie, g[at].ifgrq_group, IFNAMSIZ);
		free(g);
		return 0;
	}
	if (mint)
		for (size_t i = 0; i < n; i++)
			if (is_cookie(g[i].ifgrq_group))
				(void)group_op(s, SIOCDIFGROUP, ifname, g[i].ifgrq_group);
	free(g);
	if (!mint)
		return -1;
	memcpy(cookie, COOKIE_PREFIX, sizeof(COOKIE_PREFIX) - 1);
	for (size_t i = sizeof(COOKIE_PREFIX) - 1; i < COOKIE_LEN; i++)
		cookie[i] = (char)('a' + randombytes_uniform(26));
	cookie[COOKIE_LEN] = '\0';
	return group_op(s, SIOCAIFGROUP, ifname, cookie);
}

static int freebsd_identity(const char *ifname, bool mint, char *out, size_t outsz)
{
	char cookie[IFNAMSIZ];
	unsigned idx = if_nametoindex(ifname);
	int s, n = -1;

	if (!idx || (s = ctl_socket(NULL)) < 0)
		return -1;
	if (cookie_of(s, ifname, mint, cookie) == 0)
		n = snprintf(out, outsz, "freebsd %u %s", idx, cookie);
	close(s);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

const struct wg_backend wg_backend_freebsd = {"kernel (if_wg)", freebsd_has,  freebsd_get,
					      freebsd_set,  freebsd_list, freebsd_identity, NULL};
