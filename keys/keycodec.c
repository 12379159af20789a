/* The base64 and hex forms of a key (keys/keys.h), constant-time: no
 * branch and no table index depends on a key's bytes or characters.
 * Written here rather than taken from libsodium, whose general codecs
 * cost several times more per key: listing 50,000 peers decodes 100,000
 * keys and encodes 50,000.  tests/unit/test_keys.c holds these to
 * libsodium's verdicts and bytes, character by character. */
#include "keys/keys.h"

#include <sodium.h>

/* ---- base64 (A-Z a-z 0-9 + /, '=' padding) ---- */

/* V (< 64) as its character: 'A' + V, moved on past each range's end. */
static char b64_char(uint32_t v)
{
	uint32_t c = 'A' + v;

	c += ((25 - v) >> 8) & 6;   /* 26..: 'a' */
	c -= ((51 - v) >> 8) & 75;  /* 52..: '0' */
	c -= ((61 - v) >> 8) & 15;  /* 62: '+' */
	c += ((62 - v) >> 8) & 3;   /* 63: '/' */
	return (char)c;
}

/* Non-zero (bits 8 and up) when LO <= C <= HI, for C < 256: both
 * differences wrap only then. */
#define IN(c, lo, hi) ((((lo) - 1 - (c)) & ((c) - (hi) - 1)) >> 8)

/* C's six bits; *BAD gets bits set when C is not in the alphabet.  One
 * more than the value is added for the range C is in, to all ones: all
 * ones are left when it is in none. */
static uint32_t b64_val(uint32_t c, uint32_t *bad)
{
	uint32_t r = 0xffffffffu;

	r += IN(c, 'A', 'Z') & (c - 'A' + 1);
	r += IN(c, 'a', 'z') & (c - 'a' + 27);
	r += IN(c, '0', '9') & (c - '0' + 53);
	r += IN(c, '+', '+') & 63;
	r += IN(c, '/', '/') & 64;
	*bad |= r >> 8;
	return r & 63;
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
	bad |= (unsigned char)b64[WG_KEY_B64_LEN - 1] ^ (unsigned char)'=';
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
	return (char)('0' + v + (((9 - v) >> 8) & ('a' - '0' - 10)));
}

/* Eight characters at once, one per byte of a 64-bit word (SWAR): each
 * range test adds to the byte's low seven bits a constant that carries
 * into its top bit exactly at the range's bound (no carry leaves a byte:
 * bytes with the top bit set are refused apart). */
#define REP(b) ((uint64_t)(b) * 0x0101010101010101u)
#define TOP REP(0x80)
#define GE(x7, lo) (((x7) + REP(0x80 - (lo))) & TOP)
#define LE(x7, hi) (~((x7) + REP(0x7f - (hi))) & TOP)

/* S[0..8) into four bytes at OUT; *BAD gets bits set for a character that
 * is not a hex digit. */
static void hex8(uint8_t *out, const char *s, uint64_t *bad)
{
	uint64_t x = 0, x7, f, digit, letter, v, w;

	for (int i = 0; i < 8; i++)
		x |= (uint64_t)(unsigned char)s[i] << (8 * i);
	x7 = x & ~TOP;
	f = x7 | REP(0x20); /* 'A'-'F' as 'a'-'f' */
	digit = GE(x7, '0') & LE(x7, '9');
	letter = GE(f, 'a') & LE(f, 'f');
	*bad |= ((digit | letter) ^ TOP) | (x & TOP);
	v = (x & REP(0x0f)) + (letter >> 7) * 9;
	w = v << 4 | v >> 8; /* each even byte: its digit, then the next */
	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(w >> (16 * i));
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
	uint64_t bad = 0;

	if (len != WG_KEY_HEX_LEN) {
		sodium_memzero(k, WG_KEY_LEN);
		return false;
	}
	for (size_t i = 0; i < WG_KEY_LEN; i += 4)
		hex8(k + i, hex + 2 * i, &bad);
	if (bad) {
		sodium_memzero(k, WG_KEY_LEN);
		return false;
	}
	return true;
}
