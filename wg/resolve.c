/* Endpoint resolution (see wg/resolve.h). */
#include "wg/resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/err.h"
#include "util/platform.h"
#include "util/strutil.h"
#include "util/tunables.h"

void wg_resolve_opts_default(struct wg_resolve_opts *o)
{
	o->retries = wj_tunable(WJ_RESOLVE_RETRIES);
	o->delay_ms = wj_tunable(WJ_RESOLVE_DELAY_MS);
	o->max_delay_ms = 10000;
	if (o->max_delay_ms < o->delay_ms)
		o->max_delay_ms = o->delay_ms;
}

int wg_endpoint_split(const char *text, char *host, size_t hostsz, char *port, size_t portsz, struct wj_err *e)
{
	char q[96];
	const char *h, *p, *colon;
	size_t hl;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close)
			return wj_errf(e, "endpoint '%s': no matching ']'", wj_quote(text, q, sizeof(q)));
		if (close[1] != ':')
			return wj_errf(e, "endpoint '%s': no port after ']'", wj_quote(text, q, sizeof(q)));
		h = text + 1;
		hl = (size_t)(close - h);
		p = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			return wj_errf(e, "endpoint '%s': no port", wj_quote(text, q, sizeof(q)));
		h = text;
		hl = (size_t)(colon - text);
		p = colon + 1;
	}
	if (hl == 0 || hl >= hostsz)
		return wj_errf(e, "endpoint '%s': bad host", wj_quote(text, q, sizeof(q)));
	if (!*p || strlen(p) >= portsz)
		return wj_errf(e, "endpoint '%s': bad port", wj_quote(text, q, sizeof(q)));
	memcpy(host, h, hl);
	host[hl] = '\0';
	strcpy(port, p);
	return 0;
}

static wg_resolve_hook_fn hook_fn;
static void *hook_arg;

void wg_resolve_set_hook(wg_resolve_hook_fn fn, void *arg)
{
	hook_fn = fn;
	hook_arg = arg;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int wg_resolve_endpoint(const char *text, union wg_sockaddr *out, const struct wg_resolve_opts *o,
			struct wj_err *e)
{
	struct addrinfo hints, *res = NULL;
	struct wg_resolve_opts def;
	char host[256], port[64], q[96];
	unsigned delay;
	int r;

	if (hook_fn)
		return hook_fn(text, out, e, hook_arg);
	if (!o) {
		wg_resolve_opts_default(&def);
		o = &def;
	}
	if (wg_endpoint_split(text, host, sizeof(host), port, sizeof(port), e) < 0) {
		e->code = ENOENT;
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	delay = o->delay_ms;
	for (unsigned attempt = 0;; attempt++) {
		r = getaddrinfo(host, port, &hints, &res);
		if (r != EAI_AGAIN || attempt >= o->retries)
			break;
		sleep_ms(delay);
		delay = delay + delay / 2 > o->max_delay_ms ? o->max_delay_ms : delay + delay / 2;
	}
	if (r != 0) {
		int code = r == EAI_AGAIN ? EAGAIN : ENOENT;
		wj_errf(e, "endpoint '%s' does not resolve: %s%s", wj_quote(text, q, sizeof(q)),
			r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r),
			r == EAI_AGAIN ? " (gave up retrying)" : "");
		e->code = code;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if ((res->ai_family == AF_INET && res->ai_addrlen == sizeof(out->in)) ||
	    (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(out->in6))) {
		memcpy(out, res->ai_addr, res->ai_addrlen);
		freeaddrinfo(res);
		return 0;
	}
	freeaddrinfo(res);
	wj_errf(e, "endpoint '%s': neither an IPv4 nor an IPv6 address", wj_quote(text, q, sizeof(q)));
	e->code = ENOENT;
	return -1;
}

/* IPv4 and IPv6 in turn: the same steps on sockaddrs of two layouts. */
int wg_endpoint_parse_numeric(const char *text, size_t len, union wg_sockaddr *out)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], port[8];
	const char *colon = NULL, *zone;
	size_t hl, pl;
	uint64_t pn;
	bool v6 = false;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return -1;
	if (text[0] == '[') {
		const char *close = memchr(text, ']', len);
		if (!close || (size_t)(close - text) + 1 >= len || close[1] != ':')
			return -1;
		colon = close + 1;
		hl = (size_t)(close - text) - 1;
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, text + 1, hl);
		v6 = true;
	} else {
		for (size_t i = len; i > 0; i--)
			if (text[i - 1] == ':') {
				colon = text + i - 1;
				break;
			}
		if (!colon)
			return -1;
		hl = (size_t)(colon - text);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, text, hl);
	}
	host[hl] = '\0';
	pl = len - (size_t)(colon + 1 - text);
	if (pl == 0 || pl >= sizeof(port))
		return -1;
	memcpy(port, colon + 1, pl);
	port[pl] = '\0';
	if (wj_parse_uint(port, 1, 65535, &pn) < 0)
		return -1;
	if (!v6) {
		if (inet_pton(AF_INET, host, &out->in.sin_addr) != 1)
			return -1;
		out->in.sin_family = AF_INET;
		wj_sin_len(&out->in);
		out->in.sin_port = htons((uint16_t)pn);
		return 0;
	}
	zone = strchr(host, '%');
	if (zone) {
		uint64_t z;
		host[zone - host] = '\0';
		zone++;
		if (!*zone)
			return -1;
		if (wj_parse_uint(zone, 0, UINT32_MAX, &z) == 0)
			out->in6.sin6_scope_id = (uint32_t)z;
		else if (!(out->in6.sin6_scope_id = if_nametoindex(zone)))
			return -1;
	}
	if (inet_pton(AF_INET6, host, &out->in6.sin6_addr) != 1)
		return -1;
	out->in6.sin6_family = AF_INET6;
	wj_sin6_len(&out->in6);
	out->in6.sin6_port = htons((uint16_t)pn);
	return 0;
}
