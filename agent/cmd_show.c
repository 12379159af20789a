/* wgjail show [--json] [IFACE|JAIL]: interfaces and peers, keys hidden. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/agentstate.h"
#include "agent/commands.h"
#include "agent/jailspec.h"
#include "agent/jailwg.h"
#include "agent/peer.h"
#include "agent/reach.h"
#include "agent/jailstate.h"
#include "agent/platform.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "wg/backend.h"
#include "wg/peer_meta.h"
#include "wg/show.h"

struct show_out {
	bool json;
	size_t shown; /* interfaces printed so far (separators) */
	bool jail;    /* a jail was shown: its spec follows the interfaces */
	struct jail_spec spec;
};

/* Read IFNAME (in the current network namespace) and print it.  This is
 * the unit a JAIL argument reuses: enter the jail's namespace, then call
 * it for the jail's interfaces. */
static void print_dev(struct wg_device *dev, struct show_out *so)
{
	time_t now = time(NULL);

	if (so->json) {
		fputs(so->shown ? "," : "", stdout);
		wg_show_json(stdout, dev, now);
	} else {
		fputs(so->shown ? "\n" : "", stdout);
		wg_show_text(stdout, dev, now);
	}
	so->shown++;
}

/* B: the backend already chosen for IFNAME, or NULL to choose it here. */
static int show_iface(const char *ifname, const struct wg_backend *b, struct show_out *so, struct wj_err *e)
{
	struct wg_device *dev = NULL;

	if (!b)
		b = wg_backend_for(ifname, e);

	if (!b || b->get(ifname, &dev, e) < 0)
		return -1;
	snprintf(dev->name, sizeof(dev->name), "%s", ifname);
	print_dev(dev, so);
	wg_device_free(dev);
	return 0;
}

/* A jail's interface in JSON also says which of its peers' host names
 * failed to resolve when the agent last tried: "resolution_errors":
 * {"KEY": {"endpoint": "host:port", "error": "..."}} (empty without an
 * agent, agent/agentstate.h). */
static void print_jail_json(const char *jail, const struct wg_device *dev, struct show_out *so)
{
	struct agent_state st;
	struct wj_err e;
	char kb[WG_KEY_B64_LEN + 1];
	size_t k = 0;
	int have;

	wj_err_clear(&e);
	have = agentstate_load(&st, &e);
	if (have < 0)
		fprintf(stderr, "wgjail: %s\n", e.msg); /* shown without it */
	fputs(so->shown ? "," : "", stdout);
	wg_show_json_open(stdout, dev, time(NULL));
	fputs(",\"resolution_errors\":{", stdout);
	for (size_t i = 0; have > 0 && i < st.n_rerrs; i++) {
		if (strcmp(st.rerrs[i].jail, jail))
			continue;
		key_to_base64(kb, st.rerrs[i].key);
		fprintf(stdout, "%s\"%s\":{\"endpoint\":", k++ ? "," : "", kb);
		wg_json_string(stdout, st.rerrs[i].endpoint);
		fputs(",\"error\":", stdout);
		wg_json_string(stdout, st.rerrs[i].error);
		fputc('}', stdout);
	}
	fputs("}}", stdout);
	if (have > 0)
		agentstate_free(&st);
	so->shown++;
}

/* JAIL: the jail's interface, read inside the jail's network namespace
 * (and through its private UAPI socket directory when wireguard-go drives
 * it).  Shown under the name it has inside the jail. */
static int show_jail(const char *name, struct show_out *so, struct wj_err *e)
{
	struct jail_spec spec;
	struct peer_target t;
	struct wg_device *dev = NULL;
	int r;

	if (jailspec_load(name, &spec, e) < 0)
		return -1;
	r = peer_jail_target(&spec, &t, e);
	if (r < 0)
		return -1;
	if (r == 0)
		return wj_jail_not_running(name, e);
	if (peer_live_get(&t, &dev, e) < 0)
		return -1;
	snprintf(dev->name, sizeof(dev->name), "%s", spec.ifname);
	{
		/* The peers' names are in the jail's files, not on the link;
		 * a config that does not load only costs the names. */
		struct wg_device *conf = NULL;
		struct wj_err ignored;
		if (jailwg_load(name, spec.ifname, &conf, &ignored) == 0)
			wg_device_copy_meta(dev, conf);
		wg_device_free(conf);
	}
	if (so->json)
		print_jail_json(name, dev, so);
	else
		print_dev(dev, so);
	wg_device_free(dev);
	so->jail = true;
	so->spec = spec;
	return 0;
}

/* --json JAIL: the jail's object after the interfaces. */
static void print_jail_reach(const struct show_out *so)
{
	struct jail_state st = {0};
	struct wj_err ignored;

	if (jailstate_load(so->spec.name, &st, &ignored) <= 0)
		memset(&st, 0, sizeof(st));
	printf(",\"jail\":{\"name\":\"%s\",", so->spec.name);
	reach_json(stdout, &so->spec, st.nat_if);
	fputs("}", stdout);
}

/* IFACE|JAIL: an interface of this namespace wins; otherwise a jail of
 * that name. */
static int show_one(const char *arg, struct show_out *so, struct wj_err *e)
{
	char path[PATH_MAX], q[64];
	const struct wg_backend *b;
	struct wj_err ie;

	wj_err_clear(&ie);
	if ((b = wg_backend_for(arg, &ie)))
		return show_iface(arg, b, so, e);
	if (!wj_jail_name_invalid(arg) && jail_path(path, sizeof(path), arg, "jail.conf") == 0 && wj_exists(path))
		return show_jail(arg, so, e);
	*e = ie;
	return wj_err_prefix(e, "no interface or jail '%s' here", wj_quote(arg, q, sizeof(q)));
}

/* Every interface of this namespace; one that vanishes or fails is
 * reported and the others are still shown. */
static int show_all(struct show_out *so, struct wj_err *e)
{
	char **names;
	size_t n;
	int ret = 0;

	if (wg_backend_list_all(&names, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct wj_err ie;
		wj_err_clear(&ie);
		if (show_iface(names[i], NULL, so, &ie) < 0) {
			fflush(stdout);
			cmd_fail(&ie);
			ret = 1;
		}
	}
	wg_backend_free_list(names, n);
	return ret;
}

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	static struct show_out so;
	struct wj_err e;
	int ch, r;

	wj_err_clear(&e);
	while ((ch = cmd_getopt(argv[0], argc, argv, "hj", longopts, &r)) != -1) {
		if (ch == CMD_OPT_EXIT)
			return r;
		so.json = true; /* -j */
	}
	if ((r = cmd_operands(argv[0], argc, argv, 0, 1, "")) != WJ_EXIT_OK)
		return r;
	if (so.json)
		fputs("{\"interfaces\":[", stdout);
	if (optind < argc)
		r = show_one(argv[optind], &so, &e);
	else
		r = show_all(&so, &e);
	if (so.json) {
		fputs("]", stdout);
		if (so.jail)
			print_jail_reach(&so);
		fputs("}\n", stdout);
	}
	if (fflush(stdout) != 0) {
		perror("wgjail: writing to stdout");
		return WJ_EXIT_FAIL;
	}
	if (r < 0)
		return cmd_fail(&e);
	return r ? WJ_EXIT_FAIL : WJ_EXIT_OK;
}
