/* wgjail create [-n] JAIL [options]: write (or update) the jail spec and,
 * on first creation, the jail's WireGuard config with a new private key.
 * Platform-neutral: it only writes files in the configuration directory.
 * This is the command edge (options, output); the change itself is an
 * operation on the jail's transaction (agent/jailcreate.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "agent/commands.h"
#include "agent/jailcreate.h"
#include "agent/jailspec.h"
#include "agent/uplink.h"
#include "util/err.h"
#include "util/strutil.h"
#include "keys/keys.h"
#include "wg/config.h"

enum {
	OPT_UPLINK = 256, OPT_BRIDGE, OPT_ID, OPT_JAIL_ADDRESS, OPT_GATEWAY, OPT_ADDRESS, OPT_LISTEN_PORT, OPT_MTU,
	OPT_ROOT, OPT_IMPL, OPT_ENDPOINT, OPT_INTERFACE, OPT_HOSTNAME,
};

static const struct option longopts[] = {
	{"dry-run", no_argument, NULL, 'n'},
	{"help", no_argument, NULL, 'h'},
	{"uplink", required_argument, NULL, OPT_UPLINK},
	{"bridge", required_argument, NULL, OPT_BRIDGE},
	{"id", required_argument, NULL, OPT_ID},
	{"jail-address", required_argument, NULL, OPT_JAIL_ADDRESS},
	{"gateway", required_argument, NULL, OPT_GATEWAY},
	{"address", required_argument, NULL, OPT_ADDRESS},
	{"listen-port", required_argument, NULL, OPT_LISTEN_PORT},
	{"mtu", required_argument, NULL, OPT_MTU},
	{"root", required_argument, NULL, OPT_ROOT},
	{"implementation", required_argument, NULL, OPT_IMPL},
	{"endpoint", required_argument, NULL, OPT_ENDPOINT},
	{"interface", required_argument, NULL, OPT_INTERFACE},
	{"hostname", required_argument, NULL, OPT_HOSTNAME},
	{NULL, 0, NULL, 0},
};

static void help(void)
{
	cmd_usage("create", stdout);
	fputs("Options (each replaces the value in an existing spec; repeatable ones replace the whole list):\n"
	      "  -n                      print what would be written, write nothing\n"
	      "  --uplink bridge|wireguard\n"
	      "  --bridge IF             host bridge (bridge uplink; default bridge0)\n"
	      "  --id N                  0-4095, names the jail's links (default: lowest unused)\n"
	      "  --jail-address CIDR     jail's address on the bridge (repeatable)\n"
	      "  --gateway IP            gateway on the bridge, one per family (repeatable)\n"
	      "  --address CIDR          tunnel address (repeatable)\n"
	      "  --listen-port N         WireGuard UDP port\n"
	      "  --mtu N                 tunnel MTU (576-65535)\n"
	      "  --interface IF          WireGuard interface in the jail (default wg0; renaming it\n"
	      "                          needs the jail down; reserved names are refused)\n"
	      "  --implementation auto|kernel|userspace\n"
	      "  --endpoint HOST:PORT    this jail's public endpoint (for export)\n"
	      "  --root PATH, --hostname NAME   FreeBSD jail root (not /) and hostname\n"
	      "The spec and the WireGuard file change together or not at all; a key is made\n"
	      "only for a jail that never had one.\n",
	      stdout);
}

/* Collected options: applied over the existing spec (or the defaults). */
struct opts {
	bool dry;
	const char *uplink, *bridge, *id, *listen_port, *mtu, *root, *impl, *endpoint, *ifname, *hostname;
	const char *jail_addr[JAIL_MAX_ADDRS + 1], *gateway[3], *address[JAIL_MAX_ADDRS + 1];
	size_t n_jail_addr, n_gateway, n_address;
};

static int add_list(const char **arr, size_t *n, size_t max, const char *v, const char *opt)
{
	if (*n >= max)
		return cmd_usage_error("create", "%s: at most %zu", opt, max);
	arr[(*n)++] = v;
	return 0;
}

static int bad_opt(struct wj_err *e, const char *opt, const char *v, const char *why)
{
	char q[200];
	return wj_errf(e, "%s '%s': %s", opt, wj_quote(v, q, sizeof(q)), why);
}

static int parse_cidr_list(struct wg_ipmask *arr, size_t *n, const char *const *in, size_t nin, bool prefix,
			   const char *opt, struct wj_err *e)
{
	*n = 0;
	for (size_t i = 0; i < nin; i++) {
		if (wg_ipmask_parse(in[i], &arr[*n]) < 0 || (prefix && !strchr(in[i], '/')) ||
		    (!prefix && strchr(in[i], '/')))
			return bad_opt(e, opt, in[i], prefix ? "expected ADDRESS/PREFIX" : "expected an IP address");
		(*n)++;
	}
	return 0;
}

static int copy_opt(char *dst, size_t sz, const char *v, const char *opt, const char *why, struct wj_err *e)
{
	if (why)
		return bad_opt(e, opt, v, why);
	if (strlen(v) >= sz)
		return bad_opt(e, opt, v, "too long");
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int apply(struct jail_spec *s, const struct opts *o, struct wj_err *e)
{
	uint64_t n;

	if (o->uplink && uplink_from_name(o->uplink, &s->uplink) < 0) {
		char why[80];
		snprintf(why, sizeof(why), "expected %s", uplink_choices());
		return bad_opt(e, "--uplink", o->uplink, why);
	}
	if (o->impl) {
		if (!strcmp(o->impl, "auto"))
			s->impl = IMPL_AUTO;
		else if (!strcmp(o->impl, "kernel"))
			s->impl = IMPL_KERNEL;
		else if (!strcmp(o->impl, "userspace"))
			s->impl = IMPL_USERSPACE;
		else
			return bad_opt(e, "--implementation", o->impl, "expected auto, kernel or userspace");
	}
	if (o->bridge && copy_opt(s->bridge, sizeof(s->bridge), o->bridge, "--bridge", wj_ifname_invalid(o->bridge), e))
		return -1;
	if (o->ifname &&
	    copy_opt(s->ifname, sizeof(s->ifname), o->ifname, "--interface", wj_ifname_invalid(o->ifname), e))
		return -1;
	if (o->root && copy_opt(s->root, sizeof(s->root), o->root, "--root", wj_path_invalid(o->root), e))
		return -1;
	if (o->endpoint && copy_opt(s->endpoint, sizeof(s->endpoint), o->endpoint, "--endpoint", NULL, e))
		return -1;
	if (o->hostname && copy_opt(s->hostname, sizeof(s->hostname), o->hostname, "--hostname", NULL, e))
		return -1;
	if (o->id) {
		if (wj_parse_uint(o->id, 0, JAIL_ID_MAX, &n) < 0)
			return bad_opt(e, "--id", o->id, "expected a number from 0 to 4095");
		s->id = (unsigned)n;
	}
	if (o->listen_port) {
		if (wj_parse_uint(o->listen_port, 0, 65535, &n) < 0)
			return bad_opt(e, "--listen-port", o->listen_port, "expected a port from 0 to 65535");
		s->listen_port = (uint16_t)n;
	}
	if (o->mtu) {
		if (wj_parse_uint(o->mtu, 576, 65535, &n) < 0)
			return bad_opt(e, "--mtu", o->mtu, "expected a number from 576 to 65535");
		s->mtu = (uint32_t)n;
	}
	if (o->n_jail_addr && parse_cidr_list(s->jail_addr, &s->n_jail_addr, o->jail_addr, o->n_jail_addr, true,
					      "--jail-address", e) < 0)
		return -1;
	if (o->n_gateway &&
	    parse_cidr_list(s->gateway, &s->n_gateway, o->gateway, o->n_gateway, false, "--gateway", e) < 0)
		return -1;
	if (o->n_address &&
	    parse_cidr_list(s->address, &s->n_address, o->address, o->n_address, true, "--address", e) < 0)
		return -1;
	return 0;
}

static void print_conf(const struct wg_device *dev)
{
	size_t len;
	char *t = wg_config_format(dev, WG_CONFIG_HIDE_KEYS, &len);

	if (t) {
		fwrite(t, 1, len, stdout);
		wg_config_free_text(t, len);
	}
}

static int apply_opts(struct jail_spec *s, const void *opts, struct wj_err *e)
{
	return apply(s, opts, e);
}

static int run(const char *name, const struct opts *o, struct wj_err *e)
{
	struct create_req req = {
		.dry = o->dry,
		.apply = apply_opts,
		.opts = o,
		.id_given = o->id != NULL,
		.listen_port_given = o->listen_port != NULL,
	};
	struct create_result r;
	char pub[WG_KEY_B64_LEN + 1];

	if (create_jail(name, &req, &r, e) < 0) {
		create_result_free(&r);
		return -1;
	}
	if (!r.spec_changed && !r.conf_changed) {
		printf("jail %s: unchanged (%s)\n", name, r.spec_path);
	} else if (o->dry) {
		if (r.spec_changed)
			printf("would write %s:\n%s", r.spec_path, r.spec_text ? r.spec_text : "");
		if (r.conf_changed) {
			printf("would write %s (0600)%s:\n", r.conf_path, r.fresh ? ", with a new private key" : "");
			if (r.conf)
				print_conf(r.conf);
		}
	} else {
		key_to_base64(pub, r.pub);
		printf("jail %s: %s %s%s%s\n", name, r.is_new ? "created" : "updated", r.spec_path,
		       r.conf_changed ? " and " : "", r.conf_changed ? r.conf_path : "");
		printf("public key: %s\n", pub);
	}
	create_result_free(&r);
	return 0;
}

/* Options may come before or after JAIL (GNU getopt permutes). */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "nh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': o->dry = true; break;
		case 'h': help(); return 1;
		case OPT_UPLINK: o->uplink = optarg; break;
		case OPT_BRIDGE: o->bridge = optarg; break;
		case OPT_ID: o->id = optarg; break;
		case OPT_LISTEN_PORT: o->listen_port = optarg; break;
		case OPT_MTU: o->mtu = optarg; break;
		case OPT_ROOT: o->root = optarg; break;
		case OPT_IMPL: o->impl = optarg; break;
		case OPT_ENDPOINT: o->endpoint = optarg; break;
		case OPT_INTERFACE: o->ifname = optarg; break;
		case OPT_HOSTNAME: o->hostname = optarg; break;
		case OPT_JAIL_ADDRESS:
			if (add_list(o->jail_addr, &o->n_jail_addr, JAIL_MAX_ADDRS, optarg, "--jail-address"))
				return -1;
			break;
		case OPT_GATEWAY:
			if (add_list(o->gateway, &o->n_gateway, 2, optarg, "--gateway"))
				return -1;
			break;
		case OPT_ADDRESS:
			if (add_list(o->address, &o->n_address, JAIL_MAX_ADDRS, optarg, "--address"))
				return -1;
			break;
		default: cmd_usage("create", stderr); return -1;
		}
	}
	return 0;
}

int cmd_create(int argc, char **argv)
{
	struct opts o = {0};
	struct wj_err e = {0};
	int r = parse_opts(argc, argv, &o);

	if (r)
		return r > 0 ? WJ_EXIT_OK : WJ_EXIT_USAGE;
	if (optind >= argc)
		return cmd_usage_error("create", "missing jail name");
	if (optind + 1 < argc)
		return cmd_usage_error("create", "unexpected argument '%s'", argv[optind + 1]);
	if (run(argv[optind], &o, &e) < 0)
		return cmd_fail(&e);
	return WJ_EXIT_OK;
}
