/* wg/conf_lex.c: wg(8)'s line rules in one place - line ends (LF, CRLF, a
 * last line without one), comments, whitespace anywhere, the kinds of
 * lines, key and value spans, section headers, NUL, long lines, the
 * byte-order mark - and the parser's limits that follow from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "keys/keys.h"
#include "util/strutil.h"
#include "wg/conf_lex.h"
#include "wg/config.h"

/* The tokens of TEXT (at most 16). */
static size_t lex_all(const char *text, size_t len, struct conf_tok *t)
{
	struct conf_lex lx;
	size_t n = 0;

	conf_lex_init(&lx, text, len);
	while (n < 16 && conf_lex_next(&lx, &t[n]))
		n++;
	return n;
}

static void span_is(const char *text, size_t a, size_t b, const char *want)
{
	assert_int_equal(b - a, strlen(want));
	assert_memory_equal(text + a, want, b - a);
}

/* The lexer's whitespace table and util's wj_isspace are one set: the C
 * locale's isspace. */
static void test_ws_is_wj_isspace(void **st)
{
	(void)st;
	for (int c = 0; c < 256; c++) {
		assert_int_equal(conf_is_ws((char)c), wj_isspace(c));
		assert_int_equal(wj_isspace(c), c < 128 && isspace(c));
	}
}

static void test_line_ends(void **st)
{
	static const char text[] = "a=1\r\nb=2\n\nc=3\r";
	struct conf_tok t[16];
	size_t n = lex_all(text, sizeof(text) - 1, t);

	(void)st;
	assert_int_equal(n, 4);
	assert_int_equal(t[0].flags & (CONF_LEX_EOL | CONF_LEX_CRLF), CONF_LEX_EOL | CONF_LEX_CRLF);
	span_is(text, t[0].off, t[0].end, "a=1");
	assert_int_equal(t[0].next, 5);
	assert_int_equal(t[1].flags & (CONF_LEX_EOL | CONF_LEX_CRLF), CONF_LEX_EOL);
	assert_int_equal(t[2].kind, CONF_LEX_BLANK);
	/* the last line: no line end, its '\r' kept in the line (the editor
	 * writes the bytes back as they were) */
	assert_int_equal(t[3].flags & (CONF_LEX_EOL | CONF_LEX_CRLF), 0);
	span_is(text, t[3].off, t[3].end, "c=3\r");
	span_is(text, t[3].vs, t[3].ve, "3");
	for (size_t i = 0; i < n; i++)
		assert_int_equal(t[i].line, i + 1);
	assert_int_equal(t[3].next, sizeof(text) - 1);
}

static void test_kinds_and_spans(void **st)
{
	static const char text[] = "  \t\n"
				   " # only a comment\n"
				   " [ Peer ] # c\n"
				   "Public Key = ab cd # x = y\n"
				   "x = \n"
				   "no equals sign\n"
				   "a#=b\n"
				   "\v\fPostUp = echo  hi\t\n";
	struct conf_tok t[16];
	size_t n = lex_all(text, sizeof(text) - 1, t);

	(void)st;
	assert_int_equal(n, 8);
	assert_int_equal(t[0].kind, CONF_LEX_BLANK);
	assert_int_equal(t[1].kind, CONF_LEX_COMMENT);
	assert_int_equal(t[2].kind, CONF_LEX_SECTION);
	assert_int_equal(conf_lex_section(text, &t[2]), CONF_SEC_PEER);
	assert_int_equal(t[3].kind, CONF_LEX_KEY);
	span_is(text, t[3].ks, t[3].ke, "Public Key");
	span_is(text, t[3].vs, t[3].ve, "ab cd");
	assert_true(conf_lex_key_is(text, &t[3], "publickey"));
	assert_false(conf_lex_key_is(text, &t[3], "publickeys"));
	assert_false(conf_lex_key_is(text, &t[3], "public"));
	assert_int_equal(t[4].kind, CONF_LEX_KEY);
	assert_int_equal(t[4].ve - t[4].vs, 0);
	assert_int_equal(t[5].kind, CONF_LEX_OTHER);
	assert_int_equal(t[6].kind, CONF_LEX_OTHER); /* the '=' is in the comment */
	assert_int_equal(t[7].kind, CONF_LEX_KEY);
	span_is(text, t[7].ks, t[7].ke, "PostUp");
	span_is(text, t[7].vs, t[7].ve, "echo  hi");
	assert_true(conf_lex_key_is(text, &t[7], "postup"));
	assert_int_equal(lex_all("", 0, t), 0);
	assert_int_equal(lex_all("\n", 1, t), 1);
	assert_int_equal(t[0].kind, CONF_LEX_BLANK);
}

static enum conf_lex_section sec(const char *line)
{
	struct conf_tok t[16];

	assert_int_equal(lex_all(line, strlen(line), t), 1);
	assert_int_equal(t[0].kind, CONF_LEX_SECTION);
	return conf_lex_section(line, &t[0]);
}

static void test_sections(void **st)
{
	(void)st;
	assert_int_equal(sec("[Interface]"), CONF_SEC_INTERFACE);
	assert_int_equal(sec("[iNtErFaCe]"), CONF_SEC_INTERFACE);
	assert_int_equal(sec(" [ Inter face ] # x"), CONF_SEC_INTERFACE);
	assert_int_equal(sec("[PEER]"), CONF_SEC_PEER);
	assert_int_equal(sec("[Peer"), CONF_SEC_UNCLOSED);
	assert_int_equal(sec("[Peer # ]"), CONF_SEC_UNCLOSED); /* the ']' is in the comment */
	assert_int_equal(sec("[Peer]x"), CONF_SEC_TRAILING);
	assert_int_equal(sec("[Peer] = 1"), CONF_SEC_TRAILING);
	assert_int_equal(sec("[Interface]]"), CONF_SEC_TRAILING);
	assert_int_equal(sec("[Pe]er"), CONF_SEC_UNKNOWN);
	assert_int_equal(sec("[Peers]"), CONF_SEC_UNKNOWN);
	assert_int_equal(sec("[]"), CONF_SEC_UNKNOWN);
}

static void test_nul_bom_long(void **st)
{
	static const char nul[] = "a=1\nb=\0\nc=3\n";
	static const char bom[] = "\xef\xbb\xbf[Interface]\n";
	struct conf_tok t[16];
	size_t n, max = CONF_LEX_MAX_LINE;
	char *big = malloc(max + 3);

	(void)st;
	n = lex_all(nul, sizeof(nul) - 1, t);
	assert_int_equal(n, 3);
	assert_int_equal(t[0].flags & CONF_LEX_NUL, 0);
	assert_int_equal(t[1].flags & CONF_LEX_NUL, CONF_LEX_NUL);
	assert_int_equal(t[2].flags & CONF_LEX_NUL, 0);
	n = lex_all(bom, sizeof(bom) - 1, t);
	assert_int_equal(n, 1);
	assert_int_equal(t[0].flags & CONF_LEX_BOM, CONF_LEX_BOM);
	assert_int_equal(t[0].kind, CONF_LEX_SECTION);
	assert_int_equal(conf_lex_section(bom, &t[0]), CONF_SEC_INTERFACE);
	/* only at the start of the file: elsewhere it is three bytes of a line */
	{
		struct conf_lex lx;
		conf_lex_init_at(&lx, bom, 0, sizeof(bom) - 1, 4);
		assert_true(conf_lex_next(&lx, &t[0]));
		assert_int_equal(t[0].flags & CONF_LEX_BOM, 0);
		assert_int_equal(t[0].kind, CONF_LEX_OTHER);
		assert_int_equal(t[0].line, 5);
	}
	/* exactly the limit, then one byte more; a CR before the line end
	 * does not count */
	assert_non_null(big);
	memset(big, '#', max);
	big[max] = '\r';
	big[max + 1] = '\n';
	assert_int_equal(lex_all(big, max + 2, t), 1);
	assert_int_equal(t[0].flags & CONF_LEX_LONG, 0);
	big[max] = '#';
	assert_int_equal(lex_all(big, max + 2, t), 1);
	assert_int_equal(t[0].flags & CONF_LEX_LONG, CONF_LEX_LONG);
	free(big);
}

static void test_squeeze(void **st)
{
	char out[8];

	(void)st;
	assert_int_equal(conf_lex_squeeze(" a b\tc ", 7, out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(conf_lex_squeeze("abcdefghij", 10, out, sizeof(out)), 10);
	assert_string_equal(out, "abcdefg");
	assert_true(conf_lex_squeezed_is(" Gen erate ", 11, "generate"));
	assert_false(conf_lex_squeezed_is("generated", 9, "generate"));
	assert_false(conf_lex_squeezed_is("gen", 3, "generate"));
}

/* The parser reads lines through the lexer: its limits are the lexer's. */
static void test_parser_limits(void **st)
{
	size_t max = CONF_LEX_MAX_LINE, len;
	char *text = malloc(max + 64);
	struct wg_device *d = NULL;
	struct wj_err e = {0};

	(void)st;
	assert_non_null(text);
	len = (size_t)sprintf(text, "[Interface]\n");
	memset(text + len, ' ', max);
	memcpy(text + len + max - 12, "ListenPort=1", 12);
	len += max;
	text[len++] = '\n';
	assert_int_equal(wg_config_parse(text, len, "t.conf", &d, &e), 0);
	assert_int_equal(d->listen_port, 1);
	wg_device_free(d);
	memmove(text + 13, text + 12, len - 12);
	text[12] = ' ';
	len++;
	assert_int_equal(wg_config_parse(text, len, "t.conf", &d, &e), -1);
	assert_non_null(strstr(e.msg, "t.conf:2: line too long"));
	free(text);
	/* wg(8)'s order: a header without ']' is refused as such; a closed
	 * header first ends the section before it */
	assert_int_equal(wg_config_parse("[Peer]\n[x\n", 10, "t.conf", &d, &e), -1);
	assert_non_null(strstr(e.msg, "t.conf:2: '[x': a section header without ']'"));
	assert_int_equal(wg_config_parse("[Peer]\n[Bogus]\n", 15, "t.conf", &d, &e), -1);
	assert_non_null(strstr(e.msg, "t.conf:1: this [Peer] has no PublicKey"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_ends),   cmocka_unit_test(test_kinds_and_spans),
		cmocka_unit_test(test_sections),    cmocka_unit_test(test_nul_bom_long),
		cmocka_unit_test(test_squeeze),     cmocka_unit_test(test_parser_limits),
		cmocka_unit_test(test_ws_is_wj_isspace),
	};

	if (keys_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
