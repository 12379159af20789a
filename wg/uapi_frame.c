/* The shape of a UAPI GET reply (see wg/uapi_frame.h).  Its end-of-reply
 * and line rules mirror the decoder's (wg/uapi_decode.c) on purpose, in a
 * check that keeps nothing: fuzz_uapi holds the two to the same verdict. */
#include "wg/uapi_frame.h"

#include <errno.h>
#include <string.h>

#include "util/err.h"
#include "wg/uapi_decode.h"

#define ERRNO_MAX 4095

void wg_uapi_frame_init(struct wg_uapi_frame *f)
{
	memset(f, 0, sizeof(*f));
}

static int bad(struct wg_uapi_frame *f, struct wj_err *e, const char *what)
{
	wj_errf(e, "malformed UAPI reply, line %zu: %s", f->lineno + 1, what);
	e->code = EPROTO;
	return -1;
}

/* The bytes of a key: [a-z0-9_] (a key's name, never key material). */
static bool key_char(unsigned char c)
{
	static const struct tab {
		bool ok[256];
	} t = {{['_'] = 1,
		['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
		['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
		['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1,
		['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1}};

	return t.ok[c];
}

static bool is_errno_key(const struct wg_uapi_frame *f)
{
	return f->keylen == 5 && memcmp(f->key, "errno", 5) == 0;
}

/* N bytes of the current line (no '\n'). */
static int segment(struct wg_uapi_frame *f, const char *s, size_t n, struct wj_err *e)
{
	size_t j = 0;

	if (!f->in_value) {
		const char *eq = memchr(s, '=', n);
		size_t klen = eq ? (size_t)(eq - s) : n;
		for (; j < klen; j++)
			if (!key_char((unsigned char)s[j]))
				return bad(f, e, s[j] ? "bad key" : "NUL byte");
		for (size_t i = 0; i < klen && f->keylen + i < sizeof(f->key); i++)
			f->key[f->keylen + i] = s[i];
		f->keylen += klen;
		if (eq) {
			if (!f->keylen)
				return bad(f, e, "empty key");
			f->in_value = true;
			j++;
		}
	}
	if (j == n)
		return 0;
	if (memchr(s + j, '\0', n - j))
		return bad(f, e, "NUL byte");
	if (!is_errno_key(f)) {
		f->vlen += n - j;
		return 0;
	}
	for (; j < n; j++, f->vlen++) {
		if (f->vlen == 0 && s[j] == '-') {
			f->neg = true;
			continue;
		}
		if (s[j] < '0' || s[j] > '9' || (f->errval = f->errval * 10 + (unsigned long)(s[j] - '0')) > ERRNO_MAX)
			return bad(f, e, "bad number in errno");
	}
	return 0;
}

/* The end of a line: the empty one ends the reply (1). */
static int end_line(struct wg_uapi_frame *f, struct wj_err *e)
{
	if (f->linelen == 0) {
		if (!f->have_errno)
			return bad(f, e, "reply ends without errno");
		f->lineno++;
		f->done = true;
		if (f->daemon_errno)
			return wg_uapi_daemon_error(f->daemon_errno, e);
		return 1;
	}
	if (f->have_errno)
		return bad(f, e, "data after errno");
	if (!f->in_value)
		return bad(f, e, "no '=' in line");
	if (is_errno_key(f)) {
		if (f->vlen == (size_t)f->neg)
			return bad(f, e, "bad number in errno");
		f->have_errno = true;
		f->daemon_errno = (int)f->errval;
	}
	f->lineno++;
	f->linelen = f->keylen = f->vlen = 0;
	f->in_value = f->neg = false;
	f->errval = 0;
	return 0;
}

int wg_uapi_frame_feed(struct wg_uapi_frame *f, const char *data, size_t len, size_t *used, struct wj_err *e)
{
	size_t i = 0;
	int r = 0;

	*used = 0;
	if (f->done)
		return len ? bad(f, e, "bytes after the end of the reply") : 1;
	while (i < len && r == 0) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;

		if (f->total + n + (nl ? 1 : 0) > WG_UAPI_MAX_REPLY) {
			wj_errf(e, "UAPI reply larger than %zu bytes", WG_UAPI_MAX_REPLY);
			e->code = EMSGSIZE;
			return -1;
		}
		if (f->linelen + n > WG_UAPI_MAX_LINE)
			return bad(f, e, "line too long");
		if (segment(f, data + i, n, e) < 0) {
			*used = i;
			return -1;
		}
		f->linelen += n;
		f->total += n;
		i += n;
		if (!nl)
			break;
		i++;
		f->total++;
		r = end_line(f, e);
	}
	*used = i;
	return r;
}
