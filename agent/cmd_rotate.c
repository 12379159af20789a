/* wgjail rotate JAIL [--peer KEY]: a new interface key, or a new PSK for
 * one peer.  Persisted first, then applied live.  stdout gets only what is
 * to be handed over (the new public key, or the PresharedKey line); the
 * report goes to stderr, so `wgjail rotate J > newkey` captures the key. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "agent/commands.h"
#include "agent/peer.h"
#include "agent/peername.h"
#include "agent/platform.h"
#include "util/err.h"
#include "util/strutil.h"

static void report(const char *jail, const struct jailtx_report *o)
{
	char hint[256];

	if (o->live) {
		fprintf(stderr, "wgjail: %s written, applied to %s in jail %s\n", o->path, o->ifname, jail);
		return;
	}
	wj_platform()->start_hint(jail, hint, sizeof(hint));
	fprintf(stderr, "wgjail: %s written; jail %s is not running here: applies when it starts (%s)\n", o->path,
		jail, hint);
}

/* Print the peer's new PresharedKey line and check the output took it. */
static int print_psk(void *arg, const struct wg_peer *p, struct wj_err *e)
{
	char b64[WG_KEY_B64_LEN + 1];
	int r;

	(void)arg;
	key_to_base64(b64, p->psk);
	printf("PresharedKey = %s\n", b64);
	sodium_memzero(b64, sizeof(b64));
	r = cmd_output_done(e);
	return r < 0 ? wj_err_prefix(e, "the new preshared key could not be handed over; nothing changed") : 0;
}

int cmd_rotate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"peer", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *peer = NULL, *why;
	uint8_t key[WG_KEY_LEN];
	struct jailtx_report o;
	struct wj_err e = {0};
	char q[128];
	int ch, st;

	while ((ch = cmd_getopt("rotate", argc, argv, "h", opts, &st)) != -1) {
		if (ch == CMD_OPT_EXIT)
			return st;
		peer = optarg; /* --peer */
	}
	if (optind + 1 != argc) {
		fputs("wgjail: rotate takes one JAIL\n", stderr);
		cmd_usage("rotate", stderr);
		return WJ_EXIT_USAGE;
	}
	if ((why = wj_jail_name_invalid(argv[optind]))) {
		fprintf(stderr, "wgjail: rotate: jail name '%s': %s\n", wj_quote(argv[optind], q, sizeof(q)), why);
		return WJ_EXIT_USAGE;
	}
	if (!peer) {
		char pub[WG_KEY_B64_LEN + 1];
		uint8_t pk[WG_KEY_LEN];

		if (peer_rotate_key(argv[optind], pk, &o, &e) < 0)
			return cmd_fail(&e);
		key_to_base64(pub, pk);
		printf("%s\n", pub);
		if (cmd_output_done(&e) < 0) {
			/* The key is saved: only its public half was not
			 * printed, and it can be printed again. */
			report(argv[optind], &o);
			wj_err_prefix(&e, "the new public key could not be printed ('wgjail create %s' prints it)",
				      argv[optind]);
			return cmd_fail(&e);
		}
		report(argv[optind], &o);
		return WJ_EXIT_OK;
	}
	if (peername_resolve(argv[optind], peer, key, &e) < 0)
		return cmd_fail(&e);
	{
		/* The new PSK is printed before it is written: if the output
		 * does not take it, nothing changes (agent/peer.h). */
		static const struct jailtx_hook hook = {print_psk, NULL};
		uint8_t psk[WG_KEY_LEN];

		if (peer_rotate_psk(argv[optind], key, psk, &hook, &o, &e) < 0) {
			sodium_memzero(psk, sizeof(psk));
			return cmd_fail(&e);
		}
		sodium_memzero(psk, sizeof(psk));
		report(argv[optind], &o);
	}
	return WJ_EXIT_OK;
}
