/* One logger for the whole program.  Commands log to stderr; the agent logs
 * to syslog unless run with -f.  Nothing logged may contain key material.
 * The "x" variants do not append strerror(errno), as in err(3)/warnx(3). */
#ifndef WGJAIL_LOG_H
#define WGJAIL_LOG_H

#include <stdbool.h>

void log_init(bool to_syslog, bool verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
