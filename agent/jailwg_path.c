/* Where a jail's WireGuard files are, and what they are called (see
 * agent/jailwg_path.h). */
#include "agent/jailwg_path.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/paths.h"
#include "util/strutil.h"

/* CONFDIR/JAIL/IFNAME SUFFIX; WHAT names it in the error. */
static int iface_path(char *buf, size_t sz, const char *jail, const char *ifname, const char *suffix,
		      const char *what, struct wj_err *e)
{
	if (jail_if_path(buf, sz, jail, ifname, suffix) < 0)
		return wj_errf(e, "jail %s: the path of its %s is too long", jail, what);
	return 0;
}

int jailwg_main_path(char *buf, size_t sz, const char *jail, const char *ifname, struct wj_err *e)
{
	return iface_path(buf, sz, jail, ifname, ".conf", "WireGuard config", e);
}

int jailwg_dir_path(char *buf, size_t sz, const char *jail, const char *ifname, struct wj_err *e)
{
	return iface_path(buf, sz, jail, ifname, ".peers", "peer directory", e);
}

bool jailwg_is_dir_name(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && n < WJ_IFNAME_MAX + 8 && name[0] != '.' && !strcmp(name + n - 6, ".peers");
}

void jailwg_dropin_name(char *out, const uint8_t key[WG_KEY_LEN])
{
	static const char hex[] = "0123456789abcdef";

	/* A public key: a plain encoder (as jailwg_is_dropin_name's decoder) */
	for (size_t i = 0; i < WG_KEY_LEN; i++) {
		out[2 * i] = hex[key[i] >> 4];
		out[2 * i + 1] = hex[key[i] & 15];
	}
	memcpy(out + WG_KEY_HEX_LEN, ".conf", 6);
}

int jailwg_dropin_path(char *buf, size_t sz, const char *dir, const uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	char name[JAILWG_DROPIN_NAME_LEN + 1];

	jailwg_dropin_name(name, key);
	if (snprintf(buf, sz, "%s/%s", dir, name) >= (int)sz)
		return wj_errf(e, "%s: path too long", dir);
	return 0;
}

static int hexval(char c)
{
	return (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

bool jailwg_is_dropin_name(const char *name, uint8_t key[WG_KEY_LEN])
{
	uint8_t k[WG_KEY_LEN];

	/* A public key, so a plain decoder (no constant time needed): this
	 * runs for every entry of a directory of 50,000 drop-ins. */
	if (strlen(name) != JAILWG_DROPIN_NAME_LEN || strcmp(name + WG_KEY_HEX_LEN, ".conf") != 0)
		return false;
	for (size_t i = 0; i < WG_KEY_LEN; i++) {
		int hi = hexval(name[2 * i]), lo = hexval(name[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		k[i] = (uint8_t)(hi << 4 | lo);
	}
	if (key)
		memcpy(key, k, WG_KEY_LEN);
	return true;
}
