#include "util/err.h"

#include <stdio.h>
#include <string.h>

int wj_errf(struct wj_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->code = 0;
	return -1;
}

int wj_errnof(struct wj_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	if (len < sizeof(e->msg))
		snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(errnum));
	e->code = errnum;
	return -1;
}

int wj_err_prefix(struct wj_err *e, const char *fmt, ...)
{
	char prefix[WJ_ERR_MAX], old[WJ_ERR_MAX];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	if (snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old) >= (int)sizeof(e->msg))
		memcpy(e->msg + sizeof(e->msg) - 4, "...", 4); /* truncated: say so */
	return -1;
}

void wj_err_clear(struct wj_err *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}
