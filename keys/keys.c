#include "keys/keys.h"

#include <sodium.h>
#include <string.h>

int keys_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void key_clamp(uint8_t k[WG_KEY_LEN])
{
	k[0] &= 248;
	k[31] = (uint8_t)((k[31] & 127) | 64);
}

void key_generate_private(uint8_t k[WG_KEY_LEN])
{
	randombytes_buf(k, WG_KEY_LEN);
	key_clamp(k);
}

void key_generate_psk(uint8_t k[WG_KEY_LEN])
{
	randombytes_buf(k, WG_KEY_LEN);
}

int key_public_from_private(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN])
{
	/* crypto_scalarmult_base clamps a copy of the scalar itself. */
	return crypto_scalarmult_base(pub, priv) == 0 ? 0 : -1;
}

bool key_is_zero(const uint8_t k[WG_KEY_LEN])
{
	return sodium_is_zero(k, WG_KEY_LEN) == 1;
}

bool key_equal(const uint8_t a[WG_KEY_LEN], const uint8_t b[WG_KEY_LEN])
{
	return sodium_memcmp(a, b, WG_KEY_LEN) == 0;
}

bool key_from_base64(uint8_t k[WG_KEY_LEN], const char *b64)
{
	return key_from_base64_n(k, b64, strnlen(b64, WG_KEY_B64_LEN + 1));
}

bool key_from_hex(uint8_t k[WG_KEY_LEN], const char *hex)
{
	return key_from_hex_n(k, hex, strnlen(hex, WG_KEY_HEX_LEN + 1));
}
