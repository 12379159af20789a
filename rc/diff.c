/* Longest-common-subsequence line diff: the files compared here are a few
 * hundred lines at most; beyond LCS_MAX cells the view falls back to
 * "everything removed, everything added". */
#include "rc/diff.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LCS_MAX (4u * 1024 * 1024)
#define CONTEXT 2

struct line {
	const char *p;
	size_t n;
};

static size_t split(const char *t, size_t len, struct line **out)
{
	size_t n = 0, cap = 0, i = 0;
	struct line *v = NULL;

	*out = NULL;
	while (t && i < len) {
		const char *nl = memchr(t + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (t + i)) : len - i;
		if (n == cap) {
			struct line *nv;
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return SIZE_MAX;
			}
			v = nv;
		}
		v[n++] = (struct line){t + i, l};
		i += l + (nl ? 1 : 0);
	}
	*out = v;
	return n;
}

/* In a file that holds secrets, a line that mentions a private or
 * preshared key (wg(8) ignores blanks and case: so does this) is shown up
 * to its '=' followed by "(hidden)", or as "(hidden)" alone. */
static bool mentions_secret(const char *line, size_t len)
{
	static const char *const keys[] = {"privatekey", "presharedkey"};
	char compact[256];
	size_t c = 0;

	for (size_t i = 0; i < len && c + 1 < sizeof(compact); i++)
		if (!isspace((unsigned char)line[i]))
			compact[c++] = (char)tolower((unsigned char)line[i]);
	compact[c] = '\0';
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (strstr(compact, keys[k]))
			return true;
	/* A line too long to inspect whole is hidden too. */
	return c + 1 >= sizeof(compact);
}

void rc_diff_line(FILE *f, char prefix, const char *line, size_t len, bool secret)
{
	const char *eq;

	if (!secret || !mentions_secret(line, len)) {
		fprintf(f, "%c%.*s\n", prefix, (int)len, line);
		return;
	}
	eq = memchr(line, '=', len);
	if (eq)
		fprintf(f, "%c%.*s= (hidden)\n", prefix, (int)(eq - line), line);
	else
		fprintf(f, "%c(hidden)\n", prefix);
}

static bool same(const struct line *a, const struct line *b)
{
	return a->n == b->n && !memcmp(a->p, b->p, a->n);
}

enum op { KEEP, DEL, ADD };

int rc_diff_print(FILE *f, const char *old, size_t oldlen, const char *new_text, size_t newlen, bool secret)
{
	struct line *a, *b;
	size_t n = split(old, oldlen, &a), m, nops = 0;
	uint32_t *dp = NULL;
	enum op *ops = NULL;
	size_t *ia = NULL, *ib = NULL;
	int r = -1, hunks = 0;

	if (n == SIZE_MAX)
		return -1;
	m = split(new_text, newlen, &b);
	if (m == SIZE_MAX) {
		free(a);
		return -1;
	}
	ops = malloc((n + m + 1) * sizeof(*ops));
	ia = malloc((n + m + 1) * sizeof(*ia));
	ib = malloc((n + m + 1) * sizeof(*ib));
	if (!ops || !ia || !ib)
		goto out;
	if ((n + 1) * (m + 1) <= LCS_MAX) {
		size_t w = m + 1, i = 0, j = 0;
		dp = calloc((n + 1) * w, sizeof(*dp));
		if (!dp)
			goto out;
		for (size_t x = n; x-- > 0;)
			for (size_t y = m; y-- > 0;)
				dp[x * w + y] = same(&a[x], &b[y]) ? dp[(x + 1) * w + y + 1] + 1
					: dp[(x + 1) * w + y] > dp[x * w + y + 1] ? dp[(x + 1) * w + y]
										  : dp[x * w + y + 1];
		while (i < n || j < m) {
			if (i < n && j < m && same(&a[i], &b[j])) {
				ops[nops] = KEEP, ia[nops] = i++, ib[nops++] = j++;
			} else if (i < n && (j == m || dp[(i + 1) * w + j] >= dp[i * w + j + 1])) {
				ops[nops] = DEL, ia[nops] = i++, ib[nops++] = j; /* removals first */
			} else {
				ops[nops] = ADD, ia[nops] = i, ib[nops++] = j++;
			}
		}
	} else {
		for (size_t i = 0; i < n; i++)
			ops[nops] = DEL, ia[nops] = i, ib[nops++] = 0;
		for (size_t j = 0; j < m; j++)
			ops[nops] = ADD, ia[nops] = n, ib[nops++] = j;
	}
	/* Hunks: runs of changes with CONTEXT kept lines around them. */
	for (size_t k = 0; k < nops;) {
		size_t start, end, na = 0, nb = 0;
		if (ops[k] == KEEP) {
			k++;
			continue;
		}
		start = k > CONTEXT ? k - CONTEXT : 0;
		while (start < k && ops[start] != KEEP)
			start++;
		end = k;
		for (;;) {
			size_t keep = 0;
			while (end < nops && ops[end] != KEEP)
				end++;
			while (end + keep < nops && ops[end + keep] == KEEP)
				keep++;
			if (end + keep < nops && keep <= 2 * CONTEXT) {
				end += keep;
				continue;
			}
			end += keep < CONTEXT ? keep : CONTEXT;
			break;
		}
		for (size_t x = start; x < end; x++) {
			na += ops[x] != ADD;
			nb += ops[x] != DEL;
		}
		fprintf(f, "@@ -%zu,%zu +%zu,%zu @@\n", na ? ia[start] + 1 : ia[start], na, nb ? ib[start] + 1 : ib[start],
			nb);
		for (size_t x = start; x < end; x++) {
			if (ops[x] == ADD)
				rc_diff_line(f, '+', b[ib[x]].p, b[ib[x]].n, secret);
			else
				rc_diff_line(f, ops[x] == DEL ? '-' : ' ', a[ia[x]].p, a[ia[x]].n, secret);
		}
		k = end;
		hunks++;
	}
	r = hunks;
out:
	free(dp);
	free(ops);
	free(ia);
	free(ib);
	free(a);
	free(b);
	return r;
}
