/* The exposition format (see agent/metrics.h). */
#include "agent/metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "util/err.h"
#include "util/fsutil.h"

struct mctx {
	FILE *f;
	const struct metrics_jail *jails;
	size_t n;
	const struct metrics_agent *ag;
	time_t now;
	const struct health_limits *hl;
};

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *sep, const char *name, const char *v)
{
	fprintf(f, "%s%s=\"", sep, name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static void jail_labels(FILE *f, const struct metrics_jail *j)
{
	label(f, "", "jail", j->name);
	label(f, ",", "interface", j->ifname);
}

static void peer_labels(FILE *f, const struct metrics_jail *j, const struct wg_peer *p)
{
	char kb[WG_KEY_B64_LEN + 1], ip[64];
	const char *name = j->peer_name ? j->peer_name(p->public_key, j->name_arg) : NULL;

	key_to_base64(kb, p->public_key);
	jail_labels(f, j);
	label(f, ",", "public_key", kb);
	fputs(",allowed_ips=\"", f);
	for (size_t i = 0; i < p->n_aips; i++)
		fprintf(f, "%s%s", i ? "," : "", wg_ipmask_fmt(&p->aips[i], ip, sizeof(ip)));
	fputc('"', f);
	if (name)
		label(f, ",", "friendly_name", name);
}

enum peer_value { PV_SENT, PV_RECEIVED, PV_HANDSHAKE };

/* One family of per-peer values; jail_family below is its per-jail twin
 * (other labels, other values): the printing lines look alike. */
static void peer_family(const struct mctx *c, const char *name, enum peer_value v)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct metrics_jail *j = &c->jails[i];
		for (size_t k = 0; j->dev && k < j->dev->n_peers; k++) {
			const struct wg_peer *p = &j->dev->peers[k];
			uint64_t x = v == PV_SENT ? p->tx_bytes
				     : v == PV_RECEIVED ? p->rx_bytes
				     : p->last_handshake_sec > 0 ? (uint64_t)p->last_handshake_sec : 0;
			fprintf(c->f, "%s{", name);
			peer_labels(c->f, j, p);
			fprintf(c->f, "} %" PRIu64 "\n", x);
		}
	}
}

static void f_sent(const struct mctx *c, const char *name)
{
	peer_family(c, name, PV_SENT);
}

static void f_received(const struct mctx *c, const char *name)
{
	peer_family(c, name, PV_RECEIVED);
}

static void f_handshake(const struct mctx *c, const char *name)
{
	peer_family(c, name, PV_HANDSHAKE);
}

static void f_jail_up(const struct mctx *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++) {
		fprintf(c->f, "%s{", name);
		jail_labels(c->f, &c->jails[i]);
		fprintf(c->f, "} %d\n", c->jails[i].dev != NULL);
	}
}

static void f_peer_state(const struct mctx *c, const char *name)
{
	static const enum peer_health states[] = {PEER_OK, PEER_STALE, PEER_DOWN};

	for (size_t i = 0; i < c->n; i++) {
		const struct metrics_jail *j = &c->jails[i];
		for (size_t k = 0; j->dev && k < j->dev->n_peers; k++) {
			const struct wg_peer *p = &j->dev->peers[k];
			enum peer_health h = peer_health(p, c->now, c->hl);
			for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
				char kb[WG_KEY_B64_LEN + 1];
				key_to_base64(kb, p->public_key);
				fprintf(c->f, "%s{", name);
				jail_labels(c->f, j);
				label(c->f, ",", "public_key", kb);
				label(c->f, ",", "state", peer_health_name(states[s]));
				fprintf(c->f, "} %d\n", h == states[s]);
			}
		}
	}
}

static void f_resolution_error(const struct mctx *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct metrics_jail *j = &c->jails[i];
		for (size_t k = 0; j->agent && k < j->n_rerr; k++) {
			char kb[WG_KEY_B64_LEN + 1];
			key_to_base64(kb, j->rerr[k].key);
			fprintf(c->f, "%s{", name);
			jail_labels(c->f, j);
			label(c->f, ",", "public_key", kb);
			label(c->f, ",", "endpoint", j->rerr[k].endpoint);
			label(c->f, ",", "error", j->rerr[k].error);
			fputs("} 1\n", c->f);
		}
	}
}

enum jail_value { JV_RECONCILES, JV_FAILURES, JV_RESOLUTION, JV_LAST_OK, JV_RESTARTS };

static void jail_family(const struct mctx *c, const char *name, enum jail_value v)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct metrics_jail *j = &c->jails[i];
		uint64_t x = v == JV_RECONCILES  ? j->reconciles
			     : v == JV_FAILURES  ? j->reconcile_failures
			     : v == JV_RESOLUTION ? j->resolution_failures
			     : v == JV_RESTARTS  ? j->restarts
			     : j->last_ok > 0    ? (uint64_t)j->last_ok
						 : 0;
		if (!j->agent)
			continue;
		fprintf(c->f, "%s{", name);
		jail_labels(c->f, j);
		fprintf(c->f, "} %" PRIu64 "\n", x);
	}
}

static void f_reconciles(const struct mctx *c, const char *name)
{
	jail_family(c, name, JV_RECONCILES);
}

static void f_reconcile_failures(const struct mctx *c, const char *name)
{
	jail_family(c, name, JV_FAILURES);
}

static void f_resolution_failures(const struct mctx *c, const char *name)
{
	jail_family(c, name, JV_RESOLUTION);
}

static void f_last_ok(const struct mctx *c, const char *name)
{
	jail_family(c, name, JV_LAST_OK);
}

static void f_restarts(const struct mctx *c, const char *name)
{
	jail_family(c, name, JV_RESTARTS);
}

static void f_agent_up(const struct mctx *c, const char *name)
{
	fprintf(c->f, "%s %d\n", name, c->ag && c->ag->running);
}

static void f_agent_start(const struct mctx *c, const char *name)
{
	if (c->ag && c->ag->running)
		fprintf(c->f, "%s %lld\n", name, (long long)c->ag->start_time);
}

static void f_resolver_restarts(const struct mctx *c, const char *name)
{
	if (c->ag && c->ag->running)
		fprintf(c->f, "%s %" PRIu64 "\n", name, c->ag->resolver_restarts);
}

static const struct family {
	const char *name, *type, *help;
	void (*emit)(const struct mctx *c, const char *name);
} families[] = {
	{"wireguard_sent_bytes_total", "counter", "Bytes sent to the peer", f_sent},
	{"wireguard_received_bytes_total", "counter", "Bytes received from the peer", f_received},
	{"wireguard_latest_handshake_seconds", "gauge", "Unix time of the latest handshake with the peer (0: never)",
	 f_handshake},
	{"wgjail_jail_up", "gauge", "1 if the jail's WireGuard interface can be read", f_jail_up},
	{"wgjail_peer_state", "gauge", "1 for the peer's state (ok, stale, down: by its latest handshake), 0 for the others",
	 f_peer_state},
	{"wgjail_peer_resolution_error", "gauge", "1 for a peer whose endpoint's last resolution failed, and why",
	 f_resolution_error},
	{"wgjail_reconciles_total", "counter", "Reconciles of the jail by the agent", f_reconciles},
	{"wgjail_reconcile_failures_total", "counter", "Reconciles that failed (a broken file, an error)",
	 f_reconcile_failures},
	{"wgjail_resolution_failures_total", "counter", "Failed resolutions of the jail's peers' host names",
	 f_resolution_failures},
	{"wgjail_last_reconcile_success_timestamp_seconds", "gauge", "Unix time of the jail's last successful reconcile (0: none)",
	 f_last_ok},
	{"wgjail_daemon_restarts_total", "counter", "Times the agent brought the jail back after its WireGuard daemon died",
	 f_restarts},
	{"wgjail_agent_up", "gauge", "1 if the wgjail agent runs", f_agent_up},
	{"wgjail_agent_start_time_seconds", "gauge", "Unix time the agent started", f_agent_start},
	{"wgjail_resolver_restarts_total", "counter", "Times the agent started its resolver process again",
	 f_resolver_restarts},
};

void metrics_render(FILE *f, const struct metrics_jail *jails, size_t n, const struct metrics_agent *ag, time_t now,
		    const struct health_limits *hl)
{
	struct mctx c = {f, jails, n, ag, now, hl};

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", families[i].name, families[i].help, families[i].name,
			families[i].type);
		families[i].emit(&c, families[i].name);
	}
}

int metrics_write(const char *path, const struct metrics_jail *jails, size_t n, const struct metrics_agent *ag,
		  time_t now, const struct health_limits *hl, struct wj_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return wj_errnof(e, errno, "%s", path);
	metrics_render(f, jails, n, ag, now, hl);
	if (fclose(f) != 0) {
		free(buf);
		return wj_errnof(e, ENOMEM, "%s", path);
	}
	r = wj_write_report(path, buf, len, 0644, e);
	free(buf);
	return r;
}
