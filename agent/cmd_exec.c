/* wgjail exec JAIL [--] COMMAND [ARG...]: run COMMAND inside JAIL's network
 * stack (the platform's exec, agent/platform.h).  The exit status is
 * COMMAND's: wgjail is replaced by it.  When it cannot be run: 127 if it
 * was not found, 126 otherwise, 1 if the jail cannot be entered, 2 for a
 * usage error. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "agent/commands.h"
#include "agent/jailspec.h"
#include "agent/platform.h"
#include "util/err.h"
#include "util/strutil.h"

int cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct wj_err e = {0};
	const char *name, *why;
	char q[80];
	int st;

	/* "+": options end at the jail's name; what follows is COMMAND's. */
	if (cmd_getopt("exec", argc, argv, "+h", longopts, &st) == CMD_OPT_EXIT)
		return st; /* -h is its only option */
	if ((st = cmd_operands("exec", argc, argv, 1, -1, "jail name")) != WJ_EXIT_OK)
		return st;
	name = argv[optind++];
	if ((why = wj_jail_name_invalid(name)))
		return cmd_usage_error("exec", "jail name '%s': %s", wj_quote(name, q, sizeof(q)), why);
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		return cmd_usage_error("exec", "missing command to run in jail %s", name);
	fflush(NULL);
	if (wj_platform()->exec(name, argv + optind, &e) == -2) {
		cmd_fail(&e);
		return e.code == ENOENT ? 127 : 126;
	}
	return cmd_fail(&e);
}
