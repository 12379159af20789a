/* wgjail sync [-n] [--full] IFACE FILE: make IFACE match FILE, sending only
 * what differs (wg_sync_file).  Nothing is sent before the file has been
 * checked, so a malformed file changes nothing. */
#include <getopt.h>
#include <stdio.h>

#include "agent/commands.h"
#include "util/err.h"
#include "util/strutil.h"
#include "wg/sync.h"

int cmd_sync(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"full", no_argument, NULL, 'f'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct wg_sync_opts o = {.dry_run = false, .show_keys = false, .report = stdout, .no_state = false, .full = false, .verbose = false};
	struct wg_sync_result res;
	const char *ifname, *path, *why;
	struct wj_err e;
	char q[64];
	int ch, r;

	wj_err_clear(&e);
	while ((ch = cmd_getopt(argv[0], argc, argv, "fhnv", longopts, &r)) != -1) {
		switch (ch) {
		case CMD_OPT_EXIT:
			return r;
		case 'f':
			o.full = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		default: /* -n */
			o.dry_run = true;
			break;
		}
	}
	if ((r = cmd_operands(argv[0], argc, argv, 2, 2, "IFACE and FILE")) != WJ_EXIT_OK)
		return r;
	ifname = argv[optind];
	path = argv[optind + 1];
	if ((why = wj_ifname_invalid(ifname)))
		return cmd_usage_error(argv[0], "interface '%s': %s", wj_quote(ifname, q, sizeof(q)), why);
	r = wg_sync_file(ifname, path, &o, &res, &e);
	if (fflush(stdout) != 0) {
		perror("wgjail: writing to stdout");
		return WJ_EXIT_FAIL;
	}
	if (r < 0)
		return cmd_fail(&e);
	if (r > 0) {
		fprintf(stderr, "wgjail: %s: %zu peer%s skipped: endpoint did not resolve%s\n", ifname, res.unresolved,
			res.unresolved == 1 ? "" : "s", o.dry_run ? "" : "; the other changes were applied");
		return WJ_EXIT_FAIL;
	}
	return WJ_EXIT_OK;
}
