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
	int ch, st;

	while ((ch = cmd_getopt("up", argc, argv, "nh", longopts, &st)) != -1) {
		if (ch == CMD_OPT_EXIT)
			return st;
		dry = true; /* -n */
	}
	if ((st = cmd_operands("up", argc, argv, 1, 1, "jail name")) != WJ_EXIT_OK)
		return st;
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
