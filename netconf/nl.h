/* Netlink transport shared by rtnetlink (netconf/) and generic netlink
 * (wg/ kernel backend): one socket, request/acknowledge, multi-part dumps.
 * Errors from the kernel come back as negative errno with a message that
 * names the operation. */
#ifndef WGJAIL_NL_H
#define WGJAIL_NL_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

struct wj_err;

struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	char *buf;      /* receive buffer, NL_BUFSZ bytes */
};

#define NL_BUFSZ (MNL_SOCKET_BUFFER_SIZE * 4)

/* Open a netlink socket of BUS (NETLINK_ROUTE, NETLINK_GENERIC). */
int nl_open(struct nl_sock *s, int bus, struct wj_err *e);
void nl_close(struct nl_sock *s);

/* Prepare a request header in BUF (BUFSZ bytes, all zeroed first: libmnl
 * 1.0.4 leaves attribute padding as it finds it, and nothing uninitialised
 * may reach the kernel): type, flags (NLM_F_REQUEST is added), a fresh
 * sequence number.  Returns the header.  nl_msg(S, BUF, ...) takes the
 * size of the array BUF. */
struct nlmsghdr *nl_msg_z(struct nl_sock *s, void *buf, size_t bufsz, uint16_t type, uint16_t flags);
#define nl_msg(s, buf, type, flags)                                                                          \
	(_Static_assert_array(buf) nl_msg_z((s), (buf), sizeof(buf), (type), (flags)))
/* BUF must be an array (not a pointer), so that sizeof is its size. */
#define _Static_assert_array(buf)                                                                             \
	(void)sizeof(struct { _Static_assert(!__builtin_types_compatible_p(__typeof__(buf), __typeof__(&(buf)[0])), \
					     "nl_msg needs an array"); int x; }),

/* Send NLH and read replies until the ACK (NLM_F_ACK) or NLMSG_DONE (dump),
 * calling CB for every data message (CB may be NULL).  Returns 0, or a
 * negative errno: the kernel's error, -EINTR for NLM_F_DUMP_INTR (the
 * caller restarts the dump), or the callback's failure.  WHAT names the
 * operation in the message left in E. */
int nl_talk(struct nl_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, const char *what,
	    struct wj_err *e);

/* The attributes of message NLH after its OFF-byte header (or those nested
 * in NEST) into TB[0..MAX] by type (TB zeroed by the caller); one of a
 * type above MAX is skipped.  The one table of every rtnetlink reader. */
void nl_attrs(const struct nlmsghdr *nlh, size_t off, const struct nlattr **tb, uint16_t max);
void nl_attrs_nested(const struct nlattr *nest, const struct nlattr **tb, uint16_t max);

#endif
