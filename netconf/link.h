/* Links over rtnetlink (Linux): veth pairs, bridges, wireguard links,
 * up/down, MTU, bridge ports, moving a link into another namespace.
 *
 * Every operation works through a netconf context (struct nc): one
 * rtnetlink socket, bound to the namespace that was current when it was
 * opened, so one process can drive the host and a jail at once.  Every
 * operation first reads the current state and does nothing when the target
 * state already holds; otherwise it reports the change through the
 * context's note callback and, unless the context is a dry run, makes it.
 * Functions return 0 or -1 (message in E naming the link). */
#ifndef WGJAIL_NETCONF_LINK_H
#define WGJAIL_NETCONF_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "netconf/nl.h"

struct wj_err;

struct nc {
	struct nl_sock nl;
	bool dry;               /* report what would change, change nothing */
	unsigned changes;       /* count of changes made (or that would be) */
	const char *where;      /* label for notes: "host", "jail NAME" */
	void (*note)(void *arg, const char *where, const char *what);
	void *arg;
};

/* Open C's socket in the current network namespace. */
int nc_open(struct nc *c, const char *where, struct wj_err *e);
void nc_close(struct nc *c);
/* Record one change (printf-style description) and call the note hook. */
void nc_note(struct nc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct link_info {
	int index;
	char name[IF_NAMESIZE];
	char kind[32];      /* IFLA_INFO_KIND: "veth", "bridge", "wireguard", "tun", "" */
	unsigned flags;     /* IFF_* */
	unsigned mtu;
	int master;         /* ifindex of the bridge, 0 if none */
};

/* 1 and *OUT filled if NAME exists, 0 if not, -1 on error. */
int link_get(struct nc *c, const char *name, struct link_info *out, struct wj_err *e);
/* Every link of C's namespace (heap array, caller frees). */
int link_list(struct nc *c, struct link_info **out, size_t *n, struct wj_err *e);

/* Create NAME of KIND ("bridge", "wireguard").  An existing NAME of the
 * same kind is success; of another kind, an error. */
int link_create(struct nc *c, const char *name, const char *kind, struct wj_err *e);
/* Create a veth pair NAME <-> PEER, the peer created directly in the
 * namespace PEER_NSFD (-1: the same namespace).  An existing veth NAME is
 * success. */
int link_create_veth(struct nc *c, const char *name, const char *peer, int peer_nsfd, struct wj_err *e);
/* Delete NAME; a missing NAME is success. */
int link_delete(struct nc *c, const char *name, struct wj_err *e);
int link_set_up(struct nc *c, const char *name, bool up, struct wj_err *e);
int link_set_mtu(struct nc *c, const char *name, unsigned mtu, struct wj_err *e);
/* Make NAME a port of bridge MASTER. */
int link_set_master(struct nc *c, const char *name, const char *master, struct wj_err *e);
/* Move NAME into the namespace NSFD, renamed NEWNAME there (NULL: keep the
 * name). */
int link_move(struct nc *c, const char *name, int nsfd, const char *newname, struct wj_err *e);
/* Number of ports of bridge index BRIDGE. */
int link_count_ports(struct nc *c, int bridge, struct wj_err *e);

#endif
