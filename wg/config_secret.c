/* Key material in messages about a configuration (see wg/config_private.h):
 * a value that may hold a key is never echoed.  In a file that holds a
 * private or preshared key, a fragment of it misplaced under another key
 * (`MTU = ` and 39 characters of the private key) is a secret too, so
 * there the threshold is lower. */
#include "wg/config_private.h"
#include "wg/conf_lex.h"

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

/* Does TEXT[0..LEN) name either key word (lower case) as wg(8) reads
 * keys: blanks inside a line ignored, any case?  One pass for both: each
 * word's first letter ('p') occurs nowhere else in it, so on a mismatch
 * its match can only restart at the current character. */
bool wg_text_holds_key(const char *text, size_t len)
{
	static const char *const words[2] = {"privatekey", "presharedkey"};
	size_t k[2] = {0, 0};

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n') {
			k[0] = k[1] = 0;
			continue;
		}
		if (conf_is_ws(c))
			continue;
		c = conf_lower(c);
		for (int w = 0; w < 2; w++) {
			if (c == words[w][k[w]]) {
				if (!words[w][++k[w]])
					return true;
			} else {
				k[w] = c == 'p';
			}
		}
	}
	return false;
}
