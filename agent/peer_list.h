/* `peer list`'s output, text or JSON (agent/cmd_peer.c is the command):
 * built in memory and written once.  50,000 peers are about 16 MB of
 * JSON; printf for each field was a third of the command's work. */
#ifndef WGJAIL_PEER_LIST_H
#define WGJAIL_PEER_LIST_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "wg/model.h"

struct peer_list_of {
	const char *jail, *ifname;
	const struct wg_device *dev; /* the config's peers, merged with the device's state when LIVE */
	bool live, json;
	time_t now;
};

/* Write the listing of L to F.  0, or -1 (out of memory: nothing
 * written; a failed write shows in ferror(F)). */
int peer_list_write(FILE *f, const struct peer_list_of *l);

#endif
