/* What changed between the file `wgjail sync` applied last and the file it
 * is given now, from their cuts (wg/conf_sections.h), without parsing
 * either.  Files are edited in place: everything before the first byte that
 * differs and after the last one is the same text, so only the sections
 * around the edit are cut again and compared.  The cost is one comparison
 * of the texts at memory speed plus the sections touched. */
#ifndef WGJAIL_CONF_DELTA_H
#define WGJAIL_CONF_DELTA_H

#include <stddef.h>

#include "wg/conf_sections.h"

struct conf_delta {
	size_t *new_idx, n_new; /* [Peer] spans of the new cut: changed or added */
	size_t *old_idx, n_old; /* [Peer] spans of the old cut: changed or gone */
	size_t n_gone;          /* of OLD_IDX: keys the new file no longer has */
};

/* OTEXT with its cut OS (keys unique: a recorded cut) -> NTEXT: fills NS
 * with the cut of NTEXT and D with the difference.  Returns
 * WG_SECTIONS_OK, WG_SECTIONS_UNSURE (the new text is not one the cut is
 * sure about, or uses a key twice), -1 out of memory. */
int wg_conf_delta(const char *otext, size_t olen, const struct conf_sections *os, const char *ntext, size_t nlen,
		  struct conf_sections *ns, struct conf_delta *d);
void wg_conf_delta_free(struct conf_delta *d);

#endif
