/* `wgjail create` as an operation on the jail's transaction
 * (agent/jailtx.h): the spec written or updated, and the WireGuard main
 * file with it (a first key for a jail that never had one, a new
 * ListenPort, the interface renamed), all or nothing (the create journal).
 * The command (agent/cmd_create.c) parses the options and prints; this
 * decides and writes. */
#ifndef WGJAIL_JAILCREATE_H
#define WGJAIL_JAILCREATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/jailspec.h"
#include "keys/keys.h"

struct wj_err;
struct wg_device;

struct create_req {
	bool dry;                 /* decide, write nothing (lock files included) */
	/* The command's options applied to S (over an existing spec, or the
	 * defaults); an error names the option and the value. */
	int (*apply)(struct jail_spec *s, const void *opts, struct wj_err *e);
	const void *opts;
	bool id_given;            /* --id: a taken id is refused, not replaced */
	bool listen_port_given;   /* --listen-port, even 0 */
};

struct create_result {
	bool is_new;              /* there was no spec */
	bool spec_changed, conf_changed;
	bool fresh;               /* the main file gets a new key */
	char spec_path[PATH_MAX];
	char conf_path[PATH_MAX]; /* the main file (under its new name) */
	uint8_t pub[WG_KEY_LEN];  /* the jail's public key */
	/* dry runs: what would be written (caller frees: free(), and
	 * wg_device_free; CONF holds keys, print it hidden) */
	char *spec_text;
	struct wg_device *conf;
};

/* Create or update jail NAME.  0 with *OUT (nothing changed: neither
 * SPEC_CHANGED nor CONF_CHANGED), or -1 with E set and nothing written. */
int create_jail(const char *name, const struct create_req *req, struct create_result *out, struct wj_err *e);
void create_result_free(struct create_result *r);

#endif
