/* Health rendering and the status file (see agent/status.h). */
#include "agent/status.h"
#include "agent/reach.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "util/paths.h"
#include "util/tunables.h"
#include "keys/keys.h"
#include "wg/show.h"

void health_limits_default(struct health_limits *l)
{
	l->stale_after = wj_tunable(WJ_STALE_AFTER);
	l->down_after = wj_tunable(WJ_DOWN_AFTER);
	if (l->down_after < l->stale_after)
		l->down_after = l->stale_after;
}

enum peer_health peer_health(const struct wg_peer *p, time_t now, const struct health_limits *l)
{
	long long age;

	if (p->last_handshake_sec <= 0)
		return PEER_DOWN;
	age = (long long)now - (long long)p->last_handshake_sec;
	if (age < 0)
		age = 0;
	if (age <= (long long)l->stale_after)
		return PEER_OK;
	if (age <= (long long)l->down_after)
		return PEER_STALE;
	return PEER_DOWN;
}

const char *peer_health_name(enum peer_health h)
{
	static const char *const names[] = {[PEER_OK] = "ok", [PEER_STALE] = "stale", [PEER_DOWN] = "down"};

	return (unsigned)h < sizeof(names) / sizeof(names[0]) ? names[h] : "down";
}

static const char *jail_state_name(enum jail_state_kind k)
{
	static const char *const names[] = {[JAIL_UP] = "up", [JAIL_DOWN] = "down", [JAIL_ERROR] = "error"};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "error";
}

/* The device is rendered by wg_show_json (the object `wgjail show --json`
 * prints: the same facts, one serialiser); the verdicts go beside it, keyed
 * by public key. */
static void render_jail(FILE *f, const struct status_jail *j, time_t now, const struct health_limits *l)
{
	char kb[WG_KEY_B64_LEN + 1];

	fputs("{\"name\":", f);
	wg_json_string(f, j->name);
	fputs(",\"interface\":", f);
	wg_json_string(f, j->ifname);
	fprintf(f, ",\"state\":\"%s\",\"message\":", jail_state_name(j->state));
	if (j->message[0])
		wg_json_string(f, j->message);
	else
		fputs("null", f);
	fprintf(f, ",\"restarts\":%u,\"reconciles\":%llu,\"reconcile_failures\":%llu,\"resolution_failures\":%llu",
		j->restarts, (unsigned long long)j->reconciles, (unsigned long long)j->reconcile_failures,
		(unsigned long long)j->resolution_failures);
	if (j->last_ok)
		fprintf(f, ",\"last_reconcile\":%lld", (long long)j->last_ok);
	else
		fputs(",\"last_reconcile\":null", f);
	fputs(",\"device\":", f);
	if (j->dev)
		wg_show_json(f, j->dev, now);
	else
		fputs("null", f);
	fputs(",", f);
	if (j->spec)
		reach_json(f, j->spec, NULL);
	else
		fputs("\"nat\":null,\"published\":[],\"host_link\":null", f);
	fputs(",\"peer_states\":{", f);
	for (size_t i = 0; j->dev && i < j->dev->n_peers; i++) {
		const struct wg_peer *p = &j->dev->peers[i];
		key_to_base64(kb, p->public_key);
		fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "", kb, peer_health_name(peer_health(p, now, l)));
	}
	fputs("},\"resolution\":", f);
	status_render_resolution(f, j->res, j->n_res);
	fputc('}', f);
}

void status_render_resolution(FILE *f, const struct status_resolution *res, size_t n)
{
	char kb[WG_KEY_B64_LEN + 1];

	fputc('{', f);
	for (size_t i = 0; i < n; i++) {
		key_to_base64(kb, res[i].key);
		fprintf(f, "%s\"%s\":{\"endpoint\":", i ? "," : "", kb);
		wg_json_string(f, res[i].endpoint);
		fputs(",\"state\":", f);
		wg_json_string(f, res[i].state);
		fputs(",\"error\":", f);
		if (res[i].error)
			wg_json_string(f, res[i].error);
		else
			fputs("null", f);
		if (res[i].when)
			fprintf(f, ",\"time\":%lld}", (long long)res[i].when);
		else
			fputs(",\"time\":null}", f);
	}
	fputc('}', f);
}

char *status_render(const struct status_jail *jails, size_t n, const struct status_agent *ag, time_t now,
		    const struct health_limits *l, size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);

	if (!f)
		return NULL;
	fprintf(f, "{\"version\":1,\"time\":%lld,\"thresholds\":{\"stale_after\":%u,\"down_after\":%u},",
		(long long)now, l->stale_after, l->down_after);
	if (ag) {
		fprintf(f, "\"agent\":{\"pid\":%ld,\"start_time\":%lld,\"resolver_pid\":", ag->pid, (long long)ag->start);
		if (ag->resolver_pid)
			fprintf(f, "%ld", ag->resolver_pid);
		else
			fputs("null", f);
		fprintf(f, ",\"resolver_restarts\":%u},", ag->resolver_restarts);
	}
	fputs("\"jails\":[", f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		render_jail(f, &jails[i], now, l);
	}
	fputs("]}\n", f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = sz;
	return buf;
}

const char *status_rundir(void)
{
	return wj_rundir();
}

int status_write(const char *path, const struct status_jail *jails, size_t n, const struct status_agent *ag,
		 time_t now, const struct health_limits *l, struct wj_err *e)
{
	char dir[PATH_MAX], *slash, *text;
	size_t len = 0;
	int r;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return wj_errf(e, "status file path too long");
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (wj_mkdirs(dir, 0755, e) < 0)
			return -1;
	}
	if (!(text = status_render(jails, n, ag, now, l, &len)))
		return wj_errnof(e, ENOMEM, "%s", path);
	r = wj_write_report(path, text, len, 0644, e);
	free(text);
	return r;
}
