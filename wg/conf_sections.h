/* A wg0.conf cut into its sections without parsing it: the fast path of
 * `wgjail sync` (wg/sync_file.c) compares a file with the one it applied
 * last, section by section, and parses only the sections that differ.
 *
 * The cut reads lines with the parser's lexer (wg/conf_lex.h), so its
 * sections are the parser's, but it is deliberately narrow: whatever it
 * is not sure about makes it refuse (WG_SECTIONS_UNSURE), and the caller
 * then parses the whole file.  It refuses on: a NUL byte, a byte-order
 * mark, a line too long for the parser, a line that is neither a header
 * nor Key = Value, a section header other than [Interface] or [Peer], a [Peer]
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

/* Cut TEXT[FROM..TO) (FROM at the start of a line) and append the spans to
 * S.  FILE_START (with FROM 0): the text starts the file; else its first
 * line must be a section header. */
int wg_conf_sections_region(const char *text, size_t from, size_t to, bool file_start, struct conf_sections *s);

/* Is the line of TEXT[0..TO) that starts at AT a section header? */
bool wg_conf_header_at(const char *text, size_t at, size_t to);

/* A cut as stored (the record of wg/applied.h): V[0..N) must cover TEXTLEN
 * bytes exactly, in order, with every key inside its span, a preamble only
 * first and only at the FILE_START; WG_SECTIONS_OK, else UNSURE. */
int wg_conf_spans_check(const struct conf_span *v, size_t n, size_t textlen, bool file_start);

#endif
