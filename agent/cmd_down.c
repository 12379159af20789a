/* wgjail down JAIL: remove what `up` created, nothing else. */
#include <getopt.h>
#include <stdio.h>

#include "agent/commands.h"
#include "agent/platform.h"
#include "util/err.h"

int cmd_down(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct wj_err e = {0};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': cmd_usage("down", stdout); return WJ_EXIT_OK;
		default: cmd_usage("down", stderr); return WJ_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cmd_usage_error("down", "missing jail name");
	if (optind + 1 < argc)
		return cmd_usage_error("down", "unexpected argument '%s'", argv[optind + 1]);
	if (wj_platform()->down(argv[optind], stdout, &e) < 0)
		return cmd_fail(&e);
	return WJ_EXIT_OK;
}
