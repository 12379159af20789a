/* wg/conf_edit: the line-preserving editor of wg configs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/err.h"
#include "keys/keys.h"
#include "wg/conf_edit.h"

/* Two fixed public keys (any 32 bytes are a valid public key). */
static uint8_t KA[WG_KEY_LEN], KB[WG_KEY_LEN], KC[WG_KEY_LEN];
static char A[WG_KEY_B64_LEN + 1], B[WG_KEY_B64_LEN + 1], C[WG_KEY_B64_LEN + 1];

static int setup(void **state)
{
	(void)state;
	assert_int_equal(keys_init(), 0);
	memset(KA, 0x11, sizeof(KA));
	memset(KB, 0x22, sizeof(KB));
	memset(KC, 0x33, sizeof(KC));
	key_to_base64(A, KA);
	key_to_base64(B, KB);
	key_to_base64(C, KC);
	return 0;
}

/* printf into a heap string. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, f);
	assert_true(vasprintf(&s, f, ap) >= 0);
	va_end(ap);
	return s;
}

static char *edit_text(struct conf_doc *d)
{
	size_t n;
	char *t = conf_doc_text(d, &n);

	assert_non_null(t);
	assert_int_equal(strlen(t), n);
	return t;
}

static void roundtrip_one(const char *in)
{
	struct conf_doc d;
	struct wj_err e = {0};
	char *out;

	assert_int_equal(conf_doc_load(&d, in, strlen(in), &e), 0);
	out = edit_text(&d);
	assert_string_equal(out, in);
	free(out);
	conf_doc_free(&d);
}

static void test_roundtrip(void **state)
{
	(void)state;
	roundtrip_one("");
	roundtrip_one("\n");
	roundtrip_one("[Interface]\nPrivateKey = x\n");
	roundtrip_one("[Interface]\r\nListenPort = 1\r\n\r\n# c\r\n");
	roundtrip_one("no final newline");
	roundtrip_one("mixed\r\nends\nhere\r");
	roundtrip_one("\n\n\n  # only comments   \n\t\n");
}

static void test_classify(void **state)
{
	const char *in = "  [ peer ] # x\n"
			 "Public Key = abc # c\n"
			 "  # comment\n"
			 "\t \n"
			 "garbage here\n"
			 "=novalue\n"
			 "ALLOWEDIPS=10.0.0.1/32\n";
	struct conf_doc d;
	struct wj_err e = {0};
	char name[32], v[64];

	(void)state;
	assert_int_equal(conf_doc_load(&d, in, strlen(in), &e), 0);
	assert_int_equal(d.n, 7);
	assert_int_equal(d.lines[0].kind, CONF_LINE_SECTION);
	assert_true(conf_line_section(&d, 0, name, sizeof(name)));
	assert_string_equal(name, "peer");
	assert_int_equal(d.lines[1].kind, CONF_LINE_KEY);
	assert_true(conf_line_is_key(&d, 1, "PublicKey"));
	assert_true(conf_line_is_key(&d, 1, "publickey"));
	assert_false(conf_line_is_key(&d, 1, "Public"));
	assert_false(conf_line_is_key(&d, 1, "PublicKeys"));
	assert_true(conf_line_value(&d, 1, v, sizeof(v)));
	assert_string_equal(v, "abc");
	assert_int_equal(d.lines[2].kind, CONF_LINE_COMMENT);
	assert_int_equal(d.lines[3].kind, CONF_LINE_BLANK);
	assert_int_equal(d.lines[4].kind, CONF_LINE_OTHER);
	assert_int_equal(d.lines[5].kind, CONF_LINE_OTHER);
	assert_true(conf_line_is_key(&d, 6, "AllowedIPs"));
	conf_doc_free(&d);
}

/* A hand-edited file: comments, odd casing, CRLF-free, several AllowedIPs
 * lines, an unknown line. */
static char *hand_file(void)
{
	return fmt("# main tunnel\n"
		   "[Interface]\n"
		   "PrivateKey = %s # secret\n"
		   "listenport=51820\n"
		   "\n"
		   "# Alice's laptop\n"
		   "[peer]\n"
		   "publickey= %s\n"
		   "AllowedIPs = 10.0.0.2/32\n"
		   "AllowedIPs = fd00::2/128 # v6 too\n"
		   "\n"
		   "# Bob\n"
		   "# (two comment lines)\n"
		   "[PEER]\n"
		   "  Public Key = %s\n"
		   "Endpoint=192.0.2.1:51820\n"
		   "\n"
		   "[Peer]\n"
		   "PublicKey = %s\n"
		   "AllowedIPs = 10.0.0.4/32\n",
		   C, A, B, C);
}

static void test_find(void **state)
{
	char *in = hand_file();
	struct conf_doc d;
	struct wj_err e = {0};
	struct conf_block b;
	uint8_t none[WG_KEY_LEN];

	(void)state;
	memset(none, 0x44, sizeof(none));
	assert_int_equal(conf_doc_load(&d, in, strlen(in), &e), 0);
	assert_int_equal(conf_find_interface(&d, &b), 1);
	assert_int_equal(b.first, 0); /* "# main tunnel" is attached */
	assert_int_equal(b.header, 1);
	assert_int_equal(b.end, 5); /* up to "# Alice's laptop" */
	assert_int_equal(conf_find_peer(&d, KA, &b), 1);
	assert_int_equal(b.first, 5);
	assert_int_equal(b.header, 6);
	assert_int_equal(b.end, 11); /* the two Bob comment lines go with Bob */
	assert_int_equal(conf_find_peer(&d, KB, &b), 1);
	assert_int_equal(b.first, 11);
	assert_int_equal(b.header, 13);
	assert_int_equal(b.end, 17);
	/* C is also the interface's private key text: only the [Peer] counts */
	assert_int_equal(conf_find_peer(&d, KC, &b), 1);
	assert_int_equal(b.header, 17);
	assert_int_equal(b.end, d.n);
	assert_int_equal(conf_find_peer(&d, none, &b), 0);
	conf_doc_free(&d);
	free(in);
}

static void remove_key(const char *in, const uint8_t *key, const char *expect)
{
	struct conf_doc d;
	struct wj_err e = {0};
	struct conf_block b;
	char *out;

	assert_int_equal(conf_doc_load(&d, in, strlen(in), &e), 0);
	assert_int_equal(conf_find_peer(&d, key, &b), 1);
	assert_int_equal(conf_remove_block(&d, &b, &e), 0);
	out = edit_text(&d);
	assert_string_equal(out, expect);
	free(out);
	conf_doc_free(&d);
}

static void test_remove(void **state)
{
	char *in = hand_file(), *exp;

	(void)state;
	/* middle peer with its comment and both AllowedIPs lines */
	exp = fmt("# main tunnel\n[Interface]\nPrivateKey = %s # secret\nlistenport=51820\n\n"
		  "# Bob\n# (two comment lines)\n[PEER]\n  Public Key = %s\nEndpoint=192.0.2.1:51820\n\n"
		  "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.4/32\n",
		  C, B, C);
	remove_key(in, KA, exp);
	free(exp);
	/* last peer: the blank line before it goes too */
	exp = fmt("# main tunnel\n[Interface]\nPrivateKey = %s # secret\nlistenport=51820\n\n"
		  "# Alice's laptop\n[peer]\npublickey= %s\nAllowedIPs = 10.0.0.2/32\n"
		  "AllowedIPs = fd00::2/128 # v6 too\n\n"
		  "# Bob\n# (two comment lines)\n[PEER]\n  Public Key = %s\nEndpoint=192.0.2.1:51820\n",
		  C, A, B);
	remove_key(in, KC, exp);
	free(exp);
	free(in);
}

static void test_set_value(void **state)
{
	char *in = hand_file(), *out, *exp;
	struct conf_doc d;
	struct wj_err e = {0};
	struct conf_block b;

	(void)state;
	assert_int_equal(conf_doc_load(&d, in, strlen(in), &e), 0);
	/* in place: spelling, spacing and the trailing comment kept */
	assert_int_equal(conf_find_interface(&d, &b), 1);
	assert_int_equal(conf_set_value(&d, &b, "PrivateKey", A, &e), 1);
	/* missing: inserted after the block's last key line */
	assert_int_equal(conf_find_peer(&d, KB, &b), 1);
	assert_int_equal(conf_set_value(&d, &b, "PresharedKey", C, &e), 1);
	assert_int_equal(b.end, 18);
	/* "publickey= X": no space before the value is kept as is */
	assert_int_equal(conf_find_peer(&d, KA, &b), 1);
	assert_int_equal(conf_set_value(&d, &b, "PublicKey", C, &e), 1);
	/* several lines of one key: all replaced */
	assert_int_equal(conf_set_value(&d, &b, "AllowedIPs", "10.7.0.1/32", &e), 2);
	out = edit_text(&d);
	exp = fmt("# main tunnel\n"
		  "[Interface]\n"
		  "PrivateKey = %s # secret\n"
		  "listenport=51820\n"
		  "\n"
		  "# Alice's laptop\n"
		  "[peer]\n"
		  "publickey= %s\n"
		  "AllowedIPs = 10.7.0.1/32\n"
		  "AllowedIPs = 10.7.0.1/32 # v6 too\n"
		  "\n"
		  "# Bob\n"
		  "# (two comment lines)\n"
		  "[PEER]\n"
		  "  Public Key = %s\n"
		  "Endpoint=192.0.2.1:51820\n"
		  "PresharedKey = %s\n"
		  "\n"
		  "[Peer]\n"
		  "PublicKey = %s\n"
		  "AllowedIPs = 10.0.0.4/32\n",
		  A, C, B, C, C);
	assert_string_equal(out, exp);
	free(out);
	free(exp);
	conf_doc_free(&d);
	free(in);
}

static void test_set_value_comment_glued(void **state)
{
	const char *in = "[Interface]\nPrivateKey=old#c\nListenPort = 1";
	struct conf_doc d;
	struct wj_err e = {0};
	struct conf_block b;
	char *out;

	(void)state;
	assert_int_equal(conf_doc_load(&d, in, strlen(in), &e), 0);
	assert_int_equal(conf_find_interface(&d, &b), 1);
	assert_int_equal(conf_set_value(&d, &b, "PrivateKey", "new", &e), 1);
	assert_int_equal(conf_set_value(&d, &b, "FwMark", "7", &e), 1);
	out = edit_text(&d);
	/* the last line had no line end: the inserted line takes that place */
	assert_string_equal(out, "[Interface]\nPrivateKey=new #c\nListenPort = 1\nFwMark = 7");
	free(out);
	conf_doc_free(&d);
}

static void test_crlf_set_insert(void **state)
{
	const char *in = "[Interface]\r\nListenPort = 1\r\n\r\n[Peer]\r\nPublicKey = k\r\n";
	struct conf_doc d;
	struct wj_err e = {0};
	struct conf_block b;
	char *out;

	(void)state;
	assert_int_equal(conf_doc_load(&d, in, strlen(in), &e), 0);
	assert_true(d.crlf);
	assert_int_equal(conf_find_interface(&d, &b), 1);
	assert_int_equal(conf_set_value(&d, &b, "PrivateKey", "p", &e), 1);
	out = edit_text(&d);
	assert_string_equal(out, "[Interface]\r\nListenPort = 1\r\nPrivateKey = p\r\n\r\n[Peer]\r\nPublicKey = k\r\n");
	free(out);
	conf_doc_free(&d);
}

static void test_no_interface(void **state)
{
	const char *in = "# nothing\n[Peer]\nPublicKey = k\n";
	struct conf_doc d;
	struct wj_err e = {0};
	struct conf_block b;

	(void)state;
	assert_int_equal(conf_doc_load(&d, in, strlen(in), &e), 0);
	assert_int_equal(conf_find_interface(&d, &b), 0);
	assert_int_equal(conf_find_peer(&d, KA, &b), 0); /* "k" is no key */
	conf_doc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_set_value),
		cmocka_unit_test(test_set_value_comment_glued),
		cmocka_unit_test(test_crlf_set_insert),
		cmocka_unit_test(test_no_interface),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
