/* wgjail up [-n] JAIL: realise the jail here, or reconcile it. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "agent/commands.h"
#include "agent/jailspec.h"
#include "agent/platform.h"
#include "util/err.h"

int cmd_up(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct wj_err e = {0};
	struct jail_spec s;
	bool dry = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "nh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': dry = true; break;
		case 'h': cmd_usage("up", stdout); return WJ_EXIT_OK;
		default: cmd_usage("up", stderr); return WJ_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cmd_usage_error("up", "missing jail name");
	if (optind + 1 < argc)
		return cmd_usage_error("up", "unexpected argument '%s'", argv[optind + 1]);
	if (jailspec_load(argv[optind], &s, &e) < 0)
		return cmd_fail(&e);
	{
		struct jail_up_opts o = {.dry = dry, .out = stdout};
		int r = wj_platform()->up(&s, &o, &e);
		if (r < 0)
			return cmd_fail(&e);
		return r ? WJ_EXIT_FAIL : WJ_EXIT_OK;
	}
}
