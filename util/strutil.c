#include "util/strutil.h"

#include <stdio.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

int wj_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (!is_digit(*s))
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

const char *wj_jail_name_invalid(const char *name)
{
	size_t len;

	if (!name || !*name)
		return "a jail name must not be empty";
	len = strlen(name);
	if (len > WJ_JAIL_NAME_MAX)
		return "a jail name is at most 32 characters";
	if (!is_alnum(name[0]))
		return "a jail name starts with a letter or a digit";
	for (const char *p = name; *p; p++)
		if (!is_alnum(*p) && *p != '_' && *p != '-')
			return "a jail name holds only letters, digits, '_' and '-'";
	return NULL;
}

const char *wj_ifname_invalid(const char *name)
{
	size_t len;

	if (!name || !*name)
		return "an interface name must not be empty";
	len = strlen(name);
	if (len > WJ_IFNAME_MAX)
		return "an interface name is at most 15 characters";
	if (!is_alpha(name[0]))
		return "an interface name starts with a letter";
	for (const char *p = name; *p; p++)
		if (!is_alnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return "an interface name holds only letters, digits, '_', '-' and '.'";
	return NULL;
}

const char *wj_path_invalid(const char *path)
{
	if (!path || path[0] != '/')
		return "a path must be absolute";
	if (strlen(path) > 1024)
		return "a path is at most 1024 characters";
	for (const char *p = path; *p; p++) {
		if (!is_alnum(*p) && !strchr("_./+-", *p))
			return "a path holds only letters, digits and '_', '.', '/', '+', '-'";
		if (p[0] == '/' && p[1] == '/')
			return "a path must not contain '//'";
		if (p[0] == '/' && p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0'))
			return "a path must not contain '..'";
	}
	return NULL;
}

char *wj_quote(const char *in, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz == 0)
		return out;
	for (; in && *in; in++) {
		unsigned char c = (unsigned char)*in;
		char tmp[5];
		size_t n;

		if (c >= 0x20 && c < 0x7f) {
			tmp[0] = (char)c;
			n = 1;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			n = 4;
		}
		if (o + n + 4 > outsz) {
			if (o + 3 < outsz) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o] = '\0';
	return out;
}

bool wj_isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

char *wj_trim(char *s)
{
	char *end;

	while (wj_isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && wj_isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}
