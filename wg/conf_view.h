/* A cut of a wg0.conf (wg/conf_sections.h) whose text and spans lie in
 * pieces: the record of the last sync (wg/applied.h) is a base text and
 * its cut followed by a log of section replacements, and the file it
 * describes is never assembled - neither in memory nor on disk - to be
 * compared with the next one.
 *
 * A run is a stretch of consecutive spans that lie together: span i of a
 * run covers the text [v[i].off + shift, + v[i].len) of the view, and its
 * bytes are at AT + v[i].off, in memory (FD < 0: AT is an address) or in
 * the file FD (AT is a file offset).  An edit replaces spans [oa, ob) by
 * a new run; the runs around it are split, never copied. */
#ifndef WGJAIL_CONF_VIEW_H
#define WGJAIL_CONF_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg/conf_sections.h"

struct conf_run {
	uint64_t at;               /* where span offsets point: an address, or an offset in FD */
	const struct conf_span *v; /* its spans */
	size_t n;
	size_t first;              /* index of v[0] in the view */
	long long shift;           /* view offset of a span = its off + shift */
};

struct conf_view {
	struct conf_run *r;
	size_t nr, cap;
	size_t n;       /* spans */
	size_t n_peers; /* of them [Peer] */
	size_t len;     /* bytes of text */
	int fd;         /* the text is read from FD (pread), or from memory if < 0 */
	size_t *other;  /* indices of the spans that are not [Peer] (few), ascending */
	size_t n_other, cap_other;
};

/* The view of TEXT[0..LEN) cut into V[0..N) (all in memory, kept by the
 * caller). */
int conf_view_flat(struct conf_view *w, const char *text, size_t len, const struct conf_span *v, size_t n);
/* An empty view whose text is read from FD. */
void conf_view_init_fd(struct conf_view *w, int fd);
/* Its first run: V[0..N) at AT (offsets from 0), LEN bytes of text, of
 * which N_PEERS are [Peer] spans and the others are OTHER[0..N_OTHER) - as
 * recorded, so that a big cut need not be read to be used. */
int conf_view_base(struct conf_view *w, uint64_t at, const struct conf_span *v, size_t n, size_t len, size_t n_peers,
		   const uint32_t *other, size_t n_other);
/* Replace spans [OA, OB) by V[0..N), whose offsets are relative to AT
 * (V[0].off == 0; the new text is placed where span OA starts, or at the
 * end).  V must outlive the view.  Returns 0, or -1 out of memory. */
int conf_view_edit(struct conf_view *w, size_t oa, size_t ob, uint64_t at, const struct conf_span *v, size_t n);
void conf_view_free(struct conf_view *w);

/* Span I (< N) with offsets in the view's text; *AT (may be NULL) where its
 * bytes are (an address, or an offset in FD). */
struct conf_span conf_view_span(const struct conf_view *w, size_t i, uint64_t *at);
/* Where span I starts (the text's length for I == N). */
size_t conf_view_off(const struct conf_view *w, size_t i);
/* The first span starting after AT (N if none). */
size_t conf_view_first_after(const struct conf_view *w, size_t at);

/* Copy the view's text [FROM, TO) into BUF.  0, or -1 (a failed read). */
int conf_view_read(const struct conf_view *w, size_t from, size_t to, char *buf);
/* How many bytes of BUF[0..N) equal the view's text from AT on (forward),
 * or end at END (backward: BUF[N-1] against byte END-1, and so on).
 * SCRATCH holds N bytes (for views read from a file).  -1 on a failed
 * read. */
long long conf_view_cmp(const struct conf_view *w, size_t at, const char *buf, size_t n, char *scratch);
long long conf_view_rcmp(const struct conf_view *w, size_t end, const char *buf, size_t n, char *scratch);

/* Call FN(ARG, I, KEY) for every [Peer] span I outside [SKIP_A, SKIP_B)
 * with its key's 44 characters, in order, reading the text once; a
 * non-zero return stops and is returned (-2: a failed read). */
int conf_view_keys(const struct conf_view *w, size_t skip_a, size_t skip_b,
		   int (*fn)(void *arg, size_t i, const char *key), void *arg);

#endif
