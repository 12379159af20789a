/* The command table: one row per subcommand, used both to dispatch and to
 * print help.  Each handler parses its own options (cmd_getopt: -h and a
 * bad option answered the same way for every command), returns an exit
 * status (WJ_EXIT_*), and is the only place that prints errors for its
 * command.  Each lists its own options (struct option, for getopt_long):
 * the lists look alike because getopt_long wants them so. */
#ifndef WGJAIL_COMMANDS_H
#define WGJAIL_COMMANDS_H

#include <getopt.h>
#include <stdio.h>

struct wj_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *usage;                 /* after "wgjail NAME " */
	const char *summary;               /* NULL: internal, not listed */
	const char *help;                  /* the lines after the usage line (NULL: the summary) */
};

extern const struct wj_cmd wj_commands[];
const struct wj_cmd *cmd_find(const char *name);

/* Print "usage: wgjail NAME USAGE" and the help (else the summary) to F.
 * NAME may be a subcommand ("peer add").  The one usage text of every
 * command: no command file has a second one. */
void cmd_usage(const char *name, FILE *f);
/* Report a usage error for NAME (message, then usage) and return 2. */
int cmd_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* getopt_long over the options of command NAME (SHORTS and LONGS list
 * 'h' and "help" too): the next option, -1 after the last, or CMD_OPT_EXIT
 * when the command is to return *STATUS now: after -h or --help (the
 * usage on stdout, WJ_EXIT_OK), or after an unknown option or a missing
 * argument (getopt's message, then ours and the usage on stderr,
 * WJ_EXIT_USAGE). */
#define CMD_OPT_EXIT (-2)
int cmd_getopt(const char *name, int argc, char **argv, const char *shorts, const struct option *longs, int *status);
/* After the options of command NAME, from MIN to MAX operands (MAX < 0:
 * no limit): WJ_EXIT_OK, or the usage error's status ("missing WHAT", or
 * the first unexpected argument quoted). */
int cmd_operands(const char *name, int argc, char **argv, int min, int max, const char *what);
/* Print an error ("wgjail: MSG") to stderr and return 1. */
struct wj_err;
int cmd_fail(const struct wj_err *e);
/* Flush standard output and check that it took everything (a full disk, a
 * closed pipe); a regular file is also synced.  0, or -1 with E set.  A
 * command that hands a secret over calls it before committing the change
 * the secret belongs to. */
int cmd_output_done(struct wj_err *e);

int cmd_genkey(int argc, char **argv);
int cmd_genpsk(int argc, char **argv);
int cmd_pubkey(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_provision(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_rotate(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_resolver(int argc, char **argv);
int cmd_jailcall(int argc, char **argv);

#endif
