/* Key material in messages about a configuration (see wg/config_private.h):
 * a value that may hold a key is never echoed.  In a file that holds a
 * private or preshared key, a fragment of it misplaced under another key
 * (`MTU = ` and 39 characters of the private key) is a secret too, so
 * there the threshold is lower. */
#include "wg/config_private.h"

#include <ctype.h>
#include <string.h>

bool wg_looks_secret_run(const char *s, size_t min_run)
{
	size_t run = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '+' || c == '/' || c == '=') {
			if (++run >= min_run)
				return true;
		} else {
			run = 0;
		}
	}
	return false;
}

/* Does TEXT[0..LEN) name WORD (lower case) as wg(8) reads keys: blanks
 * anywhere ignored, any case? */
static bool names(const char *text, size_t len, const char *word)
{
	size_t wl = strlen(word);

	for (size_t i = 0; i < len; i++) {
		size_t k = 0, j = i;
		while (j < len && k < wl) {
			char c = text[j++];
			if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f')
				continue;
			if (tolower((unsigned char)c) != word[k])
				break;
			k++;
		}
		if (k == wl)
			return true;
	}
	return false;
}

bool wg_text_holds_key(const char *text, size_t len)
{
	return names(text, len, "privatekey") || names(text, len, "presharedkey");
}
