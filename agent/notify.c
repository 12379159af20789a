/* sd_notify, by hand (see agent/notify.h). */
#include "agent/notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/strutil.h"

int notify_init(struct notify *n, int64_t now_ms, struct wj_err *e)
{
	const char *sock = getenv("NOTIFY_SOCKET"), *usec = getenv("WATCHDOG_USEC"), *wpid = getenv("WATCHDOG_PID");
	uint64_t us = 0, pid = 0;
	size_t len;
	char q[64];

	memset(n, 0, sizeof(*n));
	n->fd = -1;
	if (!sock || !*sock)
		goto out;
	len = strlen(sock);
	if ((sock[0] != '/' && sock[0] != '@') || len >= sizeof(n->addr.sun_path)) {
		wj_errf(e, "NOTIFY_SOCKET '%s' is neither a path nor an abstract name that fits", wj_quote(sock, q, sizeof(q)));
		goto fail;
	}
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, sock, len);
	if (sock[0] == '@')
		n->addr.sun_path[0] = '\0'; /* Linux's abstract namespace: no NUL at the end */
	n->alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (sock[0] == '/'));
	if ((n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		wj_errnof(e, errno, "NOTIFY_SOCKET: socket");
		goto fail;
	}
	/* The watchdog is for us only if WATCHDOG_PID (when set) is us. */
	if (usec && wj_parse_uint(usec, 1, UINT64_MAX, &us) == 0 &&
	    (!wpid || (wj_parse_uint(wpid, 1, UINT32_MAX, &pid) == 0 && (pid_t)pid == getpid()))) {
		n->interval_ms = (int64_t)(us / 2000);
		if (n->interval_ms < 1)
			n->interval_ms = 1;
		n->next_ms = now_ms;
	}
out:
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return 0;
fail:
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return -1;
}

void notify_close(struct notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

void notify_send(struct notify *n, const char *msg)
{
	if (n->fd < 0)
		return;
	if (sendto(n->fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)&n->addr, n->alen) < 0) {
		if (!n->failed)
			log_warn("notifying the service manager");
		n->failed = true;
		return;
	}
	n->failed = false;
}

void notify_watchdog(struct notify *n, int64_t now_ms)
{
	if (n->fd < 0 || !n->interval_ms || now_ms < n->next_ms)
		return;
	notify_send(n, "WATCHDOG=1");
	n->next_ms = now_ms + n->interval_ms;
}

int notify_timeout(const struct notify *n, int64_t now_ms)
{
	if (n->fd < 0 || !n->interval_ms)
		return -1;
	return n->next_ms <= now_ms ? 0 : (int)(n->next_ms - now_ms);
}
