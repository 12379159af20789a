/* A wg0.conf cut into its sections without parsing it: the fast path of
 * `wgjail sync` (wg/sync_file.c) compares a file with the one it applied
 * last, section by section, and parses only the sections that differ.
 *
 * The cut follows the parser's line rules (wg/config_parse.c: lines end at
 * '\n', everything from '#' is a comment, whitespace anywhere is ignored,
 * keys are case-insensitive), but it is deliberately narrow: whatever it
 * is not sure about makes it refuse (WG_SECTIONS_UNSURE), and the caller
 * then parses the whole file.  It refuses on: a NUL byte, a byte-order
 * mark, a section header other than [Interface] or [Peer], a [Peer]
 * without exactly one PublicKey written as 44 characters of canonical
 * base64 (so that a key has one spelling, and keys compare as text), a
 * public key used twice (when asked).  It flags an Endpoint that is not
 * numeric (a host name must be resolved again at every sync). */
#ifndef WGJAIL_CONF_SECTIONS_H
#define WGJAIL_CONF_SECTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

enum conf_kind { CONF_PREAMBLE, CONF_IFACE, CONF_PEER };

/* One section: from its header line to the next header (or the end of the
 * text), comments and blank lines included; CONF_PREAMBLE is the text
 * before the first header.  Offsets into the text (files are at most
 * WG_CONFIG_MAX_SIZE).  16 bytes: a cut is stored as it is. */
struct conf_span {
	uint32_t off, len;
	uint32_t key; /* CONF_PEER: offset of the public key's 44 characters */
	uint32_t kind;
};

/* The spans cover the text exactly, in order. */
struct conf_sections {
	struct conf_span *v;
	size_t n, cap;
	size_t n_peers;
	bool hostname; /* some Endpoint is a host name, not an address */
};

enum { WG_SECTIONS_OK = 0, WG_SECTIONS_UNSURE = 1 };

/* Cut TEXT[0..LEN).  UNIQUE: also refuse a public key used twice.
 * Returns WG_SECTIONS_OK, WG_SECTIONS_UNSURE (S is then empty), or -1 out
 * of memory. */
int wg_conf_sections(const char *text, size_t len, bool unique, struct conf_sections *s);
void wg_conf_sections_free(struct conf_sections *s);

/* Cut TEXT[FROM..TO) (FROM at the start of a line; if FROM > 0 that line
 * must be a section header) and append the spans to S. */
int wg_conf_sections_region(const char *text, size_t from, size_t to, struct conf_sections *s);

/* A cut as stored after its text (the record of wg/applied.h): BUF[0..N)
 * must be whole spans that cover TEXTLEN bytes exactly, in order, with
 * every key inside its span; anything else is refused (UNSURE). */
int wg_conf_sections_unpack(const void *buf, size_t n, size_t textlen, struct conf_sections *s);

/* The key-matching rule of wg(8), for scanners that read raw lines: at P
 * (the line, possibly with leading whitespace), the key KW (lower case)
 * ignoring case and whitespace, then '='.  Returns the first character
 * after '=', or NULL. */
const char *wg_conf_match_key(const char *p, const char *end, const char *kw);

#endif
