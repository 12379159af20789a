/* Decoder of the kernel's WG_CMD_GET_DEVICE dump replies (Linux generic
 * netlink) into the model.  Pure functions over message bytes: no socket,
 * so unit tests and the fuzzer drive them directly.
 *
 * A dump arrives in several messages; a peer whose allowed IPs did not fit
 * is repeated at the start of the next message with only its public key and
 * the rest of its allowed IPs.  The decoder merges such fragments (and any
 * repeated peer) into one peer. */
#ifndef WGJAIL_GENL_DECODE_LINUX_H
#define WGJAIL_GENL_DECODE_LINUX_H

#include <linux/netlink.h>
#include <stddef.h>

struct wg_device;
struct wj_err;

/* Decode one data message (netlink header, genl header, attributes) into
 * DEV.  Returns 0, or -1 with E set for a malformed message. */
int wg_genl_decode_msg(struct wg_device *dev, const struct nlmsghdr *nlh, struct wj_err *e);

/* Decode a buffer of consecutive netlink messages (as read from the
 * socket), stopping at NLMSG_DONE.  NLMSG_ERROR with a non-zero error is
 * a failure; NLMSG_NOOP is skipped.  Returns 0 or -1 with E set.
 * Its users are tests/fuzz/fuzz_genl.c and tests/unit/test_genl.c (the
 * kernel backend decodes message by message). */
int wg_genl_decode_buf(struct wg_device *dev, const void *buf, size_t len, struct wj_err *e);

#endif
