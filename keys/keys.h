/* WireGuard keys: Curve25519 private/public keys and preshared keys, 32
 * bytes each; base64 (wg(8) files and output) and hex (UAPI) forms.
 * Everything that touches key material is constant-time (the codecs of
 * keys/keycodec.c, libsodium's comparisons).  Callers wipe keys with sodium_memzero. */
#ifndef WGJAIL_KEYS_H
#define WGJAIL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WG_KEY_LEN 32
#define WG_KEY_B64_LEN 44 /* characters, without the NUL */
#define WG_KEY_HEX_LEN 64

/* Initialise libsodium; call once before anything else here. */
int keys_init(void);

void key_clamp(uint8_t k[WG_KEY_LEN]);
/* A new private key: 32 random bytes, clamped (as wg genkey). */
void key_generate_private(uint8_t k[WG_KEY_LEN]);
/* A new preshared key: 32 random bytes, not clamped (as wg genpsk). */
void key_generate_psk(uint8_t k[WG_KEY_LEN]);
/* X25519(priv, 9).  Clamped and unclamped private keys give the same
 * public key.  Returns 0, or -1 for a key that yields the zero point. */
int key_public_from_private(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN]);

bool key_is_zero(const uint8_t k[WG_KEY_LEN]);
bool key_equal(const uint8_t a[WG_KEY_LEN], const uint8_t b[WG_KEY_LEN]);

/* Standard base64 with padding: exactly 44 characters + NUL. */
void key_to_base64(char out[WG_KEY_B64_LEN + 1], const uint8_t k[WG_KEY_LEN]);
/* Accepts exactly 44 canonical characters (the string must end there):
 * alphabet A-Za-z0-9+/, '=' last, zero padding bits.  Returns false on
 * anything else; K is then zeroed. */
bool key_from_base64(uint8_t k[WG_KEY_LEN], const char *b64);
/* Same, for a counted buffer that need not be NUL-terminated. */
bool key_from_base64_n(uint8_t k[WG_KEY_LEN], const char *b64, size_t len);
void key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t k[WG_KEY_LEN]);
/* Exactly 64 hex digits, either case. */
bool key_from_hex(uint8_t k[WG_KEY_LEN], const char *hex);
bool key_from_hex_n(uint8_t k[WG_KEY_LEN], const char *hex, size_t len);

#endif
