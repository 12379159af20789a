/* wgjail peer add|remove|list: the command edge (syntax, messages). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/commands.h"
#include "agent/export_text.h"
#include "agent/jailcall.h"
#include "agent/jailwg.h"
#include "agent/peer.h"
#include "agent/peer_args.h"
#include "agent/peer_list.h"
#include "agent/peername.h"
#include "agent/platform.h"
#include "util/err.h"
#include "util/strutil.h"
#include "keys/keyfile.h"
#include "wg/model.h"
#include "wg/peer_meta.h"
#include "wg/show.h"

static int usage_err(const char *u, const char *fmt, const char *arg)
{
	char q[WJ_ERR_MAX];

	fputs("wgjail: peer: ", stderr);
	fprintf(stderr, fmt, arg ? wj_quote(arg, q, sizeof(q)) : "");
	fputc('\n', stderr);
	cmd_usage(u, stderr);
	return WJ_EXIT_USAGE;
}

/* The JAIL operand, checked.  Every peer command is about that one jail
 * and has read nothing yet: the process that will enter the jail for its
 * one call is forked now, holding nothing of any jail
 * (agent/jailcall.h, jail_call_prefork). */
static int check_jail(const char *u, const char *jail)
{
	const char *why = wj_jail_name_invalid(jail);
	char q[64];

	if (why) {
		fprintf(stderr, "wgjail: peer: jail name '%s': %s\n", wj_quote(jail, q, sizeof(q)), why);
		cmd_usage(u, stderr);
		return WJ_EXIT_USAGE;
	}
	jail_call_prefork(jail); /* (if it cannot be, the call exec's one) */
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

/* --generate-key: the remote side's config, with its new private key,
 * handed over before the peer is written (the hook of agent/peer.h). */
struct gen_hook {
	const char *jail;
	struct jail_spec spec;
	uint8_t jail_pub[WG_KEY_LEN];
	const char *priv_b64;
	struct export_form form;
};

static int hand_over(void *arg, const struct wg_peer *p, struct wj_err *e)
{
	struct gen_hook *h = arg;

	if (export_emit(h->jail, &h->spec, h->jail_pub, p, h->priv_b64, &h->form, e) < 0)
		return wj_err_prefix(e, "the new peer's config (it holds its private key) could not be handed over; "
					"the peer was not added");
	return 0;
}

/* The jail's public key, for the config handed over. */
static int jail_pubkey(const char *jail, struct gen_hook *h, struct wj_err *e)
{
	char path[PATH_MAX];
	struct wg_device *m = NULL;
	int r = -1;

	if (jailspec_load(jail, &h->spec, e) < 0 ||
	    jailwg_main_path(path, sizeof(path), jail, h->spec.ifname, e) < 0 || jailwg_load_main(path, &m, e) < 0)
		return -1;
	if (!(m->flags & WGDEV_HAS_PRIVATE_KEY))
		wj_errf(e, "%s: no PrivateKey, so no public key for the new peer's config", path);
	else
		r = 0;
	memcpy(h->jail_pub, m->public_key, WG_KEY_LEN);
	wg_device_free(m);
	return r;
}

static void report_given(FILE *f, const struct peer_add_given *g)
{
	char a[INET6_ADDRSTRLEN + 8];

	if (!g->n)
		return;
	fputs("allowed ips handed out:", f);
	for (size_t i = 0; i < g->n; i++)
		fprintf(f, "%s %s", i ? "," : "", wg_ipmask_fmt(&g->a[i], a, sizeof(a)));
	fputc('\n', f);
}

static int peer_add_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"public-key", required_argument, NULL, 'k'}, {"allowed-ips", required_argument, NULL, 'a'},
		{"endpoint", required_argument, NULL, 'e'},   {"keepalive", required_argument, NULL, 'K'},
		{"psk", no_argument, NULL, 'p'},              {"psk-file", required_argument, NULL, 'P'},
		{"force", no_argument, NULL, 'f'},            {"show-keys", no_argument, NULL, 's'},
		{"name", required_argument, NULL, 'n'},       {"generate-key", no_argument, NULL, 'g'},
		{"qr", no_argument, NULL, 'q'},               {"qr-file", required_argument, NULL, 'Q'},
		{"default-route", no_argument, NULL, 'd'},    {"expires", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0},
	};
	struct peer_add_req req;
	const char *key = NULL, *aips = NULL, *psk_file = NULL, *expires = NULL, *why;
	bool gen_psk = false, show = false, gen_key = false;
	struct gen_hook gh;
	struct jailtx_hook hook = {hand_over, &gh};
	const struct jailtx_hook *use_hook = NULL;
	struct peer_add_given given = {.n = 0};
	uint8_t *priv = NULL;
	char *priv_b64 = NULL;
	struct jailtx_report o;
	struct wj_err e = {0};
	char kb[WG_KEY_B64_LEN + 1];
	unsigned n_masked = 0;
	int ch, r = WJ_EXIT_FAIL;
	FILE *rep = stdout;

	memset(&req, 0, sizeof(req));
	memset(&gh, 0, sizeof(gh));
	req.keepalive = -1;
	while ((ch = cmd_getopt("peer add", argc, argv, "h", opts, &r)) != -1) {
		switch (ch) {
		case CMD_OPT_EXIT: return r;
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
		case 'n': req.name = optarg; break;
		case 'g': gen_key = true; break;
		case 'q': gh.form.qr = true; break;
		case 'Q': gh.form.qr_file = optarg; break;
		case 'd': gh.form.default_route = true; break;
		case 'x': expires = optarg; break;
		}
	}
	if (optind + 1 != argc)
		return usage_err("peer add", "peer add takes one JAIL%s", "");
	if ((r = check_jail("peer add", argv[optind])) != 0)
		return r;
	if (key && gen_key)
		return usage_err("peer add", "--public-key and --generate-key exclude each other%s", "");
	if (!key && !gen_key)
		return usage_err("peer add", "--public-key or --generate-key is required%s", "");
	if (key && !key_from_base64(req.public_key, key))
		return usage_err("peer add", "--public-key '%s': not a WireGuard key (44 characters of base64)", key);
	if (!gen_key && (gh.form.qr || gh.form.qr_file || gh.form.default_route))
		return usage_err("peer add", "--qr, --qr-file and --default-route need --generate-key%s", "");
	if (export_form_check(&gh.form, &e) < 0)
		return usage_err("peer add", "%s", e.msg);
	if (req.name && (why = wg_peer_name_invalid(req.name, strlen(req.name))) != NULL) {
		char m[128];
		snprintf(m, sizeof(m), "--name '%%s': %s", why);
		return usage_err("peer add", m, req.name);
	}
	if (expires && peer_parse_expiry(expires, (int64_t)time(NULL), false, &req.expires, &e) < 0)
		return usage_err("peer add", "--expires: %s", e.msg);
	if (gen_psk && psk_file)
		return usage_err("peer add", "--psk and --psk-file exclude each other%s", "");
	if (show && !gen_psk)
		return usage_err("peer add", "--show-keys only makes sense with --psk%s", "");
	if (show && gen_key)
		return usage_err("peer add", "--show-keys with --generate-key: the config handed over has the preshared key%s", "");
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
	r = WJ_EXIT_FAIL;
	if (psk_file) {
		if (keyfile_read(psk_file, req.psk, &e) < 0)
			goto out;
		req.has_psk = true;
	} else if (gen_psk) {
		key_generate_psk(req.psk);
		req.has_psk = true;
	}
	if (gen_key) {
		/* The remote's private key lives only in secure memory and in
		 * the output; the jail keeps its public half. */
		gh.jail = argv[optind];
		priv = sodium_malloc(WG_KEY_LEN);
		priv_b64 = sodium_malloc(WG_KEY_B64_LEN + 1);
		if (!priv || !priv_b64) {
			wj_errf(&e, "peer add: out of secure memory");
			goto out;
		}
		if (jail_pubkey(argv[optind], &gh, &e) < 0)
			goto out;
		key_generate_private(priv);
		if (key_public_from_private(req.public_key, priv) < 0) {
			wj_errf(&e, "peer add: key generation failed");
			goto out;
		}
		key_to_base64(priv_b64, priv);
		gh.priv_b64 = priv_b64;
		use_hook = &hook;
		rep = stderr; /* stdout holds the config only */
	}
	key_to_base64(kb, req.public_key);
	/* A PSK to show is printed before the peer is written: if the
	 * output does not take it, nothing changes (agent/peer.h). */
	if (gen_psk && show)
		use_hook = &show_psk_hook;
	req.given = &given;
	if (peer_add(argv[optind], &req, use_hook, &o, &e) < 0)
		goto out;
	fprintf(rep, "peer %s%s%s%s added to %s\n", req.name ? req.name : "", req.name ? " (" : "", kb,
		req.name ? ")" : "", o.path);
	report_given(rep, &given);
	if (o.live)
		fprintf(rep, "applied to %s in jail %s\n", o.ifname, argv[optind]);
	else
		fprintf(rep, "jail %s is not up: the change applies at the next 'wgjail up %s'\n", argv[optind],
			argv[optind]);
	r = WJ_EXIT_OK;
out:
	if (r != WJ_EXIT_OK)
		r = cmd_fail(&e);
	sodium_memzero(req.psk, sizeof(req.psk));
	sodium_free(priv);
	sodium_free(priv_b64);
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

	if ((ch = cmd_getopt("peer remove", argc, argv, "h", opts, &r)) == CMD_OPT_EXIT)
		return r; /* -h is its only option */
	if (optind + 2 != argc)
		return usage_err("peer remove", "peer remove takes JAIL and KEY%s", "");
	if ((r = check_jail("peer remove", argv[optind])) != 0)
		return r;
	if (peername_resolve(argv[optind], argv[optind + 1], key, &e) < 0 || peer_remove(argv[optind], key, &o, &e) < 0)
		return cmd_fail(&e);
	printf("peer %s removed from %s\n", argv[optind + 1], o.path);
	report_live(argv[optind], &o);
	return WJ_EXIT_OK;
}

static int peer_list_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	bool json = false, live;
	struct wg_device *dev;
	struct peer_list_of l;
	struct jailtx_report o;
	struct wj_err e = {0};
	int ch, r;

	while ((ch = cmd_getopt("peer list", argc, argv, "h", opts, &r)) != -1) {
		if (ch == CMD_OPT_EXIT)
			return r;
		json = true; /* --json */
	}
	if (optind + 1 != argc)
		return usage_err("peer list", "peer list takes one JAIL%s", "");
	if ((r = check_jail("peer list", argv[optind])) != 0)
		return r;
	if (peer_load(argv[optind], true, &dev, &live, &o, &e) < 0)
		return cmd_fail(&e);
	l.jail = argv[optind];
	l.ifname = o.ifname;
	l.dev = dev;
	l.live = live;
	l.json = json;
	l.now = time(NULL);
	r = peer_list_write(stdout, &l);
	wg_device_free(dev);
	if (r < 0) {
		wj_errnof(&e, ENOMEM, "peer list");
		return cmd_fail(&e);
	}
	return WJ_EXIT_OK;
}

/* peer disable|enable|expire JAIL PEER [WHEN] */
static int peer_mark_cmd(const char *sub, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	bool expire = !strcmp(sub, "expire"), active = false;
	int want = expire ? 3 : 2, ch, r, kind = expire ? WG_META_EXPIRES : WG_META_DISABLED;
	const char *value = NULL;
	char when[32], kb[WG_KEY_B64_LEN + 1];
	uint8_t key[WG_KEY_LEN];
	int64_t t = 0;
	struct jailtx_report o;
	struct wj_err e = {0};
	char u[32];

	snprintf(u, sizeof(u), "peer %s", sub);
	if ((ch = cmd_getopt(u, argc, argv, "h", opts, &r)) == CMD_OPT_EXIT)
		return r; /* -h is its only option */
	if (optind + want != argc)
		return usage_err(u, expire ? "peer expire takes JAIL, PEER and DATE|DURATION|never%s"
						    : "peer disable and enable take JAIL and PEER%s", "");
	if ((r = check_jail(u, argv[optind])) != 0)
		return r;
	if (expire) {
		if (peer_parse_expiry(argv[optind + 2], (int64_t)time(NULL), true, &t, &e) < 0)
			return usage_err(u, "peer expire: %s", e.msg);
		value = t ? wg_time_fmt(t, when, sizeof(when)) : NULL;
	} else if (!strcmp(sub, "disable")) {
		value = "yes";
	}
	if (peername_resolve(argv[optind], argv[optind + 1], key, &e) < 0 ||
	    peer_set_mark(argv[optind], key, kind, value, &active, &o, &e) < 0)
		return cmd_fail(&e);
	key_to_base64(kb, key);
	if (expire)
		printf("peer %s %s%s in %s\n", kb, value ? "expires at " : "never expires", value ? value : "", o.path);
	else
		printf("peer %s %s in %s\n", kb, value ? "disabled" : "enabled", o.path);
	if (!active && !value)
		printf("peer %s is still %s: it stays off the interface\n", kb, expire ? "disabled" : "expired");
	else if (o.live)
		printf("%s %s in jail %s\n", active ? "on" : "taken off", o.ifname, argv[optind]);
	else
		printf("jail %s is not up: the change applies at the next 'wgjail up %s'\n", argv[optind], argv[optind]);
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
		cmd_usage("peer disable", f);
		cmd_usage("peer enable", f);
		cmd_usage("peer expire", f);
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
	if (!strcmp(sub, "disable") || !strcmp(sub, "enable") || !strcmp(sub, "expire"))
		return peer_mark_cmd(sub, argc - 1, argv + 1);
	return cmd_usage_error("peer", "unknown peer command '%s' (add, remove, list, disable, enable, expire)",
			       sub);
}
