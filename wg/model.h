/* The one WireGuard model.  The same structures hold
 *   - a configuration as parsed from a wg0.conf (desired state),
 *   - a device as read back from a backend (current state),
 *   - a change set computed by the diff planner and sent to a backend.
 * The flags say which fields are meaningful: in a change set a field is
 * sent only when its flag is set; in a configuration a flag says the file
 * set that field.
 *
 * Secrets: the device private key lives in sodium_malloc'd memory; peer
 * PSKs live in the peer array and are wiped (sodium_memzero) when a peer or
 * device is freed.  Never print a private key or a PSK unless the user
 * asked for it explicitly (--show-keys). */
#ifndef WGJAIL_MODEL_H
#define WGJAIL_MODEL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "keys/keys.h"
#include "util/ipmask.h"

struct wj_err;

union wg_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

enum wg_peer_flags {
	WGPEER_HAS_PSK = 1u << 0,       /* psk meaningful (all zero = none / remove) */
	WGPEER_HAS_KEEPALIVE = 1u << 1, /* keepalive meaningful (0 = off / remove) */
	WGPEER_HAS_ENDPOINT = 1u << 2,  /* endpoint set (text and/or address) */
	WGPEER_REMOVE = 1u << 3,        /* change set: delete this peer */
	WGPEER_REPLACE_AIPS = 1u << 4,  /* change set: drop its allowed IPs first */
	WGPEER_UPDATE_ONLY = 1u << 5,   /* change set: never create the peer */
	WGPEER_NEW = 1u << 6,           /* change set: the peer did not exist (for reports) */
	WGPEER_CHANGED_AIPS = 1u << 7,  /* change set: allowed IPs are sent (for reports) */
	WGPEER_HAS_AIPS = 1u << 8,      /* config: at least one AllowedIPs line was seen */
};

#define WG_PEER_NAME_MAX 63

struct wg_peer {
	uint8_t public_key[WG_KEY_LEN];
	uint8_t psk[WG_KEY_LEN];
	uint32_t flags;
	uint16_t keepalive;            /* seconds, 0 = off */

	/* Endpoint as written in the file ("host:port", "[v6]:port"), NULL if
	 * none or if the peer came from a device.  endpoint_addr is the
	 * resolved address (sa_family AF_UNSPEC until resolved; the parser
	 * fills it at once for numeric hosts). */
	char *endpoint;
	union wg_sockaddr endpoint_addr;

	struct wg_ipmask *aips;
	size_t n_aips, cap_aips;

	/* State read from a device (0 when unknown). */
	int64_t last_handshake_sec, last_handshake_nsec;
	uint64_t rx_bytes, tx_bytes;

	unsigned line; /* config: line of its [Peer] header, 0 otherwise */

	/* wgjail's own comments in the section (wg/peer_meta.h). */
	char name[WG_PEER_NAME_MAX + 1]; /* "" if none */
	int64_t expires;                 /* seconds since the epoch, 0 = never */
	bool disabled;
	unsigned name_line;              /* config: the line of "# Name", 0 if none */
};

enum wg_device_flags {
	WGDEV_HAS_PRIVATE_KEY = 1u << 0,
	WGDEV_HAS_PUBLIC_KEY = 1u << 1,
	WGDEV_HAS_LISTEN_PORT = 1u << 2,
	WGDEV_HAS_FWMARK = 1u << 3,
	WGDEV_REPLACE_PEERS = 1u << 4, /* never set by wgjail's planner */
};

/* wg-quick keys of [Interface], kept as data; wg(8) and sync ignore them. */
struct wg_quick {
	struct wg_ipmask *address; /* Address = ..., host bits kept */
	size_t n_address;
	char **dns;                /* DNS = ... entries as written (IPs or search domains) */
	size_t n_dns;
	uint32_t mtu;              /* 0 = not set */
	char *table;               /* Table = ... as written, NULL if unset */
	char **pre_up, **post_up, **pre_down, **post_down;
	size_t n_pre_up, n_post_up, n_pre_down, n_post_down;
	int save_config;           /* -1 unset, 0 false, 1 true */
};

struct wg_device {
	char name[16];             /* interface name, "" if unknown */
	uint32_t flags;
	uint8_t *private_key;      /* WG_KEY_LEN bytes, sodium_malloc'd, NULL if none */
	uint8_t public_key[WG_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;

	struct wg_peer *peers;     /* in file / device order */
	size_t n_peers, cap_peers;
	/* Open-addressed index public key -> peers[] position (+1; 0 = empty). */
	uint32_t *index;
	size_t index_cap;

	struct wg_quick quick;
};

/* Lifecycle. */
struct wg_device *wg_device_new(void);
void wg_device_free(struct wg_device *dev);

/* Set the private key (copied into secure memory), flag it, and derive the
 * public key.  Returns -1 on allocation failure. */
int wg_device_set_private_key(struct wg_device *dev, const uint8_t key[WG_KEY_LEN]);
void wg_device_clear_private_key(struct wg_device *dev);

/* Peers.  Pointers into dev->peers are invalidated by add and remove; keep
 * indices or look the peer up again. */
struct wg_peer *wg_device_add_peer(struct wg_device *dev, const uint8_t public_key[WG_KEY_LEN]);
struct wg_peer *wg_device_find_peer(const struct wg_device *dev, const uint8_t public_key[WG_KEY_LEN]);
/* Room for N peers in all, allocated now (the array and its index), so
 * that adding up to N grows nothing.  0, or -1 with errno set. */
int wg_device_reserve(struct wg_device *dev, size_t n);
/* Remove a peer by key, keeping the order of the others.  O(n); use
 * wg_device_remove_peers_if for many. Returns true if found. */
bool wg_device_remove_peer(struct wg_device *dev, const uint8_t public_key[WG_KEY_LEN]);
/* Remove every peer for which PRED returns true, in one pass. */
void wg_device_remove_peers_if(struct wg_device *dev, bool (*pred)(const struct wg_peer *, void *), void *arg);

int wg_peer_add_aip(struct wg_peer *peer, const struct wg_ipmask *ip);
int wg_peer_set_endpoint_text(struct wg_peer *peer, const char *text);
void wg_peer_clear(struct wg_peer *peer); /* frees and wipes one peer's contents */

/* Canonical form of a peer's allowed IPs: masked, sorted, duplicates
 * removed, in place. */
void wg_peer_canonical_aips(struct wg_peer *peer);

/* Endpoints. */
bool wg_sockaddr_equal(const union wg_sockaddr *a, const union wg_sockaddr *b);
/* "1.2.3.4:51820" or "[fd00::1]:51820"; "" if unset. */
char *wg_sockaddr_fmt(const union wg_sockaddr *a, char *out, size_t outsz);

/* Deep copy of a device (including the private key); NULL on ENOMEM. */
struct wg_device *wg_device_clone(const struct wg_device *dev);

#endif
