/* FreeBSD if_wg's payload: the model <-> a packed nvlist (libnv), as the
 * SIOCSWG and SIOCGWG ioctls carry it (sys/dev/wg/if_wg.c wgc_set and
 * wgc_get; ../shared/reference/wireguard-control.md 3.2).  Pure: no ioctl
 * and no socket, so this code also compiles on Linux against FreeBSD's own
 * libnv (the test kit), where it is unit-tested and fuzzed; the transport
 * is wg/kernel_freebsd.c.
 *
 *   device  private-key       binary 32   SET (WGDEV_HAS_PRIVATE_KEY; zeros
 *                                         remove the key); GET to root only
 *           public-key        binary 32   GET
 *           listen-port       number      both (GET: absent when 0)
 *           user-cookie       number      both: FwMark (GET: absent when 0)
 *           replace-peers     bool        SET, WGDEV_REPLACE_PEERS (never
 *                                         set by wgjail's planner)
 *           peers             nvlist array
 *   peer    public-key        binary 32   both, required
 *           remove            bool        SET: WGPEER_REMOVE, alone
 *           replace-allowedips bool       SET: WGPEER_REPLACE_AIPS
 *           preshared-key     binary 32   both (zeros = none); GET: root only
 *           endpoint          binary      both: FreeBSD's sockaddr_in (16
 *                                         bytes) or sockaddr_in6 (28), whose
 *                                         first byte is that length
 *           persistent-keepalive-interval number  both (0 = off)
 *           allowed-ips       nvlist array of {cidr number, ipv4 binary 4 |
 *                                         ipv6 binary 16}
 *           last-handshake-time binary 16 GET: {int64 sec, int64 nsec}
 *           rx-bytes, tx-bytes number     GET
 *
 * if_wg has no update-only flag (a peer named in SIOCSWG is created if
 * missing) and no per-prefix allowed-IP removal (unknown keys are ignored,
 * so a removal would ADD the prefix): the planner's replace-allowedips with
 * the full list is what is sent.
 *
 * The encoder writes libnv's packed format itself (libnv's packer is
 * quadratic in the number of peers; see wg/nv_encode_freebsd.c), byte for
 * byte what nvlist_pack would write; the decoder unpacks with libnv.
 *
 * Secrets: the encoder writes straight into sodium_malloc memory, so no
 * key passes through libnv's heap; the decoder wipes every copy of a
 * secret that nvlist_unpack made before the nvlist is freed, and the
 * private key goes to sodium memory (wg_device_set_private_key). */
#ifndef WGJAIL_NV_FREEBSD_H
#define WGJAIL_NV_FREEBSD_H

#include <stddef.h>
#include <stdint.h>

struct wg_device;
struct wj_err;

/* The largest packed nvlist either direction takes (the kernel refuses a
 * SIOCSWG of UINT32_MAX / 2 bytes or more). */
#define WG_NV_MAX_PACKED ((size_t)1 << 30)

/* Encode the change set CHANGES (wg/model.h flags say which fields are
 * sent) as the payload of one SIOCSWG.  CURRENT, the device as read, is
 * needed only when a peer is flagged WGPEER_UPDATE_ONLY: such a peer is
 * left out unless CURRENT has it (NULL then is an error).  Returns the
 * packed nvlist (*LEN bytes, sodium_malloc memory: free it with
 * wg_nv_packed_free), or NULL with E set (an unresolved endpoint, an
 * allowed IP without a family, out of memory) - nothing is sent then. */
uint8_t *wg_nv_encode_set(const struct wg_device *changes, const struct wg_device *current, size_t *len,
			  struct wj_err *e);
void wg_nv_packed_free(uint8_t *buf); /* wipes; NULL is fine */

/* Limits the decoder enforces on counts (an absurd count is an error,
 * never an allocation). */
struct wg_nv_limits {
	size_t peers;      /* peers in one reply */
	size_t aips;       /* allowed IPs of one peer */
};
#define WG_NV_MAX_PEERS ((size_t)1 << 20) /* Linux's MAX_PEERS_PER_DEVICE */
#define WG_NV_MAX_AIPS ((size_t)1 << 20)

/* Decode a SIOCGWG reply (the packed nvlist BUF[0..LEN)) into a new device
 * *OUT: keys, port, cookie, peers with their endpoints, allowed IPs,
 * handshake and transfer.  A reply without private key and PSKs (an
 * unprivileged caller) decodes to a device without them.  Returns 0, or -1
 * with E set and *OUT NULL: the message names the field, the peer (and
 * allowed IP) by position and the type or size expected, never a key.
 * LIMITS NULL means WG_NV_MAX_PEERS / WG_NV_MAX_AIPS. */
int wg_nv_decode_get(const void *buf, size_t len, const struct wg_nv_limits *limits, struct wg_device **out,
		     struct wj_err *e);

#endif
