#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static bool use_syslog;
static bool debug_on;

void log_init(bool to_syslog, bool verbose)
{
	use_syslog = to_syslog;
	debug_on = verbose;
	if (to_syslog)
		openlog("wgjail", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void vlog(int pri, const char *errstr, const char *fmt, va_list ap)
{
	char buf[1024];
	int saved = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (use_syslog) {
		if (errstr)
			syslog(pri, "%s: %s", buf, errstr);
		else
			syslog(pri, "%s", buf);
	} else {
		if (errstr)
			fprintf(stderr, "wgjail: %s: %s\n", buf, errstr);
		else
			fprintf(stderr, "wgjail: %s\n", buf);
		fflush(stderr);
	}
	errno = saved;
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *es = strerror(errno);

	va_start(ap, fmt);
	vlog(LOG_WARNING, es, fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug_on)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}
