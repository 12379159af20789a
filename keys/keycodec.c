/* The base64 and hex forms of a key (keys/keys.h), constant-time: no
 * branch and no table index depends on a key's bytes or characters.
 * Written here rather than taken from libsodium, whose general codecs
 * cost several times more per key: listing 50,000 peers decodes 100,000
 * keys and encodes 50,000.  tests/unit/test_keys.c holds these to
 * libsodium's verdicts and bytes, character by character. */
#include "keys/keys.h"

#include <sodium.h>

/* All ones when A < B, else zero (A, B < 2^31). */
static uint32_t lt_mask(uint32_t a, uint32_t b)
{
	return 0u - ((a - b) >> 31);
}

/* All ones when LO <= C <= HI, else zero. */
static uint32_t in_mask(uint32_t c, uint32_t lo, uint32_t hi)
{
	return ~lt_mask(c, lo) & lt_mask(c, hi + 1);
}

/* ---- base64 (A-Z a-z 0-9 + /, '=' padding) ---- */

static char b64_char(uint32_t v)
{
	uint32_t c = (in_mask(v, 0, 25) & (v + 'A')) | (in_mask(v, 26, 51) & (v - 26 + 'a')) |
		     (in_mask(v, 52, 61) & (v - 52 + '0')) | (in_mask(v, 62, 62) & '+') | (in_mask(v, 63, 63) & '/');

	return (char)c;
}

/* C's six bits; *BAD gets all ones when C is not in the alphabet. */
static uint32_t b64_val(uint32_t c, uint32_t *bad)
{
	uint32_t up = in_mask(c, 'A', 'Z'), low = in_mask(c, 'a', 'z'), dig = in_mask(c, '0', '9');
	uint32_t plus = in_mask(c, '+', '+'), slash = in_mask(c, '/', '/');

	*bad |= ~(up | low | dig | plus | slash);
	return ((up & (c - 'A')) | (low & (c - 'a' + 26)) | (dig & (c - '0' + 52)) | (plus & 62) | (slash & 63)) & 63;
}

void key_to_base64(char out[WG_KEY_B64_LEN + 1], const uint8_t k[WG_KEY_LEN])
{
	size_t o = 0, i = 0;

	for (; i + 3 <= WG_KEY_LEN; i += 3) {
		uint32_t w = (uint32_t)k[i] << 16 | (uint32_t)k[i + 1] << 8 | k[i + 2];
		out[o++] = b64_char(w >> 18);
		out[o++] = b64_char((w >> 12) & 63);
		out[o++] = b64_char((w >> 6) & 63);
		out[o++] = b64_char(w & 63);
	}
	/* 32 = 3 * 10 + 2: two bytes left, three characters and '=' */
	{
		uint32_t w = (uint32_t)k[i] << 16 | (uint32_t)k[i + 1] << 8;
		out[o++] = b64_char(w >> 18);
		out[o++] = b64_char((w >> 12) & 63);
		out[o++] = b64_char((w >> 6) & 63);
		out[o++] = '=';
	}
	out[o] = '\0';
}

bool key_from_base64_n(uint8_t k[WG_KEY_LEN], const char *b64, size_t len)
{
	uint32_t bad = 0, acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	if (len != WG_KEY_B64_LEN) {
		sodium_memzero(k, WG_KEY_LEN);
		return false;
	}
	/* 43 characters of 6 bits: 256 bits of key and 2 that must be zero */
	for (size_t i = 0; i < WG_KEY_B64_LEN - 1; i++) {
		acc = (acc << 6 | b64_val((unsigned char)b64[i], &bad)) & 0x3fff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			k[o++] = (uint8_t)(acc >> bits);
		}
	}
	bad |= acc & ((1u << bits) - 1);
	bad |= ~in_mask((unsigned char)b64[WG_KEY_B64_LEN - 1], '=', '=');
	acc = 0;
	if (bad) {
		sodium_memzero(k, WG_KEY_LEN);
		return false;
	}
	return true;
}

/* ---- hex (either case in, lower case out) ---- */

static char hex_char(uint32_t v)
{
	return (char)((in_mask(v, 0, 9) & (v + '0')) | (in_mask(v, 10, 15) & (v - 10 + 'a')));
}

static uint32_t hex_val(uint32_t c, uint32_t *bad)
{
	uint32_t dig = in_mask(c, '0', '9'), low = in_mask(c, 'a', 'f'), up = in_mask(c, 'A', 'F');

	*bad |= ~(dig | low | up);
	return ((dig & (c - '0')) | (low & (c - 'a' + 10)) | (up & (c - 'A' + 10))) & 15;
}

void key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t k[WG_KEY_LEN])
{
	for (size_t i = 0; i < WG_KEY_LEN; i++) {
		out[2 * i] = hex_char(k[i] >> 4);
		out[2 * i + 1] = hex_char(k[i] & 15);
	}
	out[WG_KEY_HEX_LEN] = '\0';
}

bool key_from_hex_n(uint8_t k[WG_KEY_LEN], const char *hex, size_t len)
{
	uint32_t bad = 0;

	if (len != WG_KEY_HEX_LEN) {
		sodium_memzero(k, WG_KEY_LEN);
		return false;
	}
	for (size_t i = 0; i < WG_KEY_LEN; i++)
		k[i] = (uint8_t)(hex_val((unsigned char)hex[2 * i], &bad) << 4 | hex_val((unsigned char)hex[2 * i + 1], &bad));
	if (bad) {
		sodium_memzero(k, WG_KEY_LEN);
		return false;
	}
	return true;
}
