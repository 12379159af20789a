/* wgjail peer add|remove|list: the command edge (syntax, messages). */
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/commands.h"
#include "agent/peer.h"
#include "agent/peer_args.h"
#include "agent/platform.h"
#include "util/err.h"
#include "util/strutil.h"
#include "keys/keyfile.h"
#include "wg/model.h"

static int usage_err(const char *u, const char *fmt, const char *arg)
{
	char q[WJ_ERR_MAX];

	fputs("wgjail: peer: ", stderr);
	fprintf(stderr, fmt, arg ? wj_quote(arg, q, sizeof(q)) : "");
	fputc('\n', stderr);
	cmd_usage(u, stderr);
	return WJ_EXIT_USAGE;
}

static int check_jail(const char *u, const char *jail)
{
	const char *why = wj_jail_name_invalid(jail);
	char q[64];

	if (why) {
		fprintf(stderr, "wgjail: peer: jail name '%s': %s\n", wj_quote(jail, q, sizeof(q)), why);
		cmd_usage(u, stderr);
		return WJ_EXIT_USAGE;
	}
	return 0;
}

static void report_live(const char *jail, const struct jailtx_report *o)
{
	char hint[256];

	if (o->live) {
		printf("applied to %s in jail %s\n", o->ifname, jail);
		return;
	}
	wj_platform()->start_hint(jail, hint, sizeof(hint));
	printf("jail %s is not running here: the change applies when it starts (%s)\n", jail, hint);
}

/* --psk --show-keys: the generated PSK, printed and checked before the
 * peer is written. */
static int show_psk(void *arg, const struct wg_peer *p, struct wj_err *e)
{
	char b64[WG_KEY_B64_LEN + 1];

	(void)arg;
	key_to_base64(b64, p->psk);
	printf("PresharedKey = %s\n", b64);
	sodium_memzero(b64, sizeof(b64));
	if (cmd_output_done(e) < 0)
		return wj_err_prefix(e, "the preshared key could not be shown; the peer was not added");
	return 0;
}

static const struct jailtx_hook show_psk_hook = {show_psk, NULL};

static int peer_add_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"public-key", required_argument, NULL, 'k'}, {"allowed-ips", required_argument, NULL, 'a'},
		{"endpoint", required_argument, NULL, 'e'},   {"keepalive", required_argument, NULL, 'K'},
		{"psk", no_argument, NULL, 'p'},              {"psk-file", required_argument, NULL, 'P'},
		{"force", no_argument, NULL, 'f'},            {"show-keys", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0},
	};
	struct peer_add_req req;
	const char *key = NULL, *aips = NULL, *psk_file = NULL;
	bool gen_psk = false, show = false;
	struct jailtx_report o;
	struct wj_err e = {0};
	char kb[WG_KEY_B64_LEN + 1];
	unsigned n_masked = 0;
	int ch, r = WJ_EXIT_FAIL;

	memset(&req, 0, sizeof(req));
	req.keepalive = -1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': key = optarg; break;
		case 'a': aips = optarg; break;
		case 'e': req.endpoint = optarg; break;
		case 'K': {
			uint64_t v;
			if (wj_parse_uint(optarg, 0, 65535, &v) < 0)
				return usage_err("peer add", "--keepalive '%s': expected 0-65535 seconds", optarg);
			req.keepalive = (int)v;
			break;
		}
		case 'p': gen_psk = true; break;
		case 'P': psk_file = optarg; break;
		case 'f': req.force = true; break;
		case 's': show = true; break;
		case 'h': cmd_usage("peer add", stdout); return WJ_EXIT_OK;
		default: cmd_usage("peer add", stderr); return WJ_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return usage_err("peer add", "peer add takes one JAIL%s", "");
	if ((r = check_jail("peer add", argv[optind])) != 0)
		return r;
	if (!key)
		return usage_err("peer add", "--public-key is required%s", "");
	if (!key_from_base64(req.public_key, key))
		return usage_err("peer add", "--public-key '%s': not a WireGuard key (44 characters of base64)", key);
	if (gen_psk && psk_file)
		return usage_err("peer add", "--psk and --psk-file exclude each other%s", "");
	if (show && !gen_psk)
		return usage_err("peer add", "--show-keys only makes sense with --psk%s", "");
	if (aips && peer_parse_aips(aips, &req.aips, &req.n_aips, &n_masked, &e) < 0)
		return usage_err("peer add", "--allowed-ips: %s", e.msg);
	if (n_masked) {
		fputs("wgjail: warning: --allowed-ips with host bits set; using", stderr);
		for (size_t i = 0; i < req.n_aips; i++) {
			char a[INET6_ADDRSTRLEN + 8];
			fprintf(stderr, "%s %s", i ? "," : "", wg_ipmask_fmt(&req.aips[i], a, sizeof(a)));
		}
		fputc('\n', stderr);
	}
	if (req.endpoint && peer_check_endpoint(req.endpoint, &e) < 0) {
		free(req.aips);
		return usage_err("peer add", "--endpoint: %s", e.msg);
	}
	if (psk_file) {
		if (keyfile_read(psk_file, req.psk, &e) < 0) {
			free(req.aips);
			return cmd_fail(&e);
		}
		req.has_psk = true;
	} else if (gen_psk) {
		key_generate_psk(req.psk);
		req.has_psk = true;
	}
	key_to_base64(kb, req.public_key);
	/* A PSK to show is printed before the peer is written: if the
	 * output does not take it, nothing changes (agent/jailtx.h). */
	if (peer_add(argv[optind], &req, gen_psk && show ? &show_psk_hook : NULL, &o, &e) < 0) {
		r = cmd_fail(&e);
	} else {
		printf("peer %s added to %s\n", kb, o.path);
		report_live(argv[optind], &o);
		r = WJ_EXIT_OK;
	}
	sodium_memzero(req.psk, sizeof(req.psk));
	free(req.aips);
	return r;
}

static int peer_remove_cmd(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	uint8_t key[WG_KEY_LEN];
	struct jailtx_report o;
	struct wj_err e = {0};
	int ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			cmd_usage("peer remove", stdout);
			return WJ_EXIT_OK;
		}
		cmd_usage("peer remove", stderr);
		return WJ_EXIT_USAGE;
	}
	if (optind + 2 != argc)
		return usage_err("peer remove", "peer remove takes JAIL and KEY%s", "");
	if ((r = check_jail("peer remove", argv[optind])) != 0)
		return r;
	if (!key_from_base64(key, argv[optind + 1]))
		return usage_err("peer remove", "'%s': not a WireGuard key (44 characters of base64)", argv[optind + 1]);
	if (peer_remove(argv[optind], key, &o, &e) < 0)
		return cmd_fail(&e);
	printf("peer %s removed from %s\n", argv[optind + 1], o.path);
	report_live(argv[optind], &o);
	return WJ_EXIT_OK;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *endpoint_of(const struct wg_peer *p, char *buf, size_t sz)
{
	if (p->endpoint)
		return p->endpoint;
	if (p->endpoint_addr.sa.sa_family != AF_UNSPEC)
		return wg_sockaddr_fmt(&p->endpoint_addr, buf, sz);
	return NULL;
}

static void list_json(const char *jail, const struct wg_device *dev, bool live, const struct jailtx_report *o)
{
	printf("{\"jail\":");
	json_str(jail);
	printf(",\"interface\":");
	json_str(o->ifname);
	printf(",\"up\":%s,\"peers\":[", live ? "true" : "false");
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];
		char k[WG_KEY_B64_LEN + 1], ep[INET6_ADDRSTRLEN + 16], a[INET6_ADDRSTRLEN + 8];
		const char *eps = endpoint_of(p, ep, sizeof(ep));

		key_to_base64(k, p->public_key);
		printf("%s{\"public_key\":\"%s\",\"allowed_ips\":[", i ? "," : "", k);
		for (size_t j = 0; j < p->n_aips; j++) {
			printf("%s", j ? "," : "");
			json_str(wg_ipmask_fmt(&p->aips[j], a, sizeof(a)));
		}
		printf("],\"endpoint\":");
		if (eps)
			json_str(eps);
		else
			printf("null");
		printf(",\"persistent_keepalive\":%u,\"preshared_key\":%s", p->keepalive,
		       (p->flags & WGPEER_HAS_PSK) && !key_is_zero(p->psk) ? "true" : "false");
		if (live)
			printf(",\"latest_handshake\":%" PRId64 ",\"rx_bytes\":%" PRIu64 ",\"tx_bytes\":%" PRIu64,
			       p->last_handshake_sec, p->rx_bytes, p->tx_bytes);
		printf("}");
	}
	printf("]}\n");
}

static void list_text(const char *jail, const struct wg_device *dev, bool live, const struct jailtx_report *o)
{
	time_t now = time(NULL);

	printf("jail %s, interface %s, %s, %zu peer%s\n", jail, o->ifname, live ? "up" : "not up", dev->n_peers,
	       dev->n_peers == 1 ? "" : "s");
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];
		char k[WG_KEY_B64_LEN + 1], ep[INET6_ADDRSTRLEN + 16], a[INET6_ADDRSTRLEN + 8];
		const char *eps = endpoint_of(p, ep, sizeof(ep));

		key_to_base64(k, p->public_key);
		printf("\npeer: %s\n  allowed ips: ", k);
		for (size_t j = 0; j < p->n_aips; j++)
			printf("%s%s", j ? ", " : "", wg_ipmask_fmt(&p->aips[j], a, sizeof(a)));
		printf("%s\n", p->n_aips ? "" : "(none)");
		if (eps)
			printf("  endpoint: %s\n", eps);
		if (p->keepalive)
			printf("  persistent keepalive: every %u seconds\n", p->keepalive);
		printf("  preshared key: %s\n", (p->flags & WGPEER_HAS_PSK) && !key_is_zero(p->psk) ? "yes" : "no");
		if (!live)
			continue;
		if (p->last_handshake_sec)
			printf("  latest handshake: %lld seconds ago\n", (long long)(now - p->last_handshake_sec));
		else
			printf("  latest handshake: none\n");
		printf("  transfer: %" PRIu64 " B received, %" PRIu64 " B sent\n", p->rx_bytes, p->tx_bytes);
	}
}

static int peer_list_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	bool json = false, live;
	struct wg_device *dev;
	struct jailtx_report o;
	struct wj_err e = {0};
	int ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'j') {
			json = true;
			continue;
		}
		if (ch == 'h') {
			cmd_usage("peer list", stdout);
			return WJ_EXIT_OK;
		}
		cmd_usage("peer list", stderr);
		return WJ_EXIT_USAGE;
	}
	if (optind + 1 != argc)
		return usage_err("peer list", "peer list takes one JAIL%s", "");
	if ((r = check_jail("peer list", argv[optind])) != 0)
		return r;
	if (peer_load(argv[optind], true, &dev, &live, &o, &e) < 0)
		return cmd_fail(&e);
	if (json)
		list_json(argv[optind], dev, live, &o);
	else
		list_text(argv[optind], dev, live, &o);
	wg_device_free(dev);
	return WJ_EXIT_OK;
}

int cmd_peer(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		FILE *f = sub ? stdout : stderr;
		cmd_usage("peer add", f);
		cmd_usage("peer remove", f);
		cmd_usage("peer list", f);
		return sub ? WJ_EXIT_OK : WJ_EXIT_USAGE;
	}
	/* getopt restarts on the subcommand's own arguments. */
	optind = 0;
	if (!strcmp(sub, "add"))
		return peer_add_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "remove"))
		return peer_remove_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "list"))
		return peer_list_cmd(argc - 1, argv + 1);
	return cmd_usage_error("peer", "unknown peer command '%s' (add, remove, list)", sub);
}
