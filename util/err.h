/* Error reporting: internal functions fill a struct wj_err and return -1;
 * only the command edge prints it (as "wgjail: MESSAGE") and picks the exit
 * status.  Messages name the object (file:line, interface, jail) and quote
 * the offending value; they never contain key material. */
#ifndef WGJAIL_ERR_H
#define WGJAIL_ERR_H

#include <stdarg.h>

#define WJ_ERR_MAX 512

struct wj_err {
	int code;              /* errno-style cause, 0 if none */
	char msg[WJ_ERR_MAX];  /* empty when no error */
};

/* Set the error (printf-style); returns -1 so callers can `return wj_errf(...)`. */
int wj_errf(struct wj_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, appending ": strerror(errnum)". */
int wj_errnof(struct wj_err *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefix an existing message: "PREFIX: old message". */
int wj_err_prefix(struct wj_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wj_err_clear(struct wj_err *e);

/* Exit statuses, documented in wgjail(8). */
enum { WJ_EXIT_OK = 0, WJ_EXIT_FAIL = 1, WJ_EXIT_USAGE = 2 };

#endif
