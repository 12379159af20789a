/* The jail spec: what `wgjail create` writes and everything else reads.
 *
 * Layout of the configuration directory (see wgjail.conf(5)):
 *   CONFDIR/                 0755
 *   CONFDIR/NAME/            0700, one directory per jail
 *   CONFDIR/NAME/jail.conf   the spec (INI), 0644
 *   CONFDIR/NAME/IF.conf     the jail's WireGuard config (wg(8) format
 *                            plus wg-quick keys), 0600; IF is the spec's
 *                            interface (default wg0)
 *   CONFDIR/NAME/.lock       serialises edits of the two files
 */
#ifndef WGJAIL_JAILSPEC_H
#define WGJAIL_JAILSPEC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strutil.h"
#include "wg/model.h"

struct wj_err;

enum jail_uplink { UPLINK_BRIDGE, UPLINK_WIREGUARD };
enum jail_impl { IMPL_AUTO, IMPL_KERNEL, IMPL_USERSPACE };

#define JAIL_MAX_ADDRS 8
#define JAIL_ID_MAX 4095
#define JAIL_MAX_PUBLISH 8   /* publish, host_allow entries */
#define JAIL_PORTSPEC_LEN 20 /* "tcp:65535:65535" */

struct jail_spec {
	char name[WJ_JAIL_NAME_MAX + 1];
	unsigned id;                       /* 0..JAIL_ID_MAX: epairN, link names */
	enum jail_uplink uplink;
	enum jail_impl impl;
	char bridge[WJ_IFNAME_MAX + 1];    /* bridge uplink: the host bridge */
	/* Bridge uplink: the jail end's addresses (with prefix) and the
	 * gateways (one per family, on the bridge). */
	struct wg_ipmask jail_addr[JAIL_MAX_ADDRS];
	size_t n_jail_addr;
	struct wg_ipmask gateway[2];
	size_t n_gateway;
	/* WireGuard. */
	char ifname[WJ_IFNAME_MAX + 1];    /* interface inside the jail */
	struct wg_ipmask address[JAIL_MAX_ADDRS]; /* tunnel addresses */
	size_t n_address;
	uint16_t listen_port;              /* 0 = not set (random) */
	uint32_t mtu;                      /* 0 = default */
	char endpoint[300];                /* our public host:port, for export; "" if unknown */
	/* FreeBSD. */
	char root[PATH_MAX];               /* jail root (path); "" = /usr/local/jails/NAME */
	char hostname[256];                /* "" = NAME */
	unsigned devfs_ruleset;            /* default 5 */
	/* Reaching the jail (agent/reach.h). */
	int nat;                           /* 1: masquerade the jail out of the host */
	char nat_ifname[WJ_IFNAME_MAX + 1]; /* "" = the host's default route's */
	char publish[JAIL_MAX_PUBLISH][JAIL_PORTSPEC_LEN]; /* PROTO:HOSTPORT[:JAILPORT] */
	size_t n_publish;
	struct wg_ipmask host_link[2];     /* the host's end, one per family */
	size_t n_host_link;
	char host_allow[JAIL_MAX_PUBLISH][JAIL_PORTSPEC_LEN]; /* PROTO:PORT */
	size_t n_host_allow;
};

/* Defaults for a new spec called NAME (name copied, not validated). */
void jailspec_defaults(struct jail_spec *s, const char *name);
/* Every field checked (names, ranges, families); messages name the field
 * and quote the value. */
int jailspec_validate(const struct jail_spec *s, struct wj_err *e);
/* Interface names whose files would collide with files that are not
 * theirs (the spec, a system file in the jail's /etc): a static reason,
 * or NULL if IFNAME is free (agent/ifreserved.c). */
const char *jail_ifname_reserved(const char *ifname);
/* Is PATH the root directory written another way ("/", "/.", "/./")? */
bool jail_path_is_slash(const char *path);
/* Parse TEXT (the contents of PATH, for messages) as the spec of NAME.
 * Errors name PATH:LINE, the key and the value. */
int jailspec_parse(const char *text, size_t len, const char *path, const char *name,
		   struct jail_spec *out, struct wj_err *e);
/* Canonical INI text of S (heap string, caller frees). */
char *jailspec_format(const struct jail_spec *s);

/* The configuration directory: -c DIR, else $WGJAIL_CONFDIR, else the
 * platform default.  Set once by main(). */
void wj_set_confdir(const char *dir);
const char *wj_confdir(void);

/* Paths of a jail's files: jailspec_path(NAME, "jail.conf", buf) etc.
 * Returns -1 if the result would not fit. */
int jail_path(char *buf, size_t sz, const char *name, const char *file);

/* Load CONFDIR/NAME/jail.conf (name validated first). */
int jailspec_load(const char *name, struct jail_spec *out, struct wj_err *e);
/* Names of every jail in CONFDIR (directories holding jail.conf), sorted. */
int jailspec_list(char ***names, size_t *n, struct wj_err *e);

/* Effective values. */
const char *jail_root(const struct jail_spec *s, char *buf, size_t sz);
const char *jail_hostname(const struct jail_spec *s);

#endif
