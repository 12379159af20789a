/* wgjail show [--json] [IFACE]: interfaces and peers, keys hidden. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/commands.h"
#include "agent/util/err.h"
#include "wg/backend.h"
#include "wg/show.h"

struct show_out {
	bool json;
	size_t shown; /* interfaces printed so far (separators) */
};

/* Read IFNAME (in the current network namespace) and print it.  This is
 * the unit a JAIL argument reuses: enter the jail's namespace, then call
 * it for the jail's interfaces. */
static int show_iface(const char *ifname, struct show_out *so, struct wj_err *e)
{
	const struct wg_backend *b = wg_backend_for(ifname, e);
	struct wg_device *dev = NULL;
	time_t now = time(NULL);

	if (!b || b->get(ifname, &dev, e) < 0)
		return -1;
	snprintf(dev->name, sizeof(dev->name), "%s", ifname);
	if (so->json) {
		fputs(so->shown ? "," : "", stdout);
		wg_show_json(stdout, dev, now);
	} else {
		fputs(so->shown ? "\n" : "", stdout);
		wg_show_text(stdout, dev, now);
	}
	so->shown++;
	wg_device_free(dev);
	return 0;
}

/* Every interface of this namespace; one that vanishes or fails is
 * reported and the others are still shown. */
static int show_all(struct show_out *so, struct wj_err *e)
{
	char **names;
	size_t n;
	int ret = 0;

	if (wg_backend_list_all(&names, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct wj_err ie;
		wj_err_clear(&ie);
		if (show_iface(names[i], so, &ie) < 0) {
			fflush(stdout);
			cmd_fail(&ie);
			ret = 1;
		}
	}
	wg_backend_free_list(names, n);
	return ret;
}

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct show_out so = {false, 0};
	struct wj_err e;
	int ch, r;

	wj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cmd_usage(argv[0], stdout);
			return WJ_EXIT_OK;
		case 'j':
			so.json = true;
			break;
		default:
			return cmd_usage_error(argv[0], "unknown option");
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(argv[0], "unexpected argument '%s'", argv[optind + 1]);
	if (so.json)
		fputs("{\"interfaces\":[", stdout);
	if (optind < argc)
		r = show_iface(argv[optind], &so, &e);
	else
		r = show_all(&so, &e);
	if (so.json)
		fputs("]}\n", stdout);
	if (fflush(stdout) != 0) {
		perror("wgjail: writing to stdout");
		return WJ_EXIT_FAIL;
	}
	if (r < 0)
		return cmd_fail(&e);
	return r ? WJ_EXIT_FAIL : WJ_EXIT_OK;
}
