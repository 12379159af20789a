/* The uplink kinds' live parts on FreeBSD (agent/uplink.h): none.  jail(8)
 * brings a jail and its uplink up from the jail.conf that `provision`
 * writes from each kind's rc part (rc/uplink_kind.h), and takes them down. */
#include "agent/uplink.h"

#include <stddef.h>

const struct uplink_live uplink_live_bridge = {.up = NULL};
const struct uplink_live uplink_live_wireguard = {.up = NULL};
