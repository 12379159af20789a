/* wgjail: WireGuard endpoints in jails.  Entry point and command table. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/commands.h"
#include "agent/jailspec.h"
#include "agent/util/err.h"
#include "keys/keys.h"

const struct wj_cmd wj_commands[] = {
	{"genkey", cmd_genkey, "", "print a new private key (base64)"},
	{"genpsk", cmd_genpsk, "", "print a new preshared key (base64)"},
	{"pubkey", cmd_pubkey, "< private.key", "print the public key of the private key read from stdin"},
	{"check", cmd_check, "[-v] [--show-keys] FILE", "validate a WireGuard config or a jail spec"},
	{"sync", cmd_sync, "[-n] IFACE FILE", "apply FILE to IFACE, sending only what differs"},
	{"show", cmd_show, "[--json] [IFACE|JAIL]", "show interfaces and peers (keys hidden)"},
	{"create", cmd_create, "[-n] JAIL [options]", "create a jail spec, its key and its WireGuard config"},
	{"provision", cmd_provision, "[-n] [--root DIR] JAIL", "write the FreeBSD files for JAIL"},
	{"up", cmd_up, "[-n] JAIL", "bring JAIL up here, or reconcile it"},
	{"down", cmd_down, "JAIL", "tear JAIL down"},
	{"peer", cmd_peer, "add|remove|list JAIL ...", "add, remove or list the peers of a jail"},
	{"rotate", cmd_rotate, "JAIL [--peer KEY]", "new interface key, or a new PSK for one peer"},
	{"export", cmd_export, "JAIL KEY", "print the config for the remote side of peer KEY"},
	{"boot", cmd_boot, "", "bring every jail up (first boot included)"},
	{"agent", cmd_agent, "[-f]", "keep every jail up: reconcile, re-resolve, report health"},
	{NULL, NULL, NULL, NULL},
};

static const struct wj_cmd *find_cmd(const char *name)
{
	for (const struct wj_cmd *c = wj_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void cmd_usage(const char *name, FILE *f)
{
	const struct wj_cmd *c = find_cmd(name);

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

static void usage(FILE *f)
{
	fputs("usage: wgjail [-c DIR] COMMAND [ARGS]\n"
	      "WireGuard endpoints in jails and network namespaces.\n\n"
	      "Commands:\n",
	      f);
	for (const struct wj_cmd *c = wj_commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fputs("\nOptions:\n"
	      "  -c DIR   configuration directory (default $WGJAIL_CONFDIR, else /etc/wgjail;\n"
	      "           /usr/local/etc/wgjail on FreeBSD)\n"
	      "  -h       this help; 'wgjail COMMAND -h' for a command's help\n"
	      "\nExit status: 0 success, 1 failure, 2 usage error.  See wgjail(8).\n",
	      f);
}

int main(int argc, char **argv)
{
	const struct wj_cmd *c;
	int ch;

	if (keys_init() < 0) {
		fputs("wgjail: cannot initialise libsodium\n", stderr);
		return WJ_EXIT_FAIL;
	}
	/* Global options stop at the command name. */
	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
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
	if (!strcmp(argv[optind], "help") || !strcmp(argv[optind], "--help")) {
		usage(stdout);
		return WJ_EXIT_OK;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		fprintf(stderr, "wgjail: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return WJ_EXIT_USAGE;
	}
	argv += optind;
	argc -= optind;
	optind = 0; /* reset getopt for the command (glibc: full reinit) */
	return c->run(argc, argv);
}
