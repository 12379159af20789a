/* Every directory and file name (see util/paths.h). */
#include "util/paths.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if defined(__FreeBSD__)
#define CONFDIR_DEFAULT "/usr/local/etc/wgjail"
#define STATEDIR_DEFAULT "/var/run/wgjail"
#else
#define CONFDIR_DEFAULT "/etc/wgjail"
#define STATEDIR_DEFAULT "/run/wgjail"
#endif
#define RUNDIR_DEFAULT "/var/run/wgjail"

static char confdir[PATH_MAX];

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static int fit(int n, size_t sz)
{
	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

void wj_set_confdir(const char *dir)
{
	snprintf(confdir, sizeof(confdir), "%s", dir);
}

const char *wj_confdir(void)
{
	if (!confdir[0])
		wj_set_confdir(env_or("WGJAIL_CONFDIR", CONFDIR_DEFAULT));
	return confdir;
}

const char *wj_statedir(void)
{
	return env_or("WGJAIL_STATEDIR", STATEDIR_DEFAULT);
}

const char *wj_rundir(void)
{
	return env_or("WGJAIL_RUNDIR", RUNDIR_DEFAULT);
}

const char *wj_uapi_dir(void)
{
	return env_or("WGJAIL_UAPI_DIR", WJ_UAPI_DIR_SYSTEM);
}

bool wj_uapi_dir_is_system(void)
{
	return strcmp(wj_uapi_dir(), WJ_UAPI_DIR_SYSTEM) == 0;
}

const char *wj_wireguard_go(void)
{
	return env_or("WGJAIL_WIREGUARD_GO", "wireguard-go");
}

/* ---- CONFDIR ---- */

int jail_path(char *buf, size_t sz, const char *name, const char *file)
{
	return fit(file ? snprintf(buf, sz, "%s/%s/%s", wj_confdir(), name, file)
			: snprintf(buf, sz, "%s/%s", wj_confdir(), name),
		   sz);
}

int jail_if_path(char *buf, size_t sz, const char *name, const char *ifname, const char *suffix)
{
	return fit(snprintf(buf, sz, "%s/%s/%s%s", wj_confdir(), name, ifname, suffix), sz);
}

int jail_parsed_stamp_path(char *buf, size_t sz, const char *name, const char *ifname)
{
	return fit(snprintf(buf, sz, "%s/%s/.%s.conf.parsed", wj_confdir(), name, ifname), sz);
}

int jail_alloc_path(char *buf, size_t sz, const char *name, const char *ifname)
{
	return fit(snprintf(buf, sz, "%s/%s/.%s.alloc", wj_confdir(), name, ifname), sz);
}

int jail_aip_stamp_path(char *buf, size_t sz, const char *peers_dir)
{
	return fit(snprintf(buf, sz, "%s/" WJ_AIP_DIR "/" WJ_AIP_STAMP, peers_dir), sz);
}

/* ---- STATEDIR ---- */

int wj_state_path(const char *kind, const char *ifname, const char *suffix, char *out, size_t outsz)
{
	const char *dir = wj_statedir();
	struct stat st;
	unsigned long long ns = 0;

	if (stat("/proc/self/ns/net", &st) == 0)
		ns = (unsigned long long)st.st_ino;
	if (!wj_uapi_dir_is_system()) {
		unsigned char h[crypto_shorthash_BYTES];
		static const unsigned char k[crypto_shorthash_KEYBYTES] = "wgjail-uapi-dir";
		crypto_shorthash(h, (const unsigned char *)wj_uapi_dir(), strlen(wj_uapi_dir()), k);
		return fit(snprintf(out, outsz, "%s/%s/%llu-%02x%02x%02x%02x-%s%s", dir, kind, ns, h[0], h[1], h[2],
				    h[3], ifname, suffix),
			   outsz);
	}
	return fit(snprintf(out, outsz, "%s/%s/%llu-%s%s", dir, kind, ns, ifname, suffix), outsz);
}

int jail_run_path(char *buf, size_t sz, const char *name, const char *file)
{
	return fit(file ? snprintf(buf, sz, "%s/jails/%s/%s", wj_statedir(), name, file)
			: snprintf(buf, sz, "%s/jails/%s", wj_statedir(), name),
		   sz);
}

int wj_bridge_path(char *buf, size_t sz, const char *bridge, const char *suffix)
{
	return fit(snprintf(buf, sz, "%s/bridges/%s%s", wj_statedir(), bridge, suffix), sz);
}

int wj_nat_path(char *buf, size_t sz, const char *file)
{
	return file ? fit(snprintf(buf, sz, "%s/nat/%s", wj_statedir(), file), sz)
		    : fit(snprintf(buf, sz, "%s/nat", wj_statedir()), sz);
}
