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
	int st;

	if (cmd_getopt("down", argc, argv, "h", longopts, &st) == CMD_OPT_EXIT)
		return st; /* -h is its only option */
	if ((st = cmd_operands("down", argc, argv, 1, 1, "jail name")) != WJ_EXIT_OK)
		return st;
	if (wj_platform()->down(argv[optind], stdout, &e) < 0)
		return cmd_fail(&e);
	return WJ_EXIT_OK;
}
