/* wgjail up [-n] JAIL: realise the jail here, or reconcile it. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "agent/commands.h"
#include "agent/jailspec.h"
#include "util/err.h"
#if defined(__linux__)
#include "agent/jail_linux.h"
#endif

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
#if defined(__linux__)
	{
		struct jail_up_opts o = {.dry = dry, .out = stdout};
		int r = jail_up(&s, &o, &e);
		if (r < 0)
			return cmd_fail(&e);
		return r ? WJ_EXIT_FAIL : WJ_EXIT_OK;
	}
#else
	(void)dry;
	fprintf(stderr, "wgjail: up: on FreeBSD, use 'wgjail provision %s' and the jail's rc\n", s.name);
	return WJ_EXIT_FAIL;
#endif
}
