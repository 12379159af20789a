/* wgjail boot: bring every jail of the configuration directory up (first
 * boot included), one failing jail never stopping the others; a summary
 * table; exit 1 if any jail failed.  See agent/boot.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/boot.h"
#include "agent/commands.h"
#include "util/err.h"
#include "util/log.h"

int cmd_boot(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct boot_row *rows = NULL;
	struct wj_err e;
	size_t n = 0;
	int st, failed;

	if (cmd_getopt("boot", argc, argv, "h", longopts, &st) == CMD_OPT_EXIT)
		return st; /* -h is its only option */
	if ((st = cmd_operands("boot", argc, argv, 0, 0, "")) != WJ_EXIT_OK)
		return st;
	log_init(false, false);
	wj_err_clear(&e);
	failed = boot_all(stdout, &rows, &n, &e);
	if (failed < 0)
		return cmd_fail(&e);
	if (n == 0)
		printf("no jails in this configuration directory\n");
	else
		boot_print(stdout, rows, n);
	fflush(stdout);
	free(rows);
	return failed ? WJ_EXIT_FAIL : WJ_EXIT_OK;
}
