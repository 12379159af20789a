/* The command table: one row per subcommand, used both to dispatch and to
 * print help.  Each handler parses its own options (getopt_long, with -h),
 * returns an exit status (WJ_EXIT_*), and is the only place that prints
 * errors for its command. */
#ifndef WGJAIL_COMMANDS_H
#define WGJAIL_COMMANDS_H

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
