/* A line-preserving editor for wg(8) configuration files.
 *
 * The parser (wg/config.h) normalises: what it writes back is the
 * canonical form, without the operator's comments.  This editor works on
 * the text instead, line by line, so that `wgjail peer add/remove` and
 * `wgjail rotate` change only the lines they mean to change and keep
 * everything else byte for byte: comments, blank lines, unknown lines, the
 * spelling and order of keys, CRLF or LF line ends, a missing final
 * newline.
 *
 * Lines are classified the way wg(8) reads them: everything from the first
 * '#' is a comment, whitespace anywhere is ignored, section names and keys
 * are matched case-insensitively.  The editor never decides whether the
 * file is valid: callers re-parse the result with the real parser.
 *
 * Blocks: a section runs from its header to the next header.  Comment
 * lines directly above a header (no blank line in between) belong to that
 * section, so removing a peer also removes the "# Alice's laptop" line
 * written above it. */
#ifndef WGJAIL_CONF_EDIT_H
#define WGJAIL_CONF_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

struct wj_err;

enum conf_line_kind {
	CONF_LINE_BLANK,   /* empty, or only whitespace */
	CONF_LINE_COMMENT, /* only a comment (after optional whitespace) */
	CONF_LINE_SECTION, /* "[Something]" */
	CONF_LINE_KEY,     /* "Key = value" */
	CONF_LINE_OTHER,   /* anything else (kept, never touched) */
};

struct conf_line {
	const char *text; /* the line without its end (not NUL-terminated): into the
			   * loaded text, or OWN once the editor changed it */
	size_t len;
	char *own;        /* heap copy for changed or new lines (wiped when freed) */
	bool eol;     /* the line ended with a line end in the original */
	bool crlf;    /* ... and that line end was CRLF */
	enum conf_line_kind kind;
};

struct conf_doc {
	struct conf_line *lines;
	size_t n, cap;
	bool crlf; /* line end used for new lines: CRLF if most lines use it */
};

/* Split TEXT[0..LEN) into lines.  TEXT is not copied: it must outlive DOC
 * and stay unchanged.  Returns 0, or -1 on allocation failure.  Lines the
 * editor writes may hold secrets: conf_doc_free wipes them. */
int conf_doc_load(struct conf_doc *doc, const char *text, size_t len, struct wj_err *e);
void conf_doc_free(struct conf_doc *doc);

/* The text of DOC (heap, NUL-terminated, *LEN bytes without the NUL).  It
 * may hold secrets: release with conf_doc_free_text (wipes).  NULL on
 * allocation failure. */
char *conf_doc_text(const struct conf_doc *doc, size_t *len);
void conf_doc_free_text(char *text, size_t len);

/* Section of a header line: true and NAME (lower case, whitespace removed,
 * without brackets) if line I is a header. */
bool conf_line_section(const struct conf_doc *doc, size_t i, char *name, size_t namesz);
/* Key of a key line: true if line I is "KEY = value" with KEY matching
 * (case-insensitively, whitespace ignored). */
bool conf_line_is_key(const struct conf_doc *doc, size_t i, const char *key);
/* The value of key line I with comment and all whitespace removed, copied
 * into OUT (NUL-terminated).  false if it does not fit or I is no key line. */
bool conf_line_value(const struct conf_doc *doc, size_t i, char *out, size_t outsz);

/* A section: [first, end) are its lines including the comment lines
 * attached above its header; header is the header's index.  end is the
 * first line of the next block (its attached comments included), or n. */
struct conf_block {
	size_t first, header, end;
};

/* The [Peer] section whose PublicKey decodes to KEY.  Returns 1 and fills
 * *B if found, 0 if not. */
int conf_find_peer(const struct conf_doc *doc, const uint8_t key[WG_KEY_LEN], struct conf_block *b);
/* Same, for a section whose header is at line FROM or later (a key may
 * be listed in more than one section). */
int conf_find_peer_from(const struct conf_doc *doc, const uint8_t key[WG_KEY_LEN], size_t from,
			struct conf_block *b);
/* The first [Interface] section.  1 if found, 0 if not. */
int conf_find_interface(const struct conf_doc *doc, struct conf_block *b);

/* Remove block B, and the blank lines that separated it from what
 * follows (or, for the last block, from what precedes), so that repeated
 * add/remove does not accumulate blank lines.  Returns 0, -1 on ENOMEM. */
int conf_remove_block(struct conf_doc *doc, const struct conf_block *b, struct wj_err *e);

/* In block B, set KEY to VALUE: every line of that key gets VALUE in place
 * of its old value (keeping the key's spelling, the spacing around '=' and
 * a trailing comment).  If the block has no such line, "KEY = VALUE" is
 * inserted after the block's last key line (or after the header).
 * B->end is updated.  Returns the number of lines changed or inserted
 * (>= 1), or -1 on ENOMEM. */
int conf_set_value(struct conf_doc *doc, struct conf_block *b, const char *key, const char *value,
		   struct wj_err *e);

/* Single lines (wgjail's comment lines, wg/peer_meta.h): insert LINE
 * (without a line end) before line AT (AT == n: at the end), replace line
 * AT's text (its line end kept), delete line AT.  The caller keeps its
 * blocks' indices in step. */
int conf_insert_line(struct conf_doc *doc, size_t at, const char *line, struct wj_err *e);
int conf_replace_line(struct conf_doc *doc, size_t at, const char *line, struct wj_err *e);
void conf_delete_line(struct conf_doc *doc, size_t at);

/* Scanning without building lines (for big files): FN is called for every
 * key line with the current section's name (lower case, "" before any
 * section), the key and the value with comments and all whitespace
 * removed (NUL-terminated, truncated to 255 characters), and the line
 * number (1-based); for a section header FN gets KEY and VALUE NULL.  A
 * non-zero return from FN stops the scan and is returned.  *N_CRLF / *N_LF (may be NULL) count the line ends. */
typedef int (*conf_scan_fn)(void *arg, const char *section, const char *key, const char *value, unsigned line);
int conf_scan(const char *text, size_t len, conf_scan_fn fn, void *arg, size_t *n_crlf, size_t *n_lf);

#endif
