/* wg0.conf lines as wg(8) reads them: the one lexer that the parser
 * (wg/config_parse.c), the line editor and its scan (wg/conf_edit.c), the
 * section cutter of the record of the last sync (wg/conf_sections.c), the
 * `peer add` pre-check (agent/peer_scan.c) and the first-boot key scan
 * (agent/bootkey.c) all use, so that none of them can see a section, a key
 * or a comment where the others do not.
 *
 * wg(8)'s rules (wireguard-tools src/config.c, as observed with `wg
 * setconf`), all here:
 *   - lines end at '\n'; a '\r' before it belongs to the line end (CRLF);
 *   - everything from the first '#' is a comment;
 *   - whitespace is C's isspace (' ' \t \n \v \f \r) and is ignored
 *     anywhere in a line (wg-quick's keys keep it inside their value: the
 *     parser decides that, from the spans given here);
 *   - a line whose first significant character is '[' is a section header
 *     (CONF_LEX_SECTION; conf_lex_section says which), else one with '='
 *     is "Key = Value" (split at the first '='), else it is an error;
 *   - section names and keys compare without regard to case;
 *   - a NUL byte, a line longer than CONF_LEX_MAX_LINE and a UTF-8
 *     byte-order mark at the start of the file are flagged (the parser
 *     refuses each; wg(8) refuses the mark and a NUL cuts its line).
 * Zero-copy: tokens are offsets into the text. */
#ifndef WGJAIL_CONF_LEX_H
#define WGJAIL_CONF_LEX_H

#include <stdbool.h>
#include <stddef.h>

/* The longest line the parser reads, its line end not counted (wg(8) has
 * no limit; AllowedIPs lines of many kilobytes are fine). */
#define CONF_LEX_MAX_LINE ((1u << 20) - 2)

/* wg(8)'s whitespace (isspace in the C locale; the same set as
 * util/strutil.h's wj_isspace, held to it by tests/unit/test_conf_lex.c),
 * as a table: the scanners run over every byte of big files. */
extern const unsigned char conf_lex_ws[256];
static inline bool conf_is_ws(char c)
{
	return conf_lex_ws[(unsigned char)c] != 0;
}

/* ASCII lower case (section names and keys compare without case). */
static inline char conf_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

enum conf_lex_kind {
	CONF_LEX_BLANK,   /* nothing but whitespace */
	CONF_LEX_COMMENT, /* whitespace, then '#' */
	CONF_LEX_SECTION, /* first significant character '[' */
	CONF_LEX_KEY,     /* an '=' before any '#', the line not a header */
	CONF_LEX_OTHER,   /* anything else (wg(8) refuses it) */
};

enum conf_lex_flag {
	CONF_LEX_EOL = 1u << 0,    /* ended by '\n' (else: the last line, without one) */
	CONF_LEX_CRLF = 1u << 1,   /* ... by "\r\n" */
	CONF_LEX_NUL = 1u << 2,    /* holds a NUL byte */
	CONF_LEX_LONG = 1u << 3,   /* longer than CONF_LEX_MAX_LINE */
	CONF_LEX_BOM = 1u << 4,    /* line 1 starts with EF BB BF (not looked at for the spans) */
};

/* One line.  Every position is an offset into the text. */
struct conf_tok {
	size_t off;    /* first byte of the line */
	size_t end;    /* end of the line, its line end ("\n" or "\r\n") excluded */
	size_t next;   /* first byte of the next line */
	size_t lead;   /* first significant character (== code if none) */
	size_t code;   /* end of the code: the first '#', or END */
	size_t ks, ke; /* KEY: the key, whitespace trimmed (inside it may have more) */
	size_t vs, ve; /* KEY: the value after the first '=', trimmed alike */
	unsigned line; /* 1-based */
	unsigned kind; /* enum conf_lex_kind */
	unsigned flags; /* enum conf_lex_flag */
};

struct conf_lex {
	const char *text;
	size_t len, pos;
	unsigned line;
	bool nul;  /* a NUL may be in the text (looked for per line only then) */
	bool file; /* the text starts the file (a byte-order mark may come first) */
};

/* Lines of the file TEXT[0..LEN). */
void conf_lex_init(struct conf_lex *lx, const char *text, size_t len);
/* Lines of TEXT[FROM..TO), FROM at the start of a line somewhere in a file
 * (line numbers from LINE + 1; no byte-order mark is looked for). */
void conf_lex_init_at(struct conf_lex *lx, const char *text, size_t from, size_t to, unsigned line);
/* The next line into *T; false at the end of the text. */
bool conf_lex_next(struct conf_lex *lx, struct conf_tok *t);

/* What a header line is, on its code with whitespace removed, in wg(8)'s
 * order: no ']' at all; exactly "[Interface]" or "[Peer]" (any case); one
 * of them followed by more text; anything else. */
enum conf_lex_section {
	CONF_SEC_INTERFACE,
	CONF_SEC_PEER,
	CONF_SEC_UNCLOSED,
	CONF_SEC_TRAILING,
	CONF_SEC_UNKNOWN,
};
enum conf_lex_section conf_lex_section(const char *text, const struct conf_tok *t);

/* Is the key of KEY line T the name LNAME (lower case), wg(8)'s way
 * (case and whitespace ignored)? */
bool conf_lex_key_is(const char *text, const struct conf_tok *t, const char *lname);

/* S[0..N) without whitespace into OUT (OUTSZ > 0; always terminated,
 * truncated if it does not fit).  Returns the length without truncation. */
size_t conf_lex_squeeze(const char *s, size_t n, char *out, size_t outsz);

/* Does S[0..N), whitespace ignored, equal LWORD (lower case, any case in
 * S)? */
bool conf_lex_squeezed_is(const char *s, size_t n, const char *lword);

#endif
