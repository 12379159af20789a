/* wgjail export JAIL KEY [--generate-remote-key] [--default-route]: the
 * wg-quick config for the remote side of peer KEY, on stdout.
 *
 *   [Interface]
 *     PrivateKey   only with --generate-remote-key (see below); otherwise a
 *                  comment says where the remote's own key goes
 *     Address      peer KEY's allowed IPs that are single addresses (/32,
 *                  /128): those are its tunnel addresses; wider prefixes
 *                  are networks behind it, listed as a comment
 *   [Peer]         this jail
 *     PublicKey    the jail's public key
 *     PresharedKey the peer's PSK, if it has one
 *     Endpoint     the spec's endpoint (jail.conf [wireguard] endpoint), if set
 *     AllowedIPs   the jail's tunnel addresses as networks (10.8.0.1/24 ->
 *                  10.8.0.0/24); 0.0.0.0/0, ::/0 with --default-route
 *     PersistentKeepalive = 25 when our config has no Endpoint for the
 *                  peer: then only the remote can open the path (NAT), and
 *                  keepalives keep it open
 *
 * --generate-remote-key: a new key pair for the remote side.  The jail's
 * config then names the new public key for that peer (PublicKey replaced in
 * place, everything else of the peer kept, applied live), and the export
 * carries the new private key.  The old key stops working at once.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "agent/commands.h"
#include "agent/jailspec.h"
#include "agent/export_text.h"
#include "agent/peer.h"
#include "agent/peername.h"
#include "util/err.h"
#include "util/strutil.h"

/* --generate-remote-key: the export, with the new private key, printed
 * and checked before the jail's config takes the new public key. */
struct export_hook {
	const char *jail;
	const struct jail_spec *spec;
	const uint8_t *jail_pub;
	const char *priv_b64;
	const struct export_form *form;
	bool handed_over;  /* printed and taken by the output */
};

static int print_before_commit(void *arg, const struct wg_peer *p, struct wj_err *e)
{
	struct export_hook *h = arg;

	if (export_emit(h->jail, h->spec, h->jail_pub, p, h->priv_b64, h->form, e) < 0)
		return wj_err_prefix(e, "the export (it holds the new private key) could not be written; nothing "
					"changed");
	h->handed_over = true;
	return 0;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"generate-remote-key", no_argument, NULL, 'g'},
		{"default-route", no_argument, NULL, 'd'},
		{"qr", no_argument, NULL, 'q'},
		{"qr-file", required_argument, NULL, 'Q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool gen = false, live;
	struct export_form form = {false, NULL, false};
	uint8_t key[WG_KEY_LEN], newpub[WG_KEY_LEN], jail_pub[WG_KEY_LEN];
	uint8_t *priv = NULL;
	char *priv_b64 = NULL;
	const char *jail, *why;
	struct jail_spec spec;
	struct wg_device *dev = NULL;
	const struct wg_peer *p;
	struct jailtx_report o;
	struct wj_err e = {0};
	char q[128];
	int ch, r = WJ_EXIT_FAIL;

	while ((ch = cmd_getopt("export", argc, argv, "h", opts, &r)) != -1) {
		switch (ch) {
		case CMD_OPT_EXIT: return r;
		case 'g': gen = true; break;
		case 'd': form.default_route = true; break;
		case 'q': form.qr = true; break;
		case 'Q': form.qr_file = optarg; break;
		}
	}
	if (optind + 2 != argc) {
		fputs("wgjail: export takes JAIL and PEER\n", stderr);
		cmd_usage("export", stderr);
		return WJ_EXIT_USAGE;
	}
	jail = argv[optind];
	if ((why = wj_jail_name_invalid(jail))) {
		fprintf(stderr, "wgjail: export: jail name '%s': %s\n", wj_quote(jail, q, sizeof(q)), why);
		return WJ_EXIT_USAGE;
	}
	if (export_form_check(&form, &e) < 0) {
		fprintf(stderr, "wgjail: export: %s\n", e.msg);
		return WJ_EXIT_USAGE;
	}
	if (jailspec_load(jail, &spec, &e) < 0 || peername_resolve(jail, argv[optind + 1], key, &e) < 0)
		return cmd_fail(&e);
	if (peer_load(jail, false, &dev, &live, &o, &e) < 0)
		goto out;
	p = wg_device_find_peer(dev, key);
	if (!p) {
		wj_errf(&e, "%s: no peer %s", o.path, argv[optind + 1]);
		goto out;
	}
	if (!(dev->flags & WGDEV_HAS_PRIVATE_KEY)) {
		wj_errf(&e, "%s: no PrivateKey, so no public key to export", o.path);
		goto out;
	}
	memcpy(jail_pub, dev->public_key, WG_KEY_LEN);
	if (!gen) {
		r = export_emit(jail, &spec, jail_pub, p, NULL, &form, &e) < 0 ? WJ_EXIT_FAIL : WJ_EXIT_OK;
		goto out;
	}
	priv = sodium_malloc(WG_KEY_LEN);
	priv_b64 = sodium_malloc(WG_KEY_B64_LEN + 1);
	if (!priv || !priv_b64) {
		wj_errf(&e, "export: out of secure memory");
		goto out;
	}
	key_generate_private(priv);
	if (key_public_from_private(newpub, priv) < 0) {
		wj_errf(&e, "export: key generation failed");
		goto out;
	}
	key_to_base64(priv_b64, priv);
	{
		struct export_hook h = {jail, &spec, jail_pub, priv_b64, &form, false};
		struct jailtx_hook hook = {print_before_commit, &h};

		if (peer_replace_key(jail, key, newpub, &hook, &o, &e) < 0) {
			/* Printed, then not written: the export is void. */
			if (h.handed_over && !o.written)
				wj_err_prefix(&e, "the export printed above is void (the jail kept peer %s)",
					      argv[optind + 1]);
			goto out;
		}
	}
	fprintf(stderr, "wgjail: %s: peer %s replaced by %s%s\n", o.path, argv[optind + 1],
		(key_to_base64(q, newpub), q), o.live ? " (applied live)" : "");
	r = WJ_EXIT_OK;
out:
	if (r != WJ_EXIT_OK)
		cmd_fail(&e);
	wg_device_free(dev);
	sodium_free(priv);
	sodium_free(priv_b64);
	return r;
}
