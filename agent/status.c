/* Health rendering and the status file (see agent/status.h). */
#include "agent/status.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/util/fsutil.h"
#include "keys/keys.h"

static unsigned env_secs(const char *name, unsigned def)
{
	const char *v = getenv(name);
	uint64_t n;

	if (!v || wj_parse_uint(v, 1, 86400u * 365, &n) < 0)
		return def;
	return (unsigned)n;
}

void health_limits_default(struct health_limits *l)
{
	l->stale_after = env_secs("WGJAIL_STALE_AFTER", 180);
	l->down_after = env_secs("WGJAIL_DOWN_AFTER", 600);
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

/* A JSON string literal; bytes outside printable ASCII are escaped, so the
 * output is valid whatever the input (names and messages quote untrusted
 * text). */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

static bool has_ep(const union wg_sockaddr *a)
{
	return a->sa.sa_family == AF_INET || a->sa.sa_family == AF_INET6;
}

static void render_peer(FILE *f, const struct wg_peer *p, time_t now, const struct health_limits *l)
{
	char kb[WG_KEY_B64_LEN + 1], buf[128];

	key_to_base64(kb, p->public_key);
	fprintf(f, "{\"public_key\":\"%s\",\"endpoint\":", kb);
	if (has_ep(&p->endpoint_addr))
		json_str(f, wg_sockaddr_fmt(&p->endpoint_addr, buf, sizeof(buf)));
	else
		fputs("null", f);
	fputs(",\"allowed_ips\":[", f);
	for (size_t j = 0; j < p->n_aips; j++)
		fprintf(f, "%s\"%s\"", j ? "," : "", wg_ipmask_fmt(&p->aips[j], buf, sizeof(buf)));
	fprintf(f, "],\"latest_handshake\":%lld,\"latest_handshake_age\":",
		p->last_handshake_sec > 0 ? (long long)p->last_handshake_sec : 0LL);
	if (p->last_handshake_sec > 0) {
		long long age = (long long)now - (long long)p->last_handshake_sec;
		fprintf(f, "%lld", age > 0 ? age : 0);
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"rx_bytes\":%llu,\"tx_bytes\":%llu,\"persistent_keepalive\":%u,\"state\":\"%s\"}",
		(unsigned long long)p->rx_bytes, (unsigned long long)p->tx_bytes, p->keepalive,
		peer_health_name(peer_health(p, now, l)));
}

static void render_jail(FILE *f, const struct status_jail *j, time_t now, const struct health_limits *l)
{
	char kb[WG_KEY_B64_LEN + 1];

	fputs("{\"name\":", f);
	json_str(f, j->name);
	fputs(",\"interface\":", f);
	json_str(f, j->ifname);
	fprintf(f, ",\"state\":\"%s\",\"message\":", jail_state_name(j->state));
	if (j->message[0])
		json_str(f, j->message);
	else
		fputs("null", f);
	fputs(",\"public_key\":", f);
	if (j->dev && (j->dev->flags & WGDEV_HAS_PUBLIC_KEY)) {
		key_to_base64(kb, j->dev->public_key);
		fprintf(f, "\"%s\"", kb);
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"listen_port\":%u,\"peers\":[", j->dev ? j->dev->listen_port : 0u);
	for (size_t i = 0; j->dev && i < j->dev->n_peers; i++) {
		if (i)
			fputc(',', f);
		render_peer(f, &j->dev->peers[i], now, l);
	}
	fputs("]}", f);
}

char *status_render(const struct status_jail *jails, size_t n, time_t now, const struct health_limits *l,
		    size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);

	if (!f)
		return NULL;
	fprintf(f, "{\"version\":1,\"time\":%lld,\"thresholds\":{\"stale_after\":%u,\"down_after\":%u},\"jails\":[",
		(long long)now, l->stale_after, l->down_after);
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
	const char *d = getenv("WGJAIL_RUNDIR");

	return d && *d ? d : "/var/run/wgjail";
}

int status_write(const char *path, const struct status_jail *jails, size_t n, time_t now,
		 const struct health_limits *l, struct wj_err *e)
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
	if (!(text = status_render(jails, n, now, l, &len)))
		return wj_errnof(e, ENOMEM, "%s", path);
	r = wj_write_atomic(path, text, len, 0644, e);
	free(text);
	return r;
}
