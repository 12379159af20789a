/* The agent <-> resolver messages (see agent/resolver_proto.h). */
#include "agent/resolver_proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/platform.h"
#include "util/strutil.h"
#include "wg/resolve.h"

_Static_assert(sizeof(struct rsv_request) == 4 + 4 + RSV_HOST_MAX + 1 + RSV_PORT_MAX + 1 + 2,
	       "rsv_request has no hidden padding");
_Static_assert(sizeof(struct rsv_reply) == 4 * 4 + 2 + 1 + 1 + 16 + RSV_TEXT_MAX, "rsv_reply has no hidden padding");

static bool host_ok(const char *h)
{
	if (!*h)
		return false;
	for (const unsigned char *c = (const unsigned char *)h; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f)
			return false;
	return true;
}

static bool port_ok(const char *p)
{
	uint64_t n;

	for (const char *c = p; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	return wj_parse_uint(p, 1, 65535, &n) == 0;
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int rsv_request_make(struct rsv_request *rq, uint32_t id, const char *text, struct wj_err *e)
{
	char q[96];

	memset(rq, 0, sizeof(*rq));
	if (wg_endpoint_split(text, rq->host, sizeof(rq->host), rq->port, sizeof(rq->port), e) < 0)
		return -1;
	if (!host_ok(rq->host))
		return wj_errf(e, "endpoint '%s': the host has a byte no name can have", wj_quote(text, q, sizeof(q)));
	if (!port_ok(rq->port))
		return wj_errf(e, "endpoint '%s': the port is not a number 1-65535", wj_quote(text, q, sizeof(q)));
	rq->magic = RSV_MAGIC_REQUEST;
	rq->id = id;
	return 0;
}

int rsv_request_check(const void *buf, size_t n, struct rsv_request *rq, struct wj_err *e)
{
	if (n != sizeof(*rq))
		return wj_errf(e, "request of %zu bytes, not %zu", n, sizeof(*rq));
	memcpy(rq, buf, sizeof(*rq));
	if (rq->magic != RSV_MAGIC_REQUEST)
		return wj_errf(e, "request with a bad magic number 0x%08x", (unsigned)rq->magic);
	if (!rq->id)
		return wj_errf(e, "request with id 0");
	if (!memchr(rq->host, '\0', sizeof(rq->host)) || !memchr(rq->port, '\0', sizeof(rq->port)))
		return wj_errf(e, "request %u: a string without its NUL", (unsigned)rq->id);
	if (!host_ok(rq->host) || !port_ok(rq->port))
		return wj_errf(e, "request %u: a bad host or port", (unsigned)rq->id);
	if (!zero(rq->pad, sizeof(rq->pad)))
		return wj_errf(e, "request %u: padding not zero", (unsigned)rq->id);
	return 0;
}

static void set_text(struct rsv_reply *rp, const char *text)
{
	snprintf(rp->text, sizeof(rp->text), "%s", text ? text : "");
}

void rsv_reply_answer(struct rsv_reply *rp, uint32_t id, enum rsv_status status, const union wg_sockaddr *sa,
		      const char *text)
{
	memset(rp, 0, sizeof(*rp));
	rp->magic = RSV_MAGIC_ANSWER;
	rp->id = id;
	rp->status = (uint32_t)status;
	if (status == RSV_OK && sa->sa.sa_family == AF_INET) {
		rp->family = 4;
		rp->port = ntohs(sa->in.sin_port);
		memcpy(rp->addr, &sa->in.sin_addr, 4);
	} else if (status == RSV_OK && sa->sa.sa_family == AF_INET6) {
		rp->family = 6;
		rp->port = ntohs(sa->in6.sin6_port);
		rp->scope_id = sa->in6.sin6_scope_id;
		memcpy(rp->addr, &sa->in6.sin6_addr, 16);
	} else {
		if (status == RSV_OK) { /* no address of a family the protocol carries */
			rp->status = RSV_PERMANENT;
			text = "neither an IPv4 nor an IPv6 address";
		}
		set_text(rp, text);
	}
}

void rsv_reply_hello(struct rsv_reply *rp, enum rsv_status status, const char *text)
{
	memset(rp, 0, sizeof(*rp));
	rp->magic = RSV_MAGIC_HELLO;
	rp->status = (uint32_t)status;
	set_text(rp, text);
}

int rsv_reply_check(const void *buf, size_t n, struct rsv_reply *rp, struct wj_err *e)
{
	if (n != sizeof(*rp))
		return wj_errf(e, "message of %zu bytes, not %zu", n, sizeof(*rp));
	memcpy(rp, buf, sizeof(*rp));
	if (!memchr(rp->text, '\0', sizeof(rp->text)))
		return wj_errf(e, "message whose text has no NUL");
	if (rp->pad)
		return wj_errf(e, "message whose padding is not zero");
	if (rp->magic == RSV_MAGIC_HELLO) {
		if (rp->id || (rp->status != RSV_OK && rp->status != RSV_FATAL) || rp->family)
			return wj_errf(e, "malformed hello");
		return 0;
	}
	if (rp->magic != RSV_MAGIC_ANSWER)
		return wj_errf(e, "message with a bad magic number 0x%08x", (unsigned)rp->magic);
	if (!rp->id)
		return wj_errf(e, "answer with id 0");
	switch (rp->status) {
	case RSV_OK:
		if (rp->family != 4 && rp->family != 6)
			return wj_errf(e, "answer %u: address family %u", (unsigned)rp->id, (unsigned)rp->family);
		if (rp->family == 4 && (!zero(rp->addr + 4, 12) || rp->scope_id))
			return wj_errf(e, "answer %u: IPv4 address with IPv6 bytes", (unsigned)rp->id);
		if (!rp->port)
			return wj_errf(e, "answer %u: port 0", (unsigned)rp->id);
		return 0;
	case RSV_TEMPORARY:
	case RSV_PERMANENT:
		if (rp->family || rp->port || rp->scope_id || !zero(rp->addr, sizeof(rp->addr)))
			return wj_errf(e, "answer %u: a failure with an address", (unsigned)rp->id);
		return 0;
	default:
		return wj_errf(e, "answer %u: status %u", (unsigned)rp->id, (unsigned)rp->status);
	}
}

void rsv_reply_addr(const struct rsv_reply *rp, union wg_sockaddr *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (rp->family == 4) {
		sa->in.sin_family = AF_INET;
		wj_sin_len(&sa->in);
		sa->in.sin_port = htons(rp->port);
		memcpy(&sa->in.sin_addr, rp->addr, 4);
	} else {
		sa->in6.sin6_family = AF_INET6;
		wj_sin6_len(&sa->in6);
		sa->in6.sin6_port = htons(rp->port);
		sa->in6.sin6_scope_id = rp->scope_id;
		memcpy(&sa->in6.sin6_addr, rp->addr, 16);
	}
}
