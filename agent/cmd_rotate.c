/* Placeholder until its issue lands; replaced by the real command. */
#include <stdio.h>
#include "agent/commands.h"

int cmd_rotate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("wgjail: 'rotate' is not available yet\n", stderr);
	return 1;
}
