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
#include "agent/jailspec_keys.h"
#include "util/err.h"
#include "util/strutil.h"
#include "keys/keys.h"
#include "wg/config.h"

/* Options: -n, -h, and one per key of the spec that has one
 * (agent/jailspec_keys.h), whose getopt value is 256 + the key's row. */
#define OPT_KEY 256

static struct option longopts[SPEC_KEYS_MAX + 4];

static void make_longopts(void)
{
	size_t n = 0;

	longopts[n++] = (struct option){"dry-run", no_argument, NULL, 'n'};
	longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[n++] = (struct option){"no-ipv6", no_argument, NULL, '6'};
	for (size_t i = 0; i < jailspec_nkeys; i++)
		if (jailspec_keys[i].option)
			longopts[n++] = (struct option){jailspec_keys[i].option,
							jailspec_keys[i].flag ? optional_argument : required_argument, NULL,
							OPT_KEY + (int)i};
	longopts[n] = (struct option){NULL, 0, NULL, 0};
}

/* One option of the help: HEAD, then TEXT from column 26, wrapped. */
static void help_item(const char *head, const char *text)
{
	int col = printf("%s", head);

	if (col > 24) {
		putchar('\n');
		col = 0;
	}
	for (const char *w = text; *w;) {
		size_t n = strcspn(w, " ");
		if (col >= 26 && col + 1 + (int)n > 79) {
			putchar('\n');
			col = 0;
		}
		col += printf("%*s%.*s", col < 26 ? 26 - col : 1, "", (int)n, w);
		w += n;
		w += strspn(w, " ");
	}
	putchar('\n');
}

/* "--id N  names ... (0-4095)": the table's help, with the range, the
 * default and whether the option may be repeated, said once here. */
static void help(void)
{
	char arg[64], head[96], text[512];

	cmd_usage("create", stdout);
	fputs("Options (each replaces the value in an existing spec; repeatable ones replace the whole list):\n",
	      stdout);
	help_item("  -n", "print what would be written, write nothing");
	help_item("  --no-ipv6", "a new jail without an IPv6 tunnel address gets none (by default it gets a random "
				"unique local prefix, fdXX:XXXX:XXXX::1/64, RFC 4193); --address with IPv4 "
				"addresses only then drops the jail's IPv6 ones (by default they are kept)");
	for (size_t i = 0; i < jailspec_nkeys; i++) {
		const struct spec_key *k = &jailspec_keys[i];
		size_t n;
		if (!k->option)
			continue;
		if (k->flag)
			snprintf(head, sizeof(head), "  --%s[=%s]", k->option, spec_key_arg(k, arg, sizeof(arg)));
		else
			snprintf(head, sizeof(head), "  --%s %s", k->option, spec_key_arg(k, arg, sizeof(arg)));
		n = (size_t)snprintf(text, sizeof(text), "%s", k->help);
		if (k->type == SPEC_UINT)
			n += (size_t)snprintf(text + n, sizeof(text) - n, " (%ju-%ju)", (uintmax_t)k->min, (uintmax_t)k->max);
		if (k->type == SPEC_ENUM)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "; default %s", k->names[k->def]);
		else if (k->type == SPEC_TEXT && k->def_text)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "; default %s", k->def_text);
		if (k->max_items)
			snprintf(text + n, sizeof(text) - n, " (repeatable, at most %u)", k->max_items);
		help_item(head, text);
	}
	fputs("The spec and the WireGuard file change together or not at all; a key is made\n"
	      "only for a jail that never had one.\n",
	      stdout);
}

/* Collected options, applied over the existing spec (or the defaults):
 * per key of the spec, the values given (a single value: the last). */
struct opts {
	bool dry;
	bool no_ipv6;
	struct {
		const char *v[SPEC_ITEMS_MAX];
		size_t n;
	} key[SPEC_KEYS_MAX];
	/* the two that create also acts on: pick_id, the main file's ListenPort */
	const char *id, *listen_port;
};

static int apply(struct jail_spec *s, const struct opts *o, struct wj_err *e)
{
	char q[200], why[128];
	const char *bad;

	for (size_t i = 0; i < jailspec_nkeys; i++) {
		const struct spec_key *k = &jailspec_keys[i];
		if (!o->key[i].n)
			continue;
		spec_key_clear(k, s);
		for (size_t j = k->max_items ? 0 : o->key[i].n - 1; j < o->key[i].n; j++)
			if ((bad = spec_key_set(k, s, o->key[i].v[j], why, sizeof(why))))
				return wj_errf(e, "--%s '%s': %s", k->option, wj_quote(o->key[i].v[j], q, sizeof(q)),
					       bad);
	}
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
		.no_ipv6 = o->no_ipv6,
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

	make_longopts();
	while ((ch = getopt_long(argc, argv, "nh", longopts, NULL)) != -1) {
		const struct spec_key *k;
		size_t i;

		if (ch == 'n') {
			o->dry = true;
			continue;
		}
		if (ch == '6') {
			o->no_ipv6 = true;
			continue;
		}
		if (ch == 'h') {
			help(); /* not cmd_getopt's -h: the options come from the spec's table */
			return 1;
		}
		if (ch < OPT_KEY || (size_t)(ch - OPT_KEY) >= jailspec_nkeys) {
			cmd_usage("create", stderr);
			return -1;
		}
		i = (size_t)(ch - OPT_KEY);
		k = &jailspec_keys[i];
		if (!k->max_items) {
			o->key[i].v[0] = optarg ? optarg : k->flag;
			o->key[i].n = 1;
		} else if (o->key[i].n < k->max_items) {
			o->key[i].v[o->key[i].n++] = optarg;
		} else {
			cmd_usage_error("create", "--%s: at most %u", k->option, k->max_items);
			return -1;
		}
	}
	o->id = o->key[spec_key_find(SPEC_JAIL, "id") - jailspec_keys].v[0];
	o->listen_port = o->key[spec_key_find(SPEC_WIREGUARD, "listen_port") - jailspec_keys].v[0];
	return 0;
}

int cmd_create(int argc, char **argv)
{
	struct opts o = {0};
	struct wj_err e = {0};
	int r = parse_opts(argc, argv, &o);

	if (r)
		return r > 0 ? WJ_EXIT_OK : WJ_EXIT_USAGE;
	if ((r = cmd_operands("create", argc, argv, 1, 1, "jail name")) != WJ_EXIT_OK)
		return r;
	if (run(argv[optind], &o, &e) < 0)
		return cmd_fail(&e);
	return WJ_EXIT_OK;
}
