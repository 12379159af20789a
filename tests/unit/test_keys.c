/* keys/: RFC 7748 vectors, codecs, clamping, canonical-encoding checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "keys/keys.h"

static void hex32(uint8_t out[32], const char *hex)
{
	assert_true(key_from_hex(out, hex));
}

static void assert_pub(const char *priv_hex, const char *pub_hex)
{
	uint8_t priv[32], pub[32], want[32];

	hex32(priv, priv_hex);
	hex32(want, pub_hex);
	assert_int_equal(key_public_from_private(pub, priv), 0);
	assert_memory_equal(pub, want, 32);
	/* Clamping the scalar first gives the same public key. */
	key_clamp(priv);
	assert_int_equal(key_public_from_private(pub, priv), 0);
	assert_memory_equal(pub, want, 32);
}

/* RFC 7748 §6.1: Alice's and Bob's key pairs. */
static void rfc7748_alice_bob(void **s)
{
	assert_pub("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		   "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	assert_pub("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		   "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
}

/* RFC 7748 §5.2: one iteration of k = u = 9 is X25519 of the scalar 9
 * with the base point, i.e. a public-key derivation. */
static void rfc7748_iteration_one(void **s)
{
	assert_pub("0900000000000000000000000000000000000000000000000000000000000000",
		   "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
}

/* RFC 7748 §5.2: the two scalar-multiplication vectors with other points,
 * through the same primitive the derivation uses. */
static void rfc7748_scalarmult(void **s)
{
	uint8_t k[32], u[32], out[32], want[32];

	hex32(k, "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
	hex32(u, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
	hex32(want, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	assert_int_equal(crypto_scalarmult(out, k, u), 0);
	assert_memory_equal(out, want, 32);
	hex32(k, "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
	hex32(u, "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
	hex32(want, "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
	assert_int_equal(crypto_scalarmult(out, k, u), 0);
	assert_memory_equal(out, want, 32);
}

static void clamp_bits(void **s)
{
	uint8_t k[32];

	memset(k, 0xff, sizeof(k));
	key_clamp(k);
	assert_int_equal(k[0], 0xf8);
	assert_int_equal(k[31], 0x7f);
	memset(k, 0, sizeof(k));
	key_clamp(k);
	assert_int_equal(k[31], 0x40);
	for (int i = 0; i < 100; i++) {
		key_generate_private(k);
		assert_int_equal(k[0] & 7, 0);
		assert_int_equal(k[31] & 0xc0, 0x40);
	}
}

static void base64_roundtrip(void **s)
{
	uint8_t k[32], back[32];
	char b64[45];

	for (int i = 0; i < 200; i++) {
		key_generate_psk(k);
		key_to_base64(b64, k);
		assert_int_equal(strlen(b64), 44);
		assert_int_equal(b64[43], '=');
		assert_true(key_from_base64(back, b64));
		assert_memory_equal(k, back, 32);
	}
	memset(k, 0, sizeof(k));
	key_to_base64(b64, k);
	assert_string_equal(b64, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
}

static void base64_rejects(void **s)
{
	uint8_t k[32];
	const char *good = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";

	assert_true(key_from_base64(k, good));
	/* 43 and 45 characters */
	assert_false(key_from_base64(k, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk"));
	assert_false(key_from_base64(k, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=="));
	assert_false(key_from_base64(k, "AyAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="));
	/* outside the alphabet (URL-safe variant, space, NUL-free junk) */
	assert_false(key_from_base64(k, "yAnz5TF-lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="));
	assert_false(key_from_base64(k, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm!="));
	assert_false(key_from_base64(k, "yAnz5TF+lXXJte14tji3zlMN +hd2rYUIgJBgB3fBmk="));
	/* bytes above 0x7f, which libsodium 1.0.18 decodes as '/' and wg(8)
	 * refuses (found by fuzz_conf_agree: the parser took such a key) */
	assert_false(key_from_base64(k, "yAnz5TF+lXXJte14tji3zlMN\x9d+hd2rYUIgJBgB3fBmk="));
	assert_false(key_from_base64(k, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fB\xff\xfe="));
	/* non-zero padding bits: 'k' (36) -> 'l' (37) sets a low bit */
	assert_false(key_from_base64(k, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml="));
	/* no padding character in last place */
	assert_false(key_from_base64(k, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmkA"));
	assert_false(key_from_base64(k, ""));
	/* a failed decode leaves no partial key behind */
	assert_true(key_is_zero(k));
	/* counted form: the 44 characters need not end the buffer */
	assert_true(key_from_base64_n(k, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=xyz", 44));
}

static void hex_codec(void **s)
{
	uint8_t k[32], back[32];
	char hex[65];

	key_generate_psk(k);
	key_to_hex(hex, k);
	assert_int_equal(strlen(hex), 64);
	for (int i = 0; i < 64; i++)
		assert_true((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'));
	assert_true(key_from_hex(back, hex));
	assert_memory_equal(k, back, 32);
	hex[0] = 'g';
	assert_false(key_from_hex(back, hex));
	hex[63] = '\0';
	assert_false(key_from_hex(back, hex));
	assert_true(key_from_hex(back, "ABCDEFabcdef0123456789000000000000000000000000000000000000000000"));
}

/* The reference: libsodium's decoders, as keys/keys.c used them before
 * its own (bytes above 0x7f refused first: 1.0.18 reads them as '/'). */
static bool ref_b64(uint8_t k[32], const char *b64, size_t len)
{
	size_t bin_len = 0;
	const char *end = NULL;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)b64[i] > 0x7f)
			return false;
	return len == 44 && b64[43] == '=' &&
	       sodium_base642bin(k, 32, b64, len, NULL, &bin_len, &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       bin_len == 32 && end == b64 + len;
}

static bool ref_hex(uint8_t k[32], const char *hex, size_t len)
{
	size_t bin_len = 0;
	const char *end = NULL;

	return len == 64 && sodium_hex2bin(k, 32, hex, len, NULL, &bin_len, &end) == 0 && bin_len == 32 &&
	       end == hex + len;
}

/* Every text LEN bytes long one byte away from GOOD: DECODE gives REF's
 * verdict and key, and a zero key when it refuses. */
static void one_byte_away(const char *good, size_t len, bool (*ref)(uint8_t *, const char *, size_t),
			  bool (*decode)(uint8_t *, const char *, size_t))
{
	uint8_t a[32], b[32];
	char t[65];

	for (size_t pos = 0; pos < len; pos++) {
		for (int c = 0; c < 256; c++) {
			bool ok_ref, ok;
			memcpy(t, good, len + 1);
			t[pos] = (char)c;
			memset(a, 0xaa, sizeof(a));
			memset(b, 0x55, sizeof(b));
			ok_ref = ref(a, t, len);
			ok = decode(b, t, len);
			assert_int_equal(ok, ok_ref);
			if (ok)
				assert_memory_equal(a, b, 32);
			else
				assert_true(key_is_zero(b));
		}
	}
}

/* keys/keycodec.c against libsodium: the same text for random keys and
 * every byte value in every place; the same verdict and key for every
 * text one byte away from a valid one. */
static void codecs_agree_with_libsodium(void **s)
{
	uint8_t k[32];
	char b64[45], ref[90], hex[65];

	for (int n = 0; n < 64; n++) {
		if (n < 32) {
			key_generate_psk(k);
		} else {
			memset(k, 0, sizeof(k));
			memset(k + (n % 32), (n & 1) ? 0xff : n * 8, 1);
		}
		key_to_base64(b64, k);
		sodium_bin2base64(ref, sizeof(ref), k, 32, sodium_base64_VARIANT_ORIGINAL);
		assert_string_equal(b64, ref);
		key_to_hex(hex, k);
		sodium_bin2hex(ref, sizeof(ref), k, 32);
		assert_string_equal(hex, ref);
		if (n % 8)
			continue;
		one_byte_away(b64, 44, ref_b64, key_from_base64_n);
		one_byte_away(hex, 64, ref_hex, key_from_hex_n);
	}
}

static void compare(void **s)
{
	uint8_t a[32], b[32];

	key_generate_psk(a);
	memcpy(b, a, 32);
	assert_true(key_equal(a, b));
	b[31] ^= 1;
	assert_false(key_equal(a, b));
	memset(a, 0, 32);
	assert_true(key_is_zero(a));
	a[17] = 1;
	assert_false(key_is_zero(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc7748_alice_bob), cmocka_unit_test(rfc7748_iteration_one),
		cmocka_unit_test(rfc7748_scalarmult), cmocka_unit_test(clamp_bits),
		cmocka_unit_test(base64_roundtrip),  cmocka_unit_test(base64_rejects),
		cmocka_unit_test(hex_codec),         cmocka_unit_test(codecs_agree_with_libsodium),
		cmocka_unit_test(compare),
	};
	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
