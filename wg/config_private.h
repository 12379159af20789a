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
/* True if S holds a run of MIN_RUN+ base64 characters (wg/config_secret.c). */
bool wg_looks_secret_run(const char *s, size_t min_run);
/* Does TEXT name PrivateKey or PresharedKey (as wg(8) reads key names)?
 * Then any value of 20 or more base64 characters in its messages is
 * hidden: it may be a fragment of a key. */
bool wg_text_holds_key(const char *text, size_t len);
#define WG_SECRET_RUN_IN_KEYED_FILE 20
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
