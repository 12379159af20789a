/* The derived stores and when they are forgotten (see util/stores.h). */
#include "util/stores.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/paths.h"

/* NAME (in a state directory) belongs to IFNAME of the namespace PREFIX
 * ("INO-") names: "INO-IF" or "INO-HASH-IF", then nothing, ",lock" or a
 * writer's temporary suffix.  Every interface if IFNAME is "". */
static bool state_of(const char *name, const char *prefix, const char *ifname)
{
	const char *p;
	size_t n = strlen(ifname);

	if (strncmp(name, prefix, strlen(prefix)) != 0)
		return false;
	if (!ifname[0])
		return true;
	for (p = name + strlen(prefix); (p = strstr(p, ifname)); p++)
		if (p[-1] == '-' && (p[n] == '\0' || p[n] == ',' || !strncmp(p + n, ".tmp", 4)))
			return true;
	return false;
}

/* Every file of KIND kept for S->ifname (NULL: every interface) of the
 * namespace S->ns, whatever the UAPI directory it was kept for. */
static void forget_state_kind(const char *kind, const struct wj_store_scope *s)
{
	char dir[PATH_MAX], prefix[32], *slash;
	struct dirent *de;
	DIR *d;

	/* the directory, as wj_state_path makes it */
	if (wj_state_path(kind, "x", "", dir, sizeof(dir)) < 0 || !(slash = strrchr(dir, '/')))
		return;
	*slash = '\0';
	snprintf(prefix, sizeof(prefix), "%llu-", s->ns);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)))
		if (state_of(de->d_name, prefix, s->ifname ? s->ifname : ""))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

static void forget_applied(const struct wj_store_scope *s, enum wj_store_event ev)
{
	char path[PATH_MAX];

	if (ev == WJ_FORGET_DOWN)
		forget_state_kind("applied", s);
	else if (wj_state_path("applied", s->ifname, "", path, sizeof(path)) == 0)
		unlink(path); /* this namespace's, this UAPI directory's; the lock stays */
}

static void forget_endpoints(const struct wj_store_scope *s, enum wj_store_event ev)
{
	(void)ev;
	forget_state_kind("endpoints", s);
}

static void forget_parsed(const struct wj_store_scope *s, enum wj_store_event ev)
{
	char path[PATH_MAX];

	(void)ev;
	if (jail_parsed_stamp_path(path, sizeof(path), s->jail, s->ifname) == 0)
		unlink(path);
}

static void forget_aip_stamp(const struct wj_store_scope *s, enum wj_store_event ev)
{
	char path[PATH_MAX];

	(void)ev;
	if (jail_aip_stamp_path(path, sizeof(path), s->peers_dir) == 0)
		unlink(path);
}

static const struct store {
	const char *name;
	unsigned events;
	void (*forget)(const struct wj_store_scope *s, enum wj_store_event ev);
} stores[] = {
	{"record of the last sync", WJ_FORGET_DOWN | WJ_FORGET_DEVICE_SET, forget_applied},
	{"endpoint memory", WJ_FORGET_DOWN, forget_endpoints},
	{"main file that parsed", WJ_FORGET_RENAMED, forget_parsed},
	{"allowed-IP index's stamp", WJ_FORGET_DROPINS_MOVED, forget_aip_stamp},
};

void wj_stores_forget(enum wj_store_event event, const struct wj_store_scope *s)
{
	for (size_t i = 0; i < sizeof(stores) / sizeof(*stores); i++)
		if (stores[i].events & (unsigned)event)
			stores[i].forget(s, event);
}
