/* The command table and the helpers commands use to report. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/commands.h"
#include "util/err.h"
#include "util/strutil.h"

/* One row per command (name, handler, usage, summary, help): the rows
 * look alike by design. */
const struct wj_cmd wj_commands[] = {
	{"genkey", cmd_genkey, "", "print a new private key (base64)", NULL},
	{"genpsk", cmd_genpsk, "", "print a new preshared key (base64)", NULL},
	{"pubkey", cmd_pubkey, "< private.key", "print the public key of the private key read from stdin", NULL},
	{"check", cmd_check, "[-v] [--show-keys] FILE", "validate a WireGuard config or a jail spec", NULL},
	{"sync", cmd_sync, "[-n] [-f|--full] [-v] IFACE FILE", "apply FILE to IFACE, sending only what differs",
	 "  apply FILE to IFACE, sending only what differs\n"
	 "  -n, --dry-run  print the plan (keys hidden), change nothing\n"
	 "  -f, --full     read the whole device and compare everything, even when\n"
	 "                 wgjail's record of its last sync to this device exists\n"
	 "                 (needed after the device was changed by other tools)\n"
	 "  -v, --verbose  say whether the device was read, and why\n"},
	{"show", cmd_show, "[--json] [IFACE|JAIL]", "show interfaces and peers (keys hidden)", NULL},
	{"create", cmd_create, "[-n] JAIL [options]", "create a jail spec, its key and its WireGuard config", NULL},
	{"provision", cmd_provision, "[-n] [--root DIR] JAIL", "write the FreeBSD files for JAIL; it starts at boot", NULL},
	{"up", cmd_up, "[-n] JAIL", "bring JAIL up here, or reconcile it", NULL},
	{"down", cmd_down, "JAIL", "tear JAIL down", NULL},
	{"exec", cmd_exec, "JAIL [--] COMMAND [ARG...]", "run COMMAND inside JAIL's network stack (as wg(8) sees it)",
	 "  Run COMMAND inside JAIL's network stack, as wg(8) sees it there (Linux: the\n"
	 "  jail's namespace, its /sys, and /var/run/wireguard holding the jail's own\n"
	 "  userspace sockets; FreeBSD: attached to the jail, as jexec(8)).  The exit\n"
	 "  status is COMMAND's (127: not found, 126: cannot be run, 1: the jail cannot\n"
	 "  be entered).  Options after JAIL are COMMAND's.\n"},
	{"peer", cmd_peer, "add|remove|list|disable|enable|expire JAIL ...",
	 "add, remove, list, pause or give an end date to the peers of a jail", NULL},
	{"rotate", cmd_rotate, "JAIL [--peer PEER]", "new interface key, or a new PSK for one peer",
	 "  Without --peer: give JAIL a new private key (written to its config first,\n"
	 "  then to the running interface) and print the new public key on stdout.\n"
	 "  Every peer must be given the new public key: see wgjail(8), rotate.\n"
	 "  --peer PEER: a new preshared key for PEER (its key or its name), printed once\n"
	 "  on stdout as the line 'PresharedKey = ...' for the remote side's [Peer] section\n"
	 "  (printed before it is written: if the output fails, nothing changes).\n"},
	{"export", cmd_export, "JAIL PEER [--generate-remote-key] [--default-route] [--qr | --qr-file FILE]",
	 "print the config for the remote side of a peer",
	 "  Print the wg-quick config for the remote side of PEER (its key or its name).\n"
	 "  --generate-remote-key  make a new key pair for the remote: the jail's config\n"
	 "                         takes the new public key in place of PEER's (applied live)\n"
	 "                         and the export carries the private key (printed before\n"
	 "                         the config changes: if the output fails, nothing changes)\n"
	 "  --default-route        AllowedIPs = 0.0.0.0/0, ::/0 (all traffic through the jail)\n"
	 "  --qr                   print it as a QR code for the terminal (UTF-8 blocks)\n"
	 "  --qr-file FILE         write it as a QR code image FILE (*.png or *.svg, 0600)\n"},
	{"boot", cmd_boot, "", "bring every jail up (first boot included)", NULL},
	{"agent", cmd_agent, "[-f] [-v] [-p PIDFILE] [--metrics-file PATH]",
	 "keep every jail up: reconcile, re-resolve, report health",
	 "  keep every jail up: reconcile, re-resolve, report health\n"
	 "  -f           stay in the foreground, log to stderr\n"
	 "  -v           log debug messages too\n"
	 "  -p PIDFILE   write the pid there (default without -f: RUNDIR/agent.pid)\n"
	 "  --metrics-file PATH\n"
	 "               rewrite the metrics (Prometheus text format) into PATH after\n"
	 "               every check, for node_exporter's textfile collector\n"},
	{"metrics", cmd_metrics, "[JAIL]", "print the jails' metrics (Prometheus text format)", NULL},
	/* Not for people (no summary: not listed): the agent's resolver
	 * process (agent/resolver.h). */
	{"_resolver", cmd_resolver, "ROOT", NULL, NULL},
	/* ... and the process that enters a jail (agent/jailcall.h). */
	{"_jailcall", cmd_jailcall, "", NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

/* Subcommands, for their usage only (the parent dispatches). */
static const struct wj_cmd wj_subcommands[] = {
	{"peer add", NULL,
	 "JAIL (--public-key KEY | --generate-key [--qr | --qr-file FILE] [--default-route])\n"
	 "                       [--name NAME] [--allowed-ips LIST] [--endpoint HOST:PORT] [--keepalive N]\n"
	 "                       [--psk | --psk-file FILE] [--expires WHEN] [--force] [--show-keys]",
	 "add a peer",
	 "  Add a peer to JAIL's WireGuard config, as its own file CONFDIR/JAIL/IF.peers/HEX.conf,\n"
	 "  and, if the jail is up, to its running interface -- only that peer; other\n"
	 "  sessions are not touched.\n"
	 "  --name NAME          what to call it in every command (A-Z a-z 0-9 _ . @ -, 1-63)\n"
	 "  --generate-key       make the remote side's key pair and print its wg-quick config\n"
	 "                       (as 'wgjail export' does) before the peer is written\n"
	 "  --qr, --qr-file FILE that config as a QR code for the terminal, or as an image\n"
	 "                       (*.png or *.svg, 0600) instead of the text\n"
	 "  --default-route      the config sends all traffic through the jail\n"
	 "  --allowed-ips LIST   comma-separated IP[/CIDR] routed to the peer; without it, the\n"
	 "                       next free address of each of the jail's tunnel networks\n"
	 "  --endpoint HOST:PORT where to reach the peer ([IPv6]:PORT)\n"
	 "  --keepalive N        persistent keepalive, 0-65535 seconds (0 = off)\n"
	 "  --psk                generate a preshared key (stored, not printed)\n"
	 "  --psk-file FILE      read the preshared key from FILE (mode 0600)\n"
	 "  --expires WHEN       taken off the interface then: 2027-01-31, 2027-01-31T12:00:00Z\n"
	 "                       (UTC) or a duration from now (30d, 12h, 2w)\n"
	 "  --force              take allowed IPs already routed to another peer\n"
	 "  --show-keys          print the generated preshared key (before the peer is\n"
	 "                       written: if the output fails, nothing is added)\n"},
	{"peer remove", NULL, "JAIL PEER", "remove a peer",
	 "  Remove PEER (its key or its name) from JAIL's config (its drop-in, or its\n"
	 "  section of the main file IF.conf) and from its running interface.\n"},
	{"peer list", NULL, "[--json] JAIL", "list the peers",
	 "  List JAIL's peers with their names and state; with handshake and transfer\n"
	 "  when the jail is up.\n"},
	{"peer disable", NULL, "JAIL PEER", "take a peer off the interface, keeping it",
	 "  PEER (its key or its name) stays in JAIL's config (same key, same addresses)\n"
	 "  but is taken off the interface and out of every file wg(8) reads.\n"},
	{"peer enable", NULL, "JAIL PEER", "give a disabled peer back", NULL},
	{"peer expire", NULL, "JAIL PEER WHEN|never", "give a peer an end date",
	 "  WHEN: 2027-01-31, 2027-01-31T12:00:00Z (UTC) or a duration from now (30d, 12h,\n"
	 "  2w).  An expired peer stays in the config but leaves the interface (the agent\n"
	 "  takes it off within a second of its expiry); 'never' gives it back.\n"},
	{NULL, NULL, NULL, NULL, NULL},
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

	for (const struct wj_cmd *s = wj_subcommands; !c && s->name; s++)
		if (!strcmp(s->name, name))
			c = s;
	if (!c || !c->summary)
		return;
	fprintf(f, "usage: wgjail %s%s%s\n", c->name, *c->usage ? " " : "", c->usage);
	if (c->help)
		fputs(c->help, f);
	else
		fprintf(f, "  %s\n", c->summary);
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

int cmd_getopt(const char *name, int argc, char **argv, const char *shorts, const struct option *longs, int *status)
{
	int ch = getopt_long(argc, argv, shorts, longs, NULL);

	if (ch == 'h') {
		cmd_usage(name, stdout);
		*status = WJ_EXIT_OK;
		return CMD_OPT_EXIT;
	}
	if (ch == '?' || ch == ':') {
		*status = cmd_usage_error(name, "bad option");
		return CMD_OPT_EXIT;
	}
	return ch;
}

int cmd_operands(const char *name, int argc, char **argv, int min, int max, const char *what)
{
	char q[80];

	if (argc - optind < min)
		return cmd_usage_error(name, "missing %s", what);
	if (max >= 0 && argc - optind > max)
		return cmd_usage_error(name, "unexpected argument '%s'", wj_quote(argv[optind + max], q, sizeof(q)));
	return WJ_EXIT_OK;
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
