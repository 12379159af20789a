/* The command table and the helpers commands use to report. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/commands.h"
#include "util/err.h"

const struct wj_cmd wj_commands[] = {
	{"genkey", cmd_genkey, "", "print a new private key (base64)"},
	{"genpsk", cmd_genpsk, "", "print a new preshared key (base64)"},
	{"pubkey", cmd_pubkey, "< private.key", "print the public key of the private key read from stdin"},
	{"check", cmd_check, "[-v] [--show-keys] FILE", "validate a WireGuard config or a jail spec"},
	{"sync", cmd_sync, "[-n] [-f|--full] [-v] IFACE FILE", "apply FILE to IFACE, sending only what differs"},
	{"show", cmd_show, "[--json] [IFACE|JAIL]", "show interfaces and peers (keys hidden)"},
	{"create", cmd_create, "[-n] JAIL [options]", "create a jail spec, its key and its WireGuard config"},
	{"provision", cmd_provision, "[-n] [--root DIR] JAIL", "write the FreeBSD files for JAIL"},
	{"up", cmd_up, "[-n] JAIL", "bring JAIL up here, or reconcile it"},
	{"down", cmd_down, "JAIL", "tear JAIL down"},
	{"exec", cmd_exec, "JAIL [--] COMMAND [ARG...]", "run COMMAND inside JAIL's network stack (as wg(8) sees it)"},
	{"peer", cmd_peer, "add|remove|list JAIL ...", "add, remove or list the peers of a jail"},
	{"rotate", cmd_rotate, "JAIL [--peer KEY]", "new interface key, or a new PSK for one peer"},
	{"export", cmd_export, "JAIL KEY", "print the config for the remote side of peer KEY"},
	{"boot", cmd_boot, "", "bring every jail up (first boot included)"},
	{"agent", cmd_agent, "[-f] [-v] [-p PIDFILE]", "keep every jail up: reconcile, re-resolve, report health"},
	{NULL, NULL, NULL, NULL},
};

const struct wj_cmd *cmd_find(const char *name)
{
	for (const struct wj_cmd *c = wj_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void cmd_usage(const char *name, FILE *f)
{
	const struct wj_cmd *c = cmd_find(name);

	if (c)
		fprintf(f, "usage: wgjail %s%s%s\n  %s\n", c->name, *c->usage ? " " : "", c->usage, c->summary);
}

int cmd_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	fputs("wgjail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cmd_usage(name, stderr);
	return WJ_EXIT_USAGE;
}

int cmd_fail(const struct wj_err *e)
{
	fprintf(stderr, "wgjail: %s\n", e->msg[0] ? e->msg : "failed");
	return WJ_EXIT_FAIL;
}


int cmd_output_done(struct wj_err *e)
{
	struct stat st;
	int fd = fileno(stdout);

	if (fflush(stdout) != 0 || ferror(stdout))
		return wj_errnof(e, errno ? errno : EIO, "standard output");
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(fd) < 0)
		return wj_errnof(e, errno, "standard output");
	return 0;
}
