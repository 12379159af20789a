/* wg/conf_sections.c and wg/conf_delta.c: the cut of a wg0.conf into
 * sections and the delta between two files, case by case and on random
 * edits checked against the full cut, the slow comparison and the real
 * parser (tests/fuzz/conf_delta_check.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/conf_delta_check.h"

#define K1 "mG3/xFz1Fk2nXnhgVJ0VQvwcs4tB2S4EXsmQXq2kXXE="
#define K2 "GsBpXK2M8mu4YiuIsyeiZMS6dyvUHD2mB8TOTEG58Fs="
#define K3 "0WcWU2/pR8kvBBSebSMNlYdlnBqSRTYGDwjV5Ga/3jE="
#define PRIV "oAkCsl6kvX2fxgRZVX6J7ir8X3tGf0GRY8d1X7gnc3M="

static int cut(const char *t, bool unique, struct conf_sections *s)
{
	return wg_conf_sections(t, strlen(t), unique, s);
}

static void test_cut_basic(void **st)
{
	const char *t = "# preamble\n[Interface]\nPrivateKey = " PRIV "\n\n[Peer]\nPublicKey = " K1
			"\nEndpoint = 192.0.2.1:1\n[Peer]\n  Public Key= " K2 " # a comment\nEndpoint = [2001:db8::1]:2\n";
	struct conf_sections s;

	(void)st;
	assert_int_equal(cut(t, true, &s), WG_SECTIONS_OK);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.n_peers, 2);
	assert_int_equal(s.v[0].kind, CONF_PREAMBLE);
	assert_int_equal(s.v[1].kind, CONF_IFACE);
	assert_int_equal(s.v[2].kind, CONF_PEER);
	assert_memory_equal(t + s.v[2].key, K1, WG_KEY_B64_LEN);
	assert_memory_equal(t + s.v[3].key, K2, WG_KEY_B64_LEN);
	assert_int_equal(s.v[3].off + s.v[3].len, strlen(t)); /* the spans cover the text */
	assert_false(s.hostname);
	wg_conf_sections_free(&s);
}

static void test_cut_unsure(void **st)
{
	static const char *const bad[] = {
		"\xef\xbb\xbf[Interface]\n",                                   /* a byte-order mark */
		"[Interface]\n[Peer] x\nPublicKey = " K1 "\n",               /* junk after a header */
		"[Interfaces]\n",                                              /* unknown section */
		"[Peer]\nAllowedIPs = 10.0.0.0/8\n",                          /* no key */
		"[Peer]\nPublicKey = " K1 "\nPublicKey = " K2 "\n",          /* two keys */
		"[Peer]\nPublicKey = mG3/xFz1Fk2nXnhgVJ0VQvwcs4tB2S4EXsmQXq2kXXF=\n", /* not canonical */
		"[Peer]\nPublicKey = mG3/xFz1Fk2nXnhgVJ0VQvwcs4tB2S4E XsmQXq2kXXE=\n", /* inner blank */
		"[Peer]\nPublicKey = " K1 "\n[Peer]\nPublicKey = " K1 "\n",  /* the same key twice */
	};
	struct conf_sections s;

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(cut(bad[i], true, &s), WG_SECTIONS_UNSURE);
		assert_null(s.v);
	}
	/* a NUL byte */
	assert_int_equal(wg_conf_sections("[Peer]\0", 7, true, &s), WG_SECTIONS_UNSURE);
	/* the same key twice is fine when not asked */
	assert_int_equal(cut(bad[7], false, &s), WG_SECTIONS_OK);
	wg_conf_sections_free(&s);
}

static void test_cut_lines(void **st)
{
	struct conf_sections s;

	(void)st;
	/* "# [Peer]" is a comment; " [ Peer ]" a header; CRLF lines */
	assert_int_equal(cut("[Interface]\r\n# [Peer]\r\n [ peer ] \r\nPublicKey = " K1 "\r\n", true, &s),
			 WG_SECTIONS_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.n_peers, 1);
	wg_conf_sections_free(&s);
	/* a host name is flagged, addresses are not */
	assert_int_equal(cut("[Peer]\nPublicKey = " K1 "\nEndpoint = vpn.example.org:51820\n", true, &s),
			 WG_SECTIONS_OK);
	assert_true(s.hostname);
	wg_conf_sections_free(&s);
	assert_int_equal(cut("[Peer]\nPublicKey = " K1 "\nEndpoint = 192.0.2.1:51820\n[Peer]\nPublicKey = " K2
			     "\nEndpoint=[fd00::1]:1\n",
			     true, &s),
			 WG_SECTIONS_OK);
	assert_false(s.hostname);
	wg_conf_sections_free(&s);
}

static void test_check_refuses(void **st)
{
	const char *t = "# p\n[Interface]\n[Peer]\nPublicKey = " K1 "\n";
	struct conf_sections s;
	struct conf_span bad[3];

	(void)st;
	assert_int_equal(cut(t, true, &s), WG_SECTIONS_OK);
	assert_int_equal(s.n, 3);
	memcpy(bad, s.v, sizeof(bad));
	assert_int_equal(wg_conf_spans_check(bad, 3, strlen(t), true), WG_SECTIONS_OK);
	assert_int_equal(wg_conf_spans_check(bad, 2, strlen(t), true), WG_SECTIONS_UNSURE);
	assert_int_equal(wg_conf_spans_check(bad, 3, strlen(t) - 1, true), WG_SECTIONS_UNSURE);
	/* a preamble is the start of a file */
	assert_int_equal(wg_conf_spans_check(bad, 3, strlen(t), false), WG_SECTIONS_UNSURE);
	bad[2].key = bad[2].off + bad[2].len - 10; /* a key running out of its span */
	assert_int_equal(wg_conf_spans_check(bad, 3, strlen(t), true), WG_SECTIONS_UNSURE);
	memcpy(bad, s.v, sizeof(bad));
	bad[2].off++; /* a gap */
	assert_int_equal(wg_conf_spans_check(bad, 3, strlen(t), true), WG_SECTIONS_UNSURE);
	memcpy(bad, s.v, sizeof(bad));
	bad[2].kind = 7;
	assert_int_equal(wg_conf_spans_check(bad, 3, strlen(t), true), WG_SECTIONS_UNSURE);
	wg_conf_sections_free(&s);
}

static void test_delta_cases(void **st)
{
	const char *a = "[Interface]\nPrivateKey = " PRIV "\n\n[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.1.0.0/16\n\n"
			"[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.2.0.0/16\n";
	const char *b = "[Interface]\nPrivateKey = " PRIV "\n\n[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.1.0.0/24\n\n"
			"[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.2.0.0/16\n\n[Peer]\nPublicKey = " K3 "\n";
	struct conf_sections os, ns;
	struct conf_delta d;

	(void)st;
	assert_int_equal(cut(a, true, &os), WG_SECTIONS_OK);
	assert_int_equal(wg_conf_delta_flat(a, strlen(a), &os, b, strlen(b), 0, &ns, &d), WG_SECTIONS_OK);
	/* K1 changed, K3 added; K2's section gained the blank line before K3 */
	assert_int_equal(d.n_new, 3);
	assert_int_equal(d.n_old, 2);
	assert_int_equal(d.n_gone, 0);
	wg_conf_delta_free(&d);
	wg_conf_sections_free(&ns);
	/* the same text: nothing */
	assert_int_equal(wg_conf_delta_flat(a, strlen(a), &os, a, strlen(a), 0, &ns, &d), WG_SECTIONS_OK);
	assert_int_equal(d.n_new + d.n_old, 0);
	assert_int_equal(ns.n, os.n);
	wg_conf_delta_free(&d);
	wg_conf_sections_free(&ns);
	/* a key moved onto another section's: unsure (the same key twice) */
	{
		char *dup = strdup(a);
		memcpy(strstr(dup, K2), K1, WG_KEY_B64_LEN);
		assert_int_equal(wg_conf_delta_flat(a, strlen(a), &os, dup, strlen(dup), 0, &ns, &d), WG_SECTIONS_UNSURE);
		free(dup);
	}
	wg_conf_sections_free(&os);
	conf_delta_check(a, strlen(a), b, strlen(b));
	/* an edit that takes a header away: the section joins the one before
	 * (here the edit starts after the header line's first byte) */
	{
		const char *a2 = "[Interface]\nPrivateKey = " PRIV "\n\n [Peer]\nPublicKey = " K1 "\n";
		char *lost = strdup(a2);
		strchr(lost + 20, '[')[0] = '#'; /* " #Peer]": PublicKey joins [Interface] */
		assert_int_equal(conf_delta_check(a2, strlen(a2), lost, strlen(lost)), 2);
		free(lost);
	}
	conf_delta_check(b, strlen(b), a, strlen(a));
}

/* ---- random edits of random files, checked by conf_delta_check --------- */

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffff;
}

static void rand_key(unsigned *s, char out[WG_KEY_B64_LEN + 1])
{
	uint8_t k[WG_KEY_LEN];

	for (int i = 0; i < WG_KEY_LEN; i++)
		k[i] = (uint8_t)rnd(s);
	key_to_base64(out, k);
}

/* A file of up to 10 peers with distinct keys out of NKEYS. */
static size_t gen(unsigned *s, char *buf, size_t cap, char keys[][WG_KEY_B64_LEN + 1], int nkeys)
{
	size_t n = (size_t)snprintf(buf, cap, "[Interface]\nPrivateKey = %s\nListenPort = %u\n", PRIV, 1000 + rnd(s) % 9);
	int order[32], count = (int)(rnd(s) % 11);

	for (int i = 0; i < nkeys; i++)
		order[i] = i;
	for (int i = nkeys - 1; i > 0; i--) {
		int j = (int)(rnd(s) % (unsigned)(i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < count && n < cap; i++) {
		const char *k = keys[order[i]];
		n += (size_t)snprintf(buf + n, cap - n, "%s[Peer]\nPublicKey = %s\nAllowedIPs = 10.%u.0.0/16\n%s",
				      rnd(s) % 3 ? "\n" : "# c\n", k, rnd(s) % 4,
				      rnd(s) % 5 ? "" : "Endpoint = 192.0.2.1:5\n");
	}
	return n < cap ? n : cap - 1;
}

/* A local edit: a run of bytes replaced by a piece of another file. */
static size_t edit(unsigned *s, const char *a, size_t an, const char *b, size_t bn, char *out)
{
	size_t at = an ? rnd(s) % an : 0, cutlen = rnd(s) % 60, from = bn ? rnd(s) % bn : 0,
	       take = rnd(s) % 80, n = 0;

	if (at + cutlen > an)
		cutlen = an - at;
	if (from + take > bn)
		take = bn - from;
	memcpy(out, a, at);
	n = at;
	memcpy(out + n, b + from, take);
	n += take;
	memcpy(out + n, a + at + cutlen, an - at - cutlen);
	return n + an - at - cutlen;
}

static void test_delta_random(void **st)
{
	char keys[16][WG_KEY_B64_LEN + 1], a[8192], b[8192], c[16384];
	unsigned s = 12345, compared = 0, unsure = 0;

	(void)st;
	for (int i = 0; i < 16; i++)
		rand_key(&s, keys[i]);
	for (int round = 0; round < 3000; round++) {
		size_t an = gen(&s, a, sizeof(a), keys, 16), bn = gen(&s, b, sizeof(b), keys, 16);
		size_t cn = edit(&s, a, an, b, bn, c);
		int r[3];

		r[0] = conf_delta_check(a, an, c, cn);
		r[1] = conf_delta_check(c, cn, a, an);
		r[2] = conf_delta_check(a, an, b, bn);
		for (int i = 0; i < 3; i++) {
			compared += r[i] == 2;
			unsure += r[i] == 1;
		}
	}
	/* the checks ran on both kinds of outcome, many times */
	print_message("%u deltas compared, %u unsure\n", compared, unsure);
	assert_true(compared > 3000);
	assert_true(unsure > 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_basic),       cmocka_unit_test(test_cut_unsure),
		cmocka_unit_test(test_cut_lines),       cmocka_unit_test(test_check_refuses),
		cmocka_unit_test(test_delta_cases),     cmocka_unit_test(test_delta_random),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
