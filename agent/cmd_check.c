/* wgjail check [-v] [--show-keys] FILE: validate a WireGuard config
 * (wg(8) format plus wg-quick keys) or a jail spec, chosen by the file's
 * first section ([Interface]/[Peer] or [jail]/[wireguard]).  -v prints the
 * normalised file, keys hidden unless --show-keys. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/commands.h"
#include "agent/jailspec.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/strutil.h"
#include "wg/config.h"
#include "wg/config_private.h"

enum kind { KIND_WG, KIND_JAIL };

/* The first section header decides; a file without one is read as a
 * WireGuard config (whose parser then says what is wrong). */
static enum kind detect(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		char name[16];
		size_t n = 0;

		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		if (p < le && *p == '[') {
			for (p++; p < le && *p != ']' && n < sizeof(name) - 1; p++)
				if (*p != ' ' && *p != '\t')
					name[n++] = *p;
			name[n] = '\0';
			return jailspec_is_section(name) ? KIND_JAIL : KIND_WG;
		}
		p = nl ? nl + 1 : end;
	}
	return KIND_WG;
}

/* The jail's name is its directory's name (CONFDIR/NAME/jail.conf). */
static int jail_name_of(const char *path, char *name, size_t sz, struct wj_err *e)
{
	char buf[PATH_MAX], *dir, *base;
	const char *why;

	if (!realpath(path, buf))
		return wj_errnof(e, errno, "%s", path);
	dir = dirname(buf);
	base = basename(dir);
	if ((why = wj_jail_name_invalid(base))) {
		char q[80];
		return wj_errf(e, "%s: a jail spec is named after its directory, and '%s' is not a jail name: %s",
			       path, wj_quote(base, q, sizeof(q)), why);
	}
	snprintf(name, sz, "%s", base);
	return 0;
}

static int check_jail(const char *path, const char *text, size_t len, bool verbose)
{
	struct jail_spec spec = {0};
	struct wj_err e = {0};
	char name[WJ_JAIL_NAME_MAX + 1];
	char *out;

	if (jail_name_of(path, name, sizeof(name), &e) < 0 ||
	    jailspec_parse(text, len, path, name, &spec, &e) < 0)
		return cmd_fail(&e);
	if (!verbose) {
		printf("%s: valid jail spec for jail '%s'\n", path, name);
		return WJ_EXIT_OK;
	}
	if (!(out = jailspec_format(&spec))) {
		fputs("wgjail: out of memory\n", stderr);
		return WJ_EXIT_FAIL;
	}
	fputs(out, stdout);
	free(out);
	return fflush(stdout) ? WJ_EXIT_FAIL : WJ_EXIT_OK;
}

static bool has_psk(const struct wg_device *d)
{
	for (size_t i = 0; i < d->n_peers; i++)
		if ((d->peers[i].flags & WGPEER_HAS_PSK) && !key_is_zero(d->peers[i].psk))
			return true;
	return false;
}

static void print_warning(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "wgjail: warning: %s\n", msg);
}

static int check_wg(const char *path, const char *text, size_t len, const struct stat *st, bool verbose,
		    bool show_keys)
{
	struct wg_device *dev;
	struct wj_err e = {0};
	int r = WJ_EXIT_OK;

	if (wg_config_parse(text, len, path, &dev, &e) < 0)
		return cmd_fail(&e);
	/* As wg-quick: a readable key file is worth a warning, not a failure. */
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) &&
	    (((dev->flags & WGDEV_HAS_PRIVATE_KEY) && dev->private_key && !key_is_zero(dev->private_key)) ||
	     has_psk(dev)))
		fprintf(stderr, "wgjail: warning: %s holds key material and is accessible by others (mode %04o); "
				"chmod 600 it\n",
			path, (unsigned)(st->st_mode & 07777));
	wg_config_warnings(dev, path, print_warning, NULL);
	if (verbose) {
		size_t n;
		char *out = wg_config_format(dev, show_keys ? 0 : WG_CONFIG_HIDE_KEYS, &n);
		if (!out || fwrite(out, 1, n, stdout) != n || fflush(stdout)) {
			perror("wgjail: writing to stdout");
			r = WJ_EXIT_FAIL;
		}
		wg_config_free_text(out, n);
	} else {
		printf("%s: valid WireGuard configuration (%zu peer%s)\n", path, dev->n_peers,
		       dev->n_peers == 1 ? "" : "s");
	}
	wg_device_free(dev);
	return r;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {{"verbose", no_argument, NULL, 'v'},
						 {"show-keys", no_argument, NULL, 'k'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	bool verbose = false, show_keys = false;
	struct wj_err e = {0};
	const char *path;
	struct stat st;
	char *text;
	size_t len;
	int ch, r;

	while ((ch = cmd_getopt(argv[0], argc, argv, "vh", longopts, &r)) != -1) {
		if (ch == CMD_OPT_EXIT)
			return r;
		if (ch == 'v')
			verbose = true;
		else
			show_keys = true; /* --show-keys */
	}
	if ((r = cmd_operands(argv[0], argc, argv, 1, 1, "FILE")) != WJ_EXIT_OK)
		return r;
	path = argv[optind];
	if (show_keys && !verbose)
		return cmd_usage_error(argv[0], "--show-keys goes with -v");
	if (stat(path, &st) < 0) {
		wj_errnof(&e, errno, "%s", path);
		return cmd_fail(&e);
	}
	if (wj_read_file(path, WG_CONFIG_MAX_SIZE, true, &text, &len, &e) < 0)
		return cmd_fail(&e);
	if (detect(text, len) == KIND_JAIL)
		r = check_jail(path, text, len, verbose);
	else
		r = check_wg(path, text, len, &st, verbose, show_keys);
	wj_free_file(text, len, true);
	return r;
}
