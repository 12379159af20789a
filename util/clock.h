/* The monotonic clock in milliseconds: deadlines and intervals (the
 * agent's loop, its resolver, waiting for wireguard-go), never the time
 * of day. */
#ifndef WGJAIL_CLOCK_H
#define WGJAIL_CLOCK_H

#include <stdint.h>

int64_t wj_mono_ms(void);

#endif
