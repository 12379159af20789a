/* wgjail: WireGuard endpoints in jails.  Entry point and command table. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/commands.h"
#include "agent/jailcall.h"
#include "util/err.h"
#include "util/paths.h"
#include "keys/keys.h"

static void usage(FILE *f)
{
	fputs("usage: wgjail [-c DIR] COMMAND [ARGS]\n"
	      "WireGuard endpoints in jails and network namespaces.\n\n"
	      "Commands:\n",
	      f);
	for (const struct wj_cmd *c = wj_commands; c->name; c++)
		if (c->summary)
			fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fputs("\nOptions:\n"
	      "  -c DIR       configuration directory (default $WGJAIL_CONFDIR, else\n"
	      "               /etc/wgjail; /usr/local/etc/wgjail on FreeBSD)\n"
	      "  -h, --help   this help (also 'wgjail help'); 'wgjail COMMAND -h' for a\n"
	      "               command's help\n"
	      "\nExit status: 0 success, 1 failure, 2 usage error.  See wgjail(8).\n",
	      f);
}

static const struct option longopts[] = {
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int main(int argc, char **argv, char **envp)
{
	const struct wj_cmd *c;
	int ch, rc;

	jail_call_env(envp);
	if (keys_init() < 0) {
		fputs("wgjail: cannot initialise libsodium\n", stderr);
		return WJ_EXIT_FAIL;
	}
	/* Global options stop at the command name. */
	while ((ch = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			wj_set_confdir(optarg);
			break;
		case 'h':
			usage(stdout);
			return WJ_EXIT_OK;
		default:
			usage(stderr);
			return WJ_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return WJ_EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return WJ_EXIT_OK;
	}
	c = cmd_find(argv[optind]);
	if (!c) {
		fprintf(stderr, "wgjail: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return WJ_EXIT_USAGE;
	}
	argv += optind;
	argc -= optind;
	optind = 0; /* reset getopt for the command (glibc: full reinit) */
	rc = c->run(argc, argv);
	jail_call_prefork_end();
	errno = 0;
	/* Every command's output is checked: what it printed may be all an
	 * operator gets (a public key, a report). */
	if ((fflush(stdout) != 0 || ferror(stdout)) && rc == WJ_EXIT_OK) {
		fprintf(stderr, "wgjail: standard output: %s\n", strerror(errno ? errno : EIO));
		rc = WJ_EXIT_FAIL;
	}
	return rc;
}
