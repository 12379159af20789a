/* Peers by name: unique in a jail (see agent/peername.h). */
#include "agent/peername.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jailwg_path.h"
#include "util/err.h"

static const struct wg_device *sort_dev;

static int by_name(const void *a, const void *b)
{
	const struct wg_peer *pa = &sort_dev->peers[*(const size_t *)a], *pb = &sort_dev->peers[*(const size_t *)b];
	int c = strcmp(pa->name, pb->name);

	return c ? c : (*(const size_t *)a < *(const size_t *)b ? -1 : 1);
}

static void where(char *buf, size_t sz, const struct wg_device *dev, size_t i, size_t n_main, const char *main_path,
		  const char *dir)
{
	char f[JAILWG_DROPIN_NAME_LEN + 1];

	if (i < n_main) {
		snprintf(buf, sz, "%s:%u", main_path, dev->peers[i].name_line);
		return;
	}
	jailwg_dropin_name(f, dev->peers[i].public_key);
	snprintf(buf, sz, "%s/%s:%u", dir, f, dev->peers[i].name_line);
}

int peername_check_unique(const struct wg_device *dev, size_t n_main, const char *main_path, const char *dir,
			  struct wj_err *e)
{
	size_t *ix, n = 0;
	int r = 0;

	for (size_t i = 0; i < dev->n_peers; i++)
		n += dev->peers[i].name[0] != '\0';
	if (n < 2)
		return 0;
	if (!(ix = malloc(n * sizeof(*ix))))
		return wj_errnof(e, ENOMEM, "peer names");
	n = 0;
	for (size_t i = 0; i < dev->n_peers; i++)
		if (dev->peers[i].name[0])
			ix[n++] = i;
	sort_dev = dev;
	qsort(ix, n, sizeof(*ix), by_name);
	for (size_t i = 1; i < n && !r; i++) {
		char a[PATH_MAX + 16], b[PATH_MAX + 16];

		if (strcmp(dev->peers[ix[i - 1]].name, dev->peers[ix[i]].name) != 0)
			continue;
		where(a, sizeof(a), dev, ix[i - 1], n_main, main_path, dir);
		where(b, sizeof(b), dev, ix[i], n_main, main_path, dir);
		r = wj_errf(e, "%s: peer name '%s' is also used at %s (a name must be unique in the jail)", b,
			    dev->peers[ix[i]].name, a);
	}
	free(ix);
	return r;
}
