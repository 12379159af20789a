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
#include "agent/peer.h"
#include "util/err.h"
#include "util/strutil.h"

static bool is_host(const struct wg_ipmask *m)
{
	return m->cidr == (m->family == AF_INET ? 32 : 128);
}

static void print_export(const char *jail, const struct jail_spec *spec, const uint8_t jail_pub[WG_KEY_LEN],
			 const struct wg_peer *p, const char *priv_b64, bool default_route)
{
	char k[WG_KEY_B64_LEN + 1], a[INET6_ADDRSTRLEN + 8];
	size_t n;

	key_to_base64(k, p->public_key);
	printf("# wg-quick config for peer %s of jail %s (wgjail export)\n[Interface]\n", k, jail);
	if (priv_b64)
		printf("PrivateKey = %s\n", priv_b64);
	else
		printf("# PrivateKey = (this side's own private key; its public key is %s)\n", k);
	n = 0;
	for (size_t i = 0; i < p->n_aips; i++)
		if (is_host(&p->aips[i]))
			printf("%s%s", n++ ? ", " : "Address = ", wg_ipmask_fmt(&p->aips[i], a, sizeof(a)));
	if (n)
		printf("\n");
	else
		printf("# Address = (peer %s has no single-address AllowedIPs in jail %s)\n", k, jail);
	for (size_t i = 0; i < p->n_aips; i++)
		if (!is_host(&p->aips[i]))
			printf("# routed to this side as well: %s\n", wg_ipmask_fmt(&p->aips[i], a, sizeof(a)));

	key_to_base64(k, jail_pub);
	printf("\n[Peer]\n# jail %s\nPublicKey = %s\n", jail, k);
	if ((p->flags & WGPEER_HAS_PSK) && !key_is_zero(p->psk)) {
		char psk[WG_KEY_B64_LEN + 1];
		key_to_base64(psk, p->psk);
		printf("PresharedKey = %s\n", psk);
		sodium_memzero(psk, sizeof(psk));
	}
	if (spec->endpoint[0])
		printf("Endpoint = %s\n", spec->endpoint);
	else
		printf("# Endpoint = (unknown: set 'endpoint' in [wireguard] of jail %s's jail.conf)\n", jail);
	if (default_route) {
		printf("AllowedIPs = 0.0.0.0/0, ::/0\n");
	} else if (spec->n_address) {
		printf("AllowedIPs = ");
		for (size_t i = 0; i < spec->n_address; i++) {
			struct wg_ipmask m = spec->address[i];
			wg_ipmask_mask(&m);
			printf("%s%s", i ? ", " : "", wg_ipmask_fmt(&m, a, sizeof(a)));
		}
		printf("\n");
	} else {
		printf("# AllowedIPs = (jail %s has no tunnel address in its spec)\n", jail);
	}
	if (!p->endpoint && p->endpoint_addr.sa.sa_family == AF_UNSPEC)
		printf("PersistentKeepalive = 25\n");
}

/* --generate-remote-key: the export, with the new private key, printed
 * and checked before the jail's config takes the new public key. */
struct export_hook {
	const char *jail;
	const struct jail_spec *spec;
	const uint8_t *jail_pub;
	const char *priv_b64;
	bool default_route;
	bool handed_over;  /* printed and taken by the output */
};

static int print_before_commit(void *arg, const struct wg_peer *p, struct wj_err *e)
{
	struct export_hook *h = arg;

	print_export(h->jail, h->spec, h->jail_pub, p, h->priv_b64, h->default_route);
	if (cmd_output_done(e) < 0)
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool gen = false, defroute = false, live;
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

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'g': gen = true; break;
		case 'd': defroute = true; break;
		case 'h': cmd_usage("export", stdout); return WJ_EXIT_OK;
		default: cmd_usage("export", stderr); return WJ_EXIT_USAGE;
		}
	}
	if (optind + 2 != argc) {
		fputs("wgjail: export takes JAIL and KEY\n", stderr);
		cmd_usage("export", stderr);
		return WJ_EXIT_USAGE;
	}
	jail = argv[optind];
	if ((why = wj_jail_name_invalid(jail))) {
		fprintf(stderr, "wgjail: export: jail name '%s': %s\n", wj_quote(jail, q, sizeof(q)), why);
		return WJ_EXIT_USAGE;
	}
	if (!key_from_base64(key, argv[optind + 1])) {
		fprintf(stderr, "wgjail: export: '%s': not a WireGuard key (44 characters of base64)\n",
			wj_quote(argv[optind + 1], q, sizeof(q)));
		return WJ_EXIT_USAGE;
	}
	if (jailspec_load(jail, &spec, &e) < 0)
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
		print_export(jail, &spec, jail_pub, p, NULL, defroute);
		r = WJ_EXIT_OK;
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
		struct export_hook h = {jail, &spec, jail_pub, priv_b64, defroute, false};
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
