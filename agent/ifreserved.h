/* Interface names wgjail refuses for a jail (agent/ifreserved.c). */
#ifndef WGJAIL_IFRESERVED_H
#define WGJAIL_IFRESERVED_H

/* Interface names whose files would collide with files that are not
 * theirs (the spec, a system file in the jail's /etc): a static reason,
 * or NULL if IFNAME is free. */
const char *jail_ifname_reserved(const char *ifname);

#endif
