/* The jail spec (struct jail_spec, read and written by agent/jailspec.c)
 * and its keys as a table (agent/jailspec_keys.c): one row per
 * key says its section, its name in the file and as an option of
 * `create`, its type, where it is stored in struct jail_spec, its range or
 * validator, its default and its help.  Parsing, writing and validating a
 * spec (agent/jailspec.c), `create`'s options and help
 * (agent/cmd_create.c) and the manual's lists (held to the table by
 * tests/unit/test_spec_table.c) all come from it: a new key is one row.
 *
 * A key is a single value, or a list (max_items > 0): repeated in the
 * file, one line per value; as an option of `create`, given again for
 * each value, and given at all it replaces the whole list. */
#ifndef WGJAIL_JAILSPEC_KEYS_H
#define WGJAIL_JAILSPEC_KEYS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ipmask.h"
#include "util/strutil.h"

enum jail_uplink { UPLINK_BRIDGE, UPLINK_WIREGUARD, UPLINK_KINDS };
enum jail_impl { IMPL_AUTO, IMPL_KERNEL, IMPL_USERSPACE, IMPL_KINDS };

/* The names of the uplinks and implementations, as the spec writes them
 * (agent/jailspec_keys.c, the one place): "bridge", "wireguard"; "auto",
 * "kernel", "userspace".  uplink_from_name: 0, or -1 for no such name. */
const char *uplink_name(enum jail_uplink u);
int uplink_from_name(const char *name, enum jail_uplink *u);
const char *impl_name(enum jail_impl i);

#define JAIL_MAX_ADDRS 8
#define JAIL_ID_MAX 4095

struct jail_spec {
	char name[WJ_JAIL_NAME_MAX + 1];
	unsigned id;                       /* 0..JAIL_ID_MAX: epairN, link names */
	enum jail_uplink uplink;
	enum jail_impl impl;
	char bridge[WJ_IFNAME_MAX + 1];    /* bridge uplink: the host bridge */
	/* Bridge uplink: the jail end's addresses (with prefix) and the
	 * gateways (one per family, on the bridge). */
	struct wg_ipmask jail_addr[JAIL_MAX_ADDRS];
	size_t n_jail_addr;
	struct wg_ipmask gateway[2];
	size_t n_gateway;
	/* WireGuard. */
	char ifname[WJ_IFNAME_MAX + 1];    /* interface inside the jail */
	struct wg_ipmask address[JAIL_MAX_ADDRS]; /* tunnel addresses */
	size_t n_address;
	uint16_t listen_port;              /* 0 = not set (random) */
	uint32_t mtu;                      /* 0 = default */
	char endpoint[300];                /* our public host:port, for export; "" if unknown */
	/* FreeBSD. */
	char root[PATH_MAX];               /* jail root (path); "" = /usr/local/jails/NAME */
	char hostname[256];                /* "" = NAME */
	unsigned devfs_ruleset;            /* default 5 */
};

/* Is PATH the root directory written another way ("/", "/.", "/./")? */
bool jail_path_is_slash(const char *path);

enum spec_section { SPEC_JAIL, SPEC_WIREGUARD, SPEC_SECTIONS };

enum spec_type {
	SPEC_UINT,   /* a decimal number in [min, max], stored in size bytes (2 or 4) */
	SPEC_ENUM,   /* one of names[], stored as the enum whose names they are */
	SPEC_TEXT,   /* a string in char[size], checked by check() */
	SPEC_PREFIX, /* ADDRESS/PREFIX (struct wg_ipmask), prefix length at least min */
	SPEC_ADDR,   /* an IP address, no prefix (struct wg_ipmask) */
};

struct spec_key {
	enum spec_section section;
	const char *key;         /* in the file (compared without case) */
	const char *option;      /* create's --OPTION, NULL if it has none */
	const char *arg;         /* the value in help texts; SPEC_ENUM: from names */
	enum spec_type type;
	size_t off, size;        /* offsetof(struct jail_spec, ...), the size of one value */
	size_t count_off;        /* lists: offsetof the count (size_t) */
	unsigned max_items;      /* lists: at most; 0 for a single value */
	uint64_t min, max;       /* SPEC_UINT: the range; SPEC_PREFIX: min prefix length */
	const char *const *names; /* SPEC_ENUM: by value, NULL-terminated */
	/* SPEC_TEXT: NULL if V is valid, else why not (a static string) */
	const char *(*check)(const char *v);
	uint64_t def;            /* SPEC_UINT, SPEC_ENUM: the default */
	const char *def_text;    /* SPEC_TEXT: the default ("" if NULL) */
	bool always;             /* written even when it holds its default */
	const char *help;        /* one line, for create --help */
};

/* Bounds of the table, for the users that collect values per key. */
#define SPEC_KEYS_MAX 32  /* rows */
#define SPEC_ITEMS_MAX 8  /* values of a list */

extern const struct spec_key jailspec_keys[];
extern const size_t jailspec_nkeys;
extern const char *const jailspec_sections[SPEC_SECTIONS]; /* "jail", "wireguard" */

/* The row of KEY in SECTION (case-insensitive), NULL if none. */
const struct spec_key *spec_key_find(enum spec_section section, const char *key);

/* Set K's value in S from the text V: a single value is replaced, a list
 * gets V appended.  NULL, or why V is refused (a static string, or WHY). */
const char *spec_key_set(const struct spec_key *k, struct jail_spec *s, const char *v, char *why, size_t whysz);
/* Empty K's list in S (a list given as options replaces the old one). */
void spec_key_clear(const struct spec_key *k, struct jail_spec *s);
/* Set K to its default in S. */
void spec_key_default(const struct spec_key *k, struct jail_spec *s);
/* The values K holds in S: 1 for a single value, the count of a list. */
size_t spec_key_count(const struct spec_key *k, const struct jail_spec *s);
/* Value I of K in S as text in OUT (what spec_key_set reads back). */
const char *spec_key_format(const struct spec_key *k, const struct jail_spec *s, size_t i, char *out, size_t outsz);
/* Does K hold its default in S (an empty list, for a list)? */
bool spec_key_is_default(const struct spec_key *k, const struct jail_spec *s);
/* Is value I of K in S valid (as spec_key_set would take it)?  NULL, or
 * why not. */
const char *spec_key_check(const struct spec_key *k, const struct jail_spec *s, size_t i, char *why,
			   size_t whysz);
/* "bridge|wireguard" for SPEC_ENUM, else K->arg, in OUT. */
const char *spec_key_arg(const struct spec_key *k, char *out, size_t outsz);

#endif
