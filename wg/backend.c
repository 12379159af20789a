/* The one place where a backend is chosen. */
#include "wg/backend.h"
#include "util/err.h"
#include "util/paths.h"
#include "util/strutil.h"
#include "wg/uapi.h"

#include <stdlib.h>
#include <string.h>

/* Chosen at compile time, as agent/platform.c chooses the platform: the
 * two look alike because both are that one choice. */
const struct wg_backend *wg_backend_kernel_native(void)
{
#if defined(__linux__)
	return &wg_backend_kernel;
#elif defined(__FreeBSD__)
	return &wg_backend_freebsd;
#else
	return NULL;
#endif
}

const struct wg_backend *wg_backend_for(const char *ifname, struct wj_err *e)
{
	const struct wg_backend *k = wg_backend_kernel_native();
	const char *why = wj_ifname_invalid(ifname);
	char q[64];

	if (why)
		return wj_errf(e, "interface '%s': %s", wj_quote(ifname, q, sizeof(q)), why), NULL;
	if (wg_backend_uapi.has(ifname))
		return &wg_backend_uapi;
	if (k && k->has(ifname))
		return k;
	wj_errf(e, "%s: no such WireGuard interface (tried the userspace socket %s/%s.sock%s%s)", ifname,
		wj_uapi_dir(), ifname, k ? " and the " : "", k ? k->name : "");
	return NULL;
}

const struct wg_backend *wg_backend_quiet(const char *ifname)
{
	const struct wg_backend *k = wg_backend_kernel_native();

	if (wj_ifname_invalid(ifname))
		return NULL;
	if (wg_uapi_present(ifname))
		return &wg_backend_uapi;
	return k && k->has(ifname) ? k : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int wg_backend_list_all(char ***names, size_t *n, struct wj_err *e)
{
	const struct wg_backend *k = wg_backend_kernel_native();
	size_t w = 0;

	*names = NULL;
	*n = 0;
	if (wg_backend_uapi.list(names, n, e) < 0)
		return -1;
	if (k && k->list(names, n, e) < 0) {
		wg_backend_free_list(*names, *n);
		*names = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), cmp_str);
	for (size_t r = 0; r < *n; r++) {
		if (w && strcmp((*names)[w - 1], (*names)[r]) == 0) {
			free((*names)[r]);
			continue;
		}
		(*names)[w++] = (*names)[r];
	}
	*n = w;
	return 0;
}

void wg_backend_free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
