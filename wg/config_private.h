/* Helpers shared by the wg0.conf reader, its writer and `wgjail check`. */
#ifndef WGJAIL_CONFIG_PRIVATE_H
#define WGJAIL_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "wg/model.h"

/* Largest wg0.conf read (a 100,000-peer file is about 20 MiB). */
#define WG_CONFIG_MAX_SIZE (64u << 20)

/* True if S holds a run of 40+ base64 characters (maybe a key). */
bool wg_config_looks_secret(const char *s);
/* One AllowedIPs entry S[0..N) as wg(8) reads it; WHY set on failure. */
/* An Endpoint value: fills SA for numeric hosts (AF_UNSPEC for names). */
int wg_config_parse_endpoint(const char *v, union wg_sockaddr *sa, const char **why);

/* Call WARN for what wg(8) accepts but probably is a mistake: AllowedIPs
 * with host bits set, an allowed IP listed under several peers (a few of
 * each, then a count).  Messages name PATH and the peer's [Peer] line.
 * Returns the number of findings. */
size_t wg_config_warnings(const struct wg_device *dev, const char *path,
			  void (*warn)(void *arg, const char *msg), void *arg);

#endif
