/* Bounded number parsing and strict validation of names that end up in
 * generated shell, jail.conf, interface names or paths. */
#ifndef WGJAIL_STRUTIL_H
#define WGJAIL_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse S as a decimal integer in [MIN, MAX]; no sign, no blanks, no
 * trailing characters.  Returns 0, or -1 if S is not such a number. */
int wj_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Jail names: 1..WJ_JAIL_NAME_MAX characters of [A-Za-z0-9_-], starting
 * with a letter or digit.  No dot (FreeBSD reads dots as a jail hierarchy),
 * nothing a shell or jail.conf would interpret.  Returns NULL if valid,
 * else a static reason. */
#define WJ_JAIL_NAME_MAX 32
const char *wj_jail_name_invalid(const char *name);

/* Interface names: 1..15 characters of [A-Za-z0-9_.-] (IFNAMSIZ - 1), not
 * "." or "..", starting with a letter. */
#define WJ_IFNAME_MAX 15
const char *wj_ifname_invalid(const char *name);

/* Absolute paths safe to write into generated shell: '/' followed by
 * [A-Za-z0-9_./+-], no "..", no "//".  */
const char *wj_path_invalid(const char *path);

/* Printable copy of untrusted input for an error message: control bytes
 * and non-ASCII become \xHH, at most OUTSZ-1 bytes (truncated with "...").
 * Returns OUT. */
char *wj_quote(const char *in, char *out, size_t outsz);

/* Is C white space in the C locale (' ', \t, \n, \v, \f, \r), whatever
 * the process's locale?  The one definition every reader of text uses. */
bool wj_isspace(int c);

/* Trim leading/trailing ASCII whitespace (wj_isspace) in place; returns S. */
char *wj_trim(char *s);

#endif
