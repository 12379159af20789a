/* What changed between the file `wgjail sync` applied last and the file it
 * is given now, from the recorded cut (wg/conf_view.h), without parsing
 * either.  Files are edited in place: everything before the first byte that
 * differs and after the last one is the same text, so only the sections
 * around the edit are cut again and compared.  The cost is one comparison
 * of the texts (the caller's) plus the sections touched: the old text is
 * read only where it was edited, the new one is given as the part between
 * the common prefix and suffix. */
#ifndef WGJAIL_CONF_DELTA_H
#define WGJAIL_CONF_DELTA_H

#include <stdbool.h>
#include <stddef.h>

#include "wg/conf_sections.h"
#include "wg/conf_view.h"

/* The new text: OLD[0, pre) + MID[0, len - pre - suf) + OLD[olen - suf,
 * olen).  Any pre and suf for which this holds will do (pre + suf at most
 * the shorter length); the longest give the smallest region. */
struct conf_newtext {
	size_t pre, suf, len;
	const char *mid;
};

/* Spans [OA, OB) of the old cut, the text [ostart, oend), are replaced by
 * CUT, the cut of the new text REGION (offsets from 0; it goes where
 * ostart was).  REGION and OLD_TEXT (the old [ostart, oend)) are secret
 * memory. */
struct conf_delta {
	size_t oa, ob, ostart, oend;
	char *region, *old_text;
	size_t region_len;
	struct conf_sections cut;
	size_t *new_idx, n_new; /* spans of CUT: [Peer]s changed or added */
	size_t *old_idx, n_old; /* spans of the old cut: [Peer]s changed or gone */
	size_t n_gone;          /* of OLD_IDX: keys the new file no longer has */
	size_t n_peers;         /* [Peer] sections of the new text */
};

/* OLD (keys unique: a recorded cut) -> NT: fills D.  Returns
 * WG_SECTIONS_OK, WG_SECTIONS_UNSURE (the new text is not one the cut is
 * sure about, or uses a key twice), -1 out of memory or a failed read of
 * the old text. */
int wg_conf_delta(const struct conf_view *old, const struct conf_newtext *nt, struct conf_delta *d);
void wg_conf_delta_free(struct conf_delta *d);

/* The edit D neither replaced nor added a section that is not [Peer]: the
 * [Interface] is byte for byte the recorded one. */
bool wg_conf_delta_keeps_interface(const struct conf_view *old, const struct conf_delta *d);

/* The two configurations D compares, parsed with the real parser: BEFORE,
 * OLD's sections that are not [Peer] and its [Peer]s that D lists as
 * changed or gone; AFTER, the new text's sections that are not [Peer] (in
 * order; none when D keeps the interface: an interface left out is left
 * alone by the planner, which then takes the interface's own public key
 * from BEFORE) and its [Peer]s that D lists as changed or added.  A section
 * reads the same wherever it stands, so these are what parsing both whole
 * texts would give for those peers and the interface.  PATH names the new
 * file in messages (line numbers are the assembled text's: the caller
 * parses the whole file again to report an error).  0, or -1 with E set. */
struct wg_device;
struct wj_err;
int wg_conf_delta_parse(const struct conf_view *old, const struct conf_delta *d, const char *path,
			struct wg_device **before, struct wg_device **after, struct wj_err *e);

/* Both texts in memory: OTEXT cut into OS -> NTEXT, with the longest
 * common prefix and suffix, each shortened by SHRINK eighths (any will do;
 * tests try several); NS gets the whole new cut and D's NEW_IDX index NS.
 * Its users are the tests and fuzz_conf_agree (the binary: wg_conf_delta). */
int wg_conf_delta_flat(const char *otext, size_t olen, const struct conf_sections *os, const char *ntext,
		       size_t nlen, unsigned shrink, struct conf_sections *ns, struct conf_delta *d);

#endif
