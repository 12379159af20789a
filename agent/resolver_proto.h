/* The messages between the agent and its resolver process
 * (agent/resolver.h), over a SOCK_SEQPACKET socketpair: one message per
 * record, fixed sizes, every field checked by the side that receives it.
 *
 *   agent -> resolver   struct rsv_request: a host name and a numeric port
 *   resolver -> agent   struct rsv_reply: first a HELLO (the resolver is
 *                       ready, or why it could not start), then one ANSWER
 *                       per request (in any order: names are resolved
 *                       concurrently), matched by ID
 *
 * A record of another size, a string without its NUL, a host with bytes
 * outside printable ASCII, a port that is not 1..65535, an answer to no
 * request, an address family other than IPv4/IPv6: a protocol violation.
 * The resolver dies of one; the agent kills and restarts a resolver that
 * commits one.  No key ever crosses: the resolver knows host names only.
 * Both ends are the same binary, so the structures go as they are. */
#ifndef WGJAIL_RESOLVER_PROTO_H
#define WGJAIL_RESOLVER_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg/model.h"

struct wj_err;

#define RSV_HOST_MAX 255 /* bytes of a host name (DNS: 253) */
#define RSV_PORT_MAX 5   /* digits */
#define RSV_TEXT_MAX 200 /* bytes of an error or hello text, NUL included */

#define RSV_MAGIC_REQUEST 0x77726571u /* "wreq" */
#define RSV_MAGIC_HELLO 0x7772686cu   /* "wrhl" */
#define RSV_MAGIC_ANSWER 0x77726e73u  /* "wrns" */

/* Outcome of a resolution. */
enum rsv_status {
	RSV_OK = 0,
	RSV_TEMPORARY = 1, /* try again later (EAI_AGAIN, no answer) */
	RSV_PERMANENT = 2, /* the name does not exist, or has no IPv4/IPv6 address */
	RSV_FATAL = 3,     /* HELLO only: the resolver could not start; TEXT says why */
};

struct rsv_request {
	uint32_t magic;
	uint32_t id;                   /* not 0 */
	char host[RSV_HOST_MAX + 1];   /* NUL-terminated, not empty */
	char port[RSV_PORT_MAX + 1];   /* decimal, 1..65535 */
	uint8_t pad[2];                /* zero */
};

struct rsv_reply {
	uint32_t magic;
	uint32_t id;                   /* the request's; 0 in a HELLO */
	uint32_t status;               /* enum rsv_status */
	uint32_t scope_id;             /* IPv6 */
	uint16_t port;                 /* host order */
	uint8_t family;                /* 4 or 6 with RSV_OK, else 0 */
	uint8_t pad;                   /* zero */
	uint8_t addr[16];              /* IPv4 in the first 4 bytes */
	char text[RSV_TEXT_MAX];       /* NUL-terminated: the error, or the hello */
};

/* Build the request for endpoint TEXT ("host:port", "[v6]:port"). 
 * Returns 0, or -1 with E set (a host or port the protocol cannot carry:
 * that is the name's error, nothing is sent). */
int rsv_request_make(struct rsv_request *rq, uint32_t id, const char *text, struct wj_err *e);
/* Check a received request of N bytes at BUF and copy it to *RQ.
 * Returns 0, or -1 with E set (a protocol violation). */
int rsv_request_check(const void *buf, size_t n, struct rsv_request *rq, struct wj_err *e);

/* Fill an ANSWER for request ID: SA (when STATUS is RSV_OK) or TEXT. */
void rsv_reply_answer(struct rsv_reply *rp, uint32_t id, enum rsv_status status, const union wg_sockaddr *sa,
		      const char *text);
/* Fill a HELLO: RSV_OK, or RSV_FATAL and why. */
void rsv_reply_hello(struct rsv_reply *rp, enum rsv_status status, const char *text);
/* Check a received reply of N bytes at BUF and copy it to *RP.  Returns
 * 0, or -1 with E set (a protocol violation). */
int rsv_reply_check(const void *buf, size_t n, struct rsv_reply *rp, struct wj_err *e);
/* The address of a checked RSV_OK answer. */
void rsv_reply_addr(const struct rsv_reply *rp, union wg_sockaddr *sa);

#endif
