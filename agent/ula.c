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

static bool has_v6(const struct jail_spec *s)
{
	for (size_t i = 0; i < s->n_address; i++)
		if (s->address[i].family == AF_INET6)
			return true;
	return false;
}

void ula_keep_ipv6(struct jail_spec *s, const struct jail_spec *old)
{
	if (has_v6(s))
		return;
	if (!old) {
		if (s->n_address < JAIL_MAX_ADDRS)
			ula_random(&s->address[s->n_address++]);
		return;
	}
	for (size_t i = 0; i < old->n_address && s->n_address < JAIL_MAX_ADDRS; i++)
		if (old->address[i].family == AF_INET6)
			s->address[s->n_address++] = old->address[i];
}
