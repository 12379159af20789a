/* A unified-diff-like view of OLD -> NEW for `provision -n`, with
 * PrivateKey and PresharedKey values hidden when SECRET. */
#ifndef WGJAIL_RC_DIFF_H
#define WGJAIL_RC_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Print the hunks (2 lines of context) to F.  OLD may be NULL (a new
 * file: every line added).  Returns the number of hunks, -1 on
 * allocation failure. */
int rc_diff_print(FILE *f, const char *old, size_t oldlen, const char *new_text, size_t newlen, bool secret);

/* Print one line as it would be shown: when SECRET, a line that mentions
 * PrivateKey or PresharedKey shows "(hidden)" after its '='. */
void rc_diff_line(FILE *f, char prefix, const char *line, size_t len, bool secret);

#endif
