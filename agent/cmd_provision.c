/* Placeholder until its issue lands; replaced by the real command. */
#include <stdio.h>
#include "agent/commands.h"

int cmd_provision(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("wgjail: 'provision' is not available yet\n", stderr);
	return 1;
}
