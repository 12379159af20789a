/* Builder of WG_CMD_SET_DEVICE messages (Linux generic netlink) from a
 * change set, split across as many messages as needed the way the kernel
 * expects (reference §1.4):
 *   - WGDEVICE_A_IFNAME in every message;
 *   - device attributes (private key, listen port, fwmark, REPLACE_PEERS)
 *     only in the first message;
 *   - a peer that does not fit starts over in the next message;
 *   - a peer whose allowed IPs overflow is continued in the next message
 *     with only its public key (and WGPEER_F_UPDATE_ONLY when the change
 *     set asked for it, so a continuation never creates the peer) and the
 *     remaining allowed IPs; PSK, endpoint, keepalive and
 *     REPLACE_ALLOWEDIPS go only in the peer's first fragment;
 *   - every nest carries NLA_F_NESTED.
 * Pure: builds bytes in a caller's buffer, so tests check them without a
 * kernel.  The caller sets nlmsg_seq (and sends, and waits for the ACK). */
#ifndef WGJAIL_GENL_ENCODE_LINUX_H
#define WGJAIL_GENL_ENCODE_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_device;
struct wj_err;
struct nlmsghdr;

struct wg_genl_enc {
	const struct wg_device *changes;
	const char *ifname;
	uint16_t family;   /* the resolved "wireguard" genl family id */
	size_t peer;       /* next peer to emit */
	size_t aip;        /* next allowed IP of that peer */
	bool cont;         /* that peer was started in an earlier message */
	unsigned msgs;     /* messages built so far */
};

void wg_genl_enc_init(struct wg_genl_enc *st, uint16_t family, const char *ifname,
		      const struct wg_device *changes);

/* Build the next message into BUF (BUFSZ bytes, at least 256).  Returns
 * the message (its nlmsg_len says how long), or NULL when everything has
 * been emitted (the first call always builds one message) or on error
 * (E set: a peer whose endpoint was not resolved, a buffer too small). */
struct nlmsghdr *wg_genl_enc_next(struct wg_genl_enc *st, void *buf, size_t bufsz, struct wj_err *e);

/* True once every message has been built. */
bool wg_genl_enc_done(const struct wg_genl_enc *st);

#endif
