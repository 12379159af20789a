#include "agent/jailstate.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/safefile.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int jail_uapi_dir(const char *name, char *buf, size_t sz)
{
	return jail_run_path(buf, sz, name, "wireguard");
}

static int set_str(char *dst, size_t sz, const char *v)
{
	if (strlen(v) >= sz)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* The text fields of the state file, and which of them name interfaces
 * (checked as such). */
#define TEXT(f, isif) {#f, offsetof(struct jail_state, f), sizeof(((struct jail_state *)0)->f), isif}
static const struct {
	const char *key;
	size_t off, sz;
	bool ifname;
} text_keys[] = {
	TEXT(uplink, false), TEXT(impl, false),   TEXT(ifname, true),      TEXT(hostif, true),    TEXT(jailif, true),
	TEXT(bridge, true),  TEXT(nat_if, true), TEXT(hostlink_if, true), TEXT(uapi_name, true),
};
#undef TEXT

static int parse_line(struct jail_state *s, const char *k, const char *v)
{
	uint64_t n;

	for (size_t i = 0; i < sizeof(text_keys) / sizeof(*text_keys); i++)
		if (!strcmp(k, text_keys[i].key))
			return set_str((char *)s + text_keys[i].off, text_keys[i].sz, v) < 0 ||
					       (text_keys[i].ifname && *v && wj_ifname_invalid(v))
				       ? -1
				       : 0;
	if (!strcmp(k, "netns_created"))
		s->netns_created = !strcmp(v, "1");
	else if (!strcmp(k, "nft_host"))
		s->nft_host = !strcmp(v, "1");
	else if (!strcmp(k, "wggo_pid")) {
		if (wj_parse_uint(v, 0, 4194304, &n) < 0)
			return -1;
		s->wggo_pid = (pid_t)n;
	} else if (!strcmp(k, "hostns")) {
		if (wj_parse_uint(v, 0, UINT64_MAX, &n) < 0)
			return -1;
		s->hostns = n;
	} else if (!strcmp(k, "wggo_start")) {
		if (wj_parse_uint(v, 0, UINT64_MAX, &n) < 0)
			return -1;
		s->wggo_start = n;
	}
	/* Unknown keys: written by a newer wgjail; ignored. */
	return 0;
}

int jailstate_load(const char *name, struct jail_state *s, struct wj_err *e)
{
	char path[512];
	char *text, *line, *save = NULL;
	size_t len;
	unsigned lineno = 0;

	memset(s, 0, sizeof(*s));
	if (jail_run_path(path, sizeof(path), name, "state") < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	if (!wj_exists(path))
		return 0;
	if (wj_read_conf(path, 65536, false, &text, &len, e) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		lineno++;
		if (!eq || parse_line(s, (*eq = '\0', line), eq + 1) < 0) {
			free(text);
			return wj_errf(e, "%s:%u: malformed state line", path, lineno);
		}
	}
	free(text);
	return 1;
}

int jailstate_save(const char *name, const struct jail_state *s, struct wj_err *e)
{
	char path[512], buf[1024];
	int n;

	if (jail_run_path(path, sizeof(path), name, NULL) < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	if (wj_mkdirs(path, 0700, e) < 0)
		return -1;
	if (jail_run_path(path, sizeof(path), name, "state") < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	n = snprintf(buf, sizeof(buf),
		     "netns_created=%d\nuplink=%s\nimpl=%s\nifname=%s\nhostif=%s\njailif=%s\nbridge=%s\n"
		     "uapi_name=%s\nhostns=%llu\nwggo_pid=%d\nwggo_start=%llu\nnft_host=%d\nnat_if=%s\n"
		     "hostlink_if=%s\n",
		     s->netns_created, s->uplink, s->impl, s->ifname, s->hostif, s->jailif, s->bridge, s->uapi_name,
		     s->hostns, (int)s->wggo_pid, s->wggo_start, s->nft_host, s->nat_if, s->hostlink_if);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return wj_errf(e, "%s: state too long", path);
	return wj_write_atomic_changed(path, buf, (size_t)n, 0600, e);
}

unsigned long long jailstate_current_netns(void)
{
	struct stat st;

	return stat("/proc/thread-self/ns/net", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

int jailstate_check_host(const char *name, const struct jail_state *s, struct wj_err *e)
{
	unsigned long long cur = jailstate_current_netns();

	if (s->hostns && cur && s->hostns != cur)
		return wj_errf(e,
			       "jail %s was brought up from another network namespace (net:[%llu]; this is "
			       "net:[%llu]): run this command there",
			       name, s->hostns, cur);
	return 0;
}

/* The runtime directory holds only files and the socket directory (one
 * level): no general recursive removal needed. */
static int rm_dir_files(const char *dir, struct wj_err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : wj_errnof(e, errno, "%s", dir);
	while ((de = readdir(d))) {
		char p[1024];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= (int)sizeof(p))
			continue;
		if (unlink(p) < 0 && (errno == EISDIR || errno == EPERM))
			rm_dir_files(p, e);
	}
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return wj_errnof(e, errno, "removing %s", dir);
	return 0;
}

int jailstate_remove(const char *name, struct wj_err *e)
{
	char path[512];

	if (jail_run_path(path, sizeof(path), name, NULL) < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	return rm_dir_files(path, e);
}

/* ---- bridges ------------------------------------------------------------ */

int jailstate_bridge_marker(const char *bridge, char *buf, size_t sz)
{
	return wj_bridge_path(buf, sz, bridge, "");
}

static int rec_path(const char *bridge, char *buf, size_t sz, struct wj_err *e)
{
	if (wj_bridge_path(buf, sz, bridge, ".added") < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	return 0;
}

int jailstate_bridges_lock(int *fd, struct wj_err *e)
{
	char dir[PATH_MAX], path[PATH_MAX];

	if (wj_bridge_path(path, sizeof(path), "", ".lock") < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	/* the directory: the lock's path without "/.lock" */
	snprintf(dir, sizeof(dir), "%.*s", (int)(strlen(path) - strlen("/.lock")), path);
	if (wj_mkdirs(dir, 0700, e) < 0)
		return -1;
	return wj_lock(path, fd, e);
}

int jailstate_bridge_load(const char *bridge, struct bridge_rec *r, struct wj_err *e)
{
	char path[600], *text, *line, *save = NULL;
	size_t len;

	memset(r, 0, sizeof(*r));
	if (rec_path(bridge, path, sizeof(path), e) < 0)
		return -1;
	if (!wj_exists(path))
		return 0;
	if (wj_read_conf(path, 4096, false, &text, &len, e) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "up"))
			r->set_up = true;
		else if (!strncmp(line, "addr ", 5) && r->n < BRIDGE_REC_MAX &&
			 wg_ipmask_parse(line + 5, &r->addr[r->n]) == 0)
			r->n++;
	}
	free(text);
	return 1;
}

int jailstate_bridge_save(const char *bridge, const struct bridge_rec *r, struct wj_err *e)
{
	char path[600], buf[BRIDGE_REC_MAX * 64 + 8], a[64];
	size_t n = 0;

	if (rec_path(bridge, path, sizeof(path), e) < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "addr %s\n", wg_ipmask_fmt(&r->addr[i], a, sizeof(a)));
	if (r->set_up)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "up\n");
	return wj_write_atomic_changed(path, buf, n, 0600, e);
}

void jailstate_bridge_forget(const char *bridge)
{
	char path[600];
	struct wj_err ignored;

	if (rec_path(bridge, path, sizeof(path), &ignored) == 0)
		unlink(path);
}
