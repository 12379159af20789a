/* The shape of a UAPI GET reply (see wg/uapi_frame.h). */
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

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_errno_key(const struct wg_uapi_frame *f)
{
	return f->keylen == 5 && memcmp(f->key, "errno", 5) == 0;
}

/* N bytes of the current line (no '\n'). */
static int segment(struct wg_uapi_frame *f, const char *s, size_t n, struct wj_err *e)
{
	size_t j = 0;

	for (; !f->in_value && j < n; j++) {
		if (s[j] == '=') {
			if (!f->keylen)
				return bad(f, e, "empty key");
			f->in_value = true;
		} else if (!key_char(s[j])) {
			return bad(f, e, s[j] ? "bad key" : "NUL byte");
		} else {
			if (f->keylen < sizeof(f->key))
				f->key[f->keylen] = s[j];
			f->keylen++;
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
		if (f->daemon_errno) {
			wj_errf(e, "the WireGuard daemon reports an error: %s", strerror(f->daemon_errno));
			e->code = f->daemon_errno;
			return -1;
		}
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
