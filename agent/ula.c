/* A random IPv6 unique local prefix (see agent/ula.h). */
#include "agent/ula.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <string.h>

void ula_random(struct wg_ipmask *out)
{
	uint8_t *a;

	memset(out, 0, sizeof(*out));
	out->family = AF_INET6;
	out->cidr = 64;
	a = (uint8_t *)&out->addr.ip6;
	a[0] = 0xfd;
	randombytes_buf(a + 1, 5); /* the global ID; a[6..7] the subnet ID 0 */
	a[15] = 1;
}
