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

void key_to_base64(char out[WG_KEY_B64_LEN + 1], const uint8_t k[WG_KEY_LEN])
{
	sodium_bin2base64(out, WG_KEY_B64_LEN + 1, k, WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
}

/* Any byte above 0x7f in S[0..N)?  (Without a branch on each byte: the
 * text is key material.) */
static bool has_high_byte(const char *s, size_t n)
{
	unsigned char acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= (unsigned char)s[i];
	return (acc & 0x80) != 0;
}

bool key_from_base64_n(uint8_t k[WG_KEY_LEN], const char *b64, size_t len)
{
	size_t bin_len = 0;
	const char *end = NULL;

	/* libsodium's decoder is constant-time, requires the padding of the
	 * ORIGINAL variant and rejects non-zero padding bits - but libsodium
	 * 1.0.18 (Debian 12) decodes every byte above 0x7f as '/', where wg(8)
	 * refuses the key: such bytes are refused first. */
	if (len != WG_KEY_B64_LEN || has_high_byte(b64, len) || b64[WG_KEY_B64_LEN - 1] != '=' ||
	    sodium_base642bin(k, WG_KEY_LEN, b64, len, NULL, &bin_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    bin_len != WG_KEY_LEN || end != b64 + len) {
		sodium_memzero(k, WG_KEY_LEN);
		return false;
	}
	return true;
}

bool key_from_base64(uint8_t k[WG_KEY_LEN], const char *b64)
{
	return key_from_base64_n(k, b64, strnlen(b64, WG_KEY_B64_LEN + 1));
}

void key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t k[WG_KEY_LEN])
{
	sodium_bin2hex(out, WG_KEY_HEX_LEN + 1, k, WG_KEY_LEN);
}

/* As key_from_base64_n above, for hex: libsodium's decoder, the whole
 * input, KEY wiped on failure. */
bool key_from_hex_n(uint8_t k[WG_KEY_LEN], const char *hex, size_t len)
{
	size_t bin_len = 0;
	const char *end = NULL;

	if (len != WG_KEY_HEX_LEN ||
	    sodium_hex2bin(k, WG_KEY_LEN, hex, len, NULL, &bin_len, &end) != 0 ||
	    bin_len != WG_KEY_LEN || end != hex + len) {
		sodium_memzero(k, WG_KEY_LEN);
		return false;
	}
	return true;
}

bool key_from_hex(uint8_t k[WG_KEY_LEN], const char *hex)
{
	return key_from_hex_n(k, hex, strnlen(hex, WG_KEY_HEX_LEN + 1));
}
