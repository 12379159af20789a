/* Named network namespaces (Linux), interoperable with iproute2: the
 * namespace NAME is kept alive by a bind mount of its nsfs file on
 * /run/netns/NAME, with /run/netns itself a shared mount, exactly as
 * `ip netns add` does; so `ip netns exec NAME ...` works on wgjail's jails
 * and wgjail works on namespaces made by ip(8).  Names are validated as
 * jail names (util/strutil.h) before any path is built. */
#ifndef WGJAIL_NETCONF_NETNS_H
#define WGJAIL_NETCONF_NETNS_H

#include <stdbool.h>

struct wj_err;

#define NETNS_RUN_DIR "/run/netns"

/* true if /run/netns/NAME holds a namespace. */
bool netns_exists(const char *name);
/* The inode of NAME's namespace (what /proc/self/ns/net shows inside it),
 * 0 if there is none. */
unsigned long long netns_inode(const char *name);
/* Create NAME; an existing one is success (*CREATED false).  The calling
 * thread stays in its own namespace. */
int netns_create(const char *name, bool *created, struct wj_err *e);
/* Unmount and remove /run/netns/NAME; absent is success.  The namespace
 * itself ends when nothing else holds it. */
int netns_delete(const char *name, struct wj_err *e);
/* An O_RDONLY|O_CLOEXEC descriptor of NAME (for setns, IFLA_NET_NS_FD). */
int netns_open(const char *name, struct wj_err *e);
/* Enter NAME; *SAVED_FD keeps the namespace to come back to. */
int netns_enter(const char *name, int *saved_fd, struct wj_err *e);
/* Enter the namespace FD (from netns_open or netns_new_anonymous). */
int netns_enter_fd(int fd, int *saved_fd, struct wj_err *e);
/* A new, empty, unnamed namespace (just lo), as a descriptor: alive while
 * the descriptor or a socket opened inside it is.  Used for dry runs. */
int netns_new_anonymous(struct wj_err *e);
/* Return to the namespace saved by netns_enter and close SAVED_FD. */
void netns_leave(int saved_fd);

#endif
