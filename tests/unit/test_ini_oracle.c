/* util/ini.c against Debian's libinih 55, driven the way wgjail drove it
 * before util/ini.c read INI itself (run-time settings that only Debian's
 * libinih has; FreeBSD's does not).  The same inputs - hand-picked corner
 * cases and 20,000 random files over an alphabet of the characters that
 * matter - must give the same callbacks (section, key, value, line), the
 * same result and the same error message, with every comment setting the
 * callers use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/ini.h"
#include "util/strutil.h"

/* ---- the callbacks, recorded as text ---------------------------------- */

struct rec {
	char out[1 << 16];
	size_t len;
	int fail_at; /* on_key fails on this line (0: never) */
};

static void put(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->out + r->len, sizeof(r->out) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += (size_t)n < sizeof(r->out) - r->len ? (size_t)n : sizeof(r->out) - r->len - 1;
}

static int on_section(void *user, const char *section, unsigned line, struct wj_err *e)
{
	put(user, "S[%s]@%u\n", section, line);
	if (!strcmp(section, "bad"))
		return wj_errf(e, "bad section at %u", line);
	return 0;
}

static int on_key(void *user, const char *section, const char *key, const char *value, unsigned line,
		  struct wj_err *e)
{
	struct rec *r = user;

	put(r, "K[%s][%s][%s]@%u\n", section, key, value, line);
	if ((int)line == r->fail_at)
		return wj_errf(e, "key refused at %u", line);
	return 0;
}

/* ---- the old driver: libinih with Debian's run-time settings ---------- */

struct old {
	const struct wj_ini *ini;
	const char *p, *end;
	unsigned line;
	struct wj_err *e;
	bool failed;
	char last[256];
};

static char *old_reader(char *str, int num, void *stream)
{
	struct old *st = stream;
	const char *nl;
	size_t len, keep;

	if (st->failed || st->p >= st->end)
		return NULL;
	nl = memchr(st->p, '\n', (size_t)(st->end - st->p));
	len = nl ? (size_t)(nl - st->p) : (size_t)(st->end - st->p);
	st->line++;
	if (memchr(st->p, '\0', len)) {
		wj_errf(st->e, "%s:%u: the line contains a NUL byte", st->ini->path, st->line);
		st->failed = true;
		return NULL;
	}
	keep = len;
	if (keep && st->p[keep - 1] == '\r')
		keep--;
	if (keep + 2 > (size_t)num) {
		wj_errf(st->e, "%s:%u: line too long (%zu bytes, limit %u)", st->ini->path, st->line, keep,
			WJ_INI_MAX_LINE - 3);
		st->failed = true;
		return NULL;
	}
	memcpy(str, st->p, keep);
	str[keep] = '\0';
	st->p += len + (nl ? 1 : 0);
	if (st->line == 1 && keep >= 3 && memcmp(str, "\xef\xbb\xbf", 3) == 0)
		memmove(str, str + 3, keep - 2);
	wj_quote(str, st->last, sizeof(st->last));
	if (st->ini->on_section) {
		char *s = str;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (close) {
				char name[256];
				size_t n = (size_t)(close - s - 1);
				if (n >= sizeof(name))
					n = sizeof(name) - 1;
				memcpy(name, s + 1, n);
				name[n] = '\0';
				if (st->ini->on_section(st->ini->user, wj_trim(name), st->line, st->e) < 0) {
					st->failed = true;
					return NULL;
				}
			}
		}
	}
	strcat(str, "\n");
	return str;
}

static int old_handler(void *user, const char *section, const char *name, const char *value)
{
	struct old *st = user;

	if (st->failed)
		return 0;
	if (st->ini->on_key &&
	    st->ini->on_key(st->ini->user, section, name, value ? value : "", st->line, st->e) < 0) {
		st->failed = true;
		return 0;
	}
	return 1;
}

/* The line buffer libinih starts with: the old driver's WJ_INI_MAX_LINE,
 * unless a test whose lines are all short says otherwise (random_files). */
static int old_initial_alloc = WJ_INI_MAX_LINE;

static int old_parse(const struct wj_ini *ini, const char *text, size_t len, struct wj_err *e)
{
	struct old st = {.ini = ini, .p = text, .end = text + len, .e = e};
	int r;

	ini_allow_multiline = false;
	ini_allow_bom = false;
	ini_start_comment_prefixes = (char *)(ini->comment_prefixes ? ini->comment_prefixes : "#;");
	ini_allow_inline_comments = ini->inline_comment_prefixes && *ini->inline_comment_prefixes;
	ini_inline_comment_prefixes = (char *)(ini->inline_comment_prefixes ? ini->inline_comment_prefixes : "");
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_initial_alloc = old_initial_alloc;
	ini_max_line = WJ_INI_MAX_LINE;
	ini_stop_on_first_error = true;
	ini_allow_no_value = false;
	r = ini_parse_stream(old_reader, &st, old_handler, &st);
	if (st.failed)
		r = -1;
	else if (r == -2)
		r = wj_errf(e, "%s: out of memory", ini->path);
	else if (r != 0)
		r = wj_errf(e, "%s:%d: cannot parse line '%s' (expected [Section] or Key = Value)", ini->path, r,
			    st.last);
	return r;
}

/* ---- comparison --------------------------------------------------------- */

/* The settings the callers use: jail.conf ("#;" both ways), no comment
 * prefix at all, the unit tests' ("#"), the defaults. */
static const struct setting {
	const char *comment, *inline_comment;
} settings[] = {
	{"#;", "#;"},
	{"", ""},
	{"#", "#"},
	{NULL, NULL},
};

static void same(const char *text, size_t len, int fail_at)
{
	for (size_t s = 0; s < sizeof(settings) / sizeof(*settings); s++) {
		static struct rec a, b;
		struct wj_ini ini = {.path = "f.ini",
				     .on_section = on_section,
				     .on_key = on_key,
				     .comment_prefixes = settings[s].comment,
				     .inline_comment_prefixes = settings[s].inline_comment};
		struct wj_err ea, eb;
		int ra, rb;

		a.out[0] = b.out[0] = '\0';
		a.len = b.len = 0;
		a.fail_at = b.fail_at = fail_at;
		wj_err_clear(&ea);
		wj_err_clear(&eb);
		ini.user = &a;
		ra = old_parse(&ini, text, len, &ea);
		ini.user = &b;
		rb = wj_ini_parse(&ini, text, len, &eb);
		if ((ra != 0) != (rb != 0) || strcmp(a.out, b.out) != 0 || strcmp(ea.msg, eb.msg) != 0) {
			char q[512];
			wj_quote(text, q, sizeof(q));
			fail_msg("setting %zu, input '%s':\nlibinih (%d, %s):\n%s\nutil/ini.c (%d, %s):\n%s", s, q, ra,
				 ea.msg, a.out, rb, eb.msg, b.out);
		}
	}
}

static void corner_cases(void **state)
{
	static const char *const cases[] = {
		"",
		"\n\n",
		"[Interface]\nPrivateKey = abc\n",
		"\xef\xbb\xbf[A]\nx=1\n",
		"x=1\n[A]\n",
		"[A] trailing\nk : v\n",
		"[A ;c]\n",
		"[A;c]\nk=v\n",
		"[A #c]\n",
		"[]\n=\n",
		"[A]\n = v\n",
		"[A]\nk = v ;comment\nk2 = v;notcomment\n",
		"[A]\nk = v #c\nk2=v#n\n",
		"[A]\nk =  ;c\n",
		"[A]\nk:v=w\nk=v:w\n",
		"[A]\nnovalue\n",
		"[A]\n;comment\n#comment\n  ; indented\n",
		"[A]\nk ;c = v\n",
		"[A]\r\nk=v\r\n",
		"[A]\nk=v\rx\n",
		"[A]\n\tk\t=\tv\t\n",
		"[bad]\nk=v\n",
		"[A]\nk=v\n[B]\n[C\nk=v\n",
		"[A]\nk=1\nk=2\nk=3\n",
		"[0123456789012345678901234567890123456789012345678901234567890123456789]\nk=v\n",
		"[A]\nx=1\0\n",
		"[A]\nlast=line-without-newline",
		"[A]]\nk=v\n",
		"[[A]\nk=v\n",
		"   [A]   \nk=v\n",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t len = strlen(cases[i]);
		if (i == 25)
			len = 9; /* the NUL byte case */
		same(cases[i], len, 0);
		same(cases[i], len, 2);
	}
}

static void long_lines(void **state)
{
	size_t n = WJ_INI_MAX_LINE + 16;
	char *t = malloc(n + 32);

	assert_non_null(t);
	/* one byte under the limit, at it, over it */
	for (size_t v = WJ_INI_MAX_LINE - 8; v < WJ_INI_MAX_LINE; v++) {
		int k = snprintf(t, 32, "[A]\nk=");
		memset(t + k, 'a', v);
		t[k + v] = '\n';
		same(t, (size_t)k + v + 1, 0);
	}
	free(t);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Every line of these files is shorter than 161 bytes, so a 256-byte
 * first buffer never limits a line: libinih's realloc loop and the old
 * reader's "line too long" cannot trigger, exactly as with the old
 * driver's 1 MiB buffer - the same callbacks, results and errors.  The
 * 1 MiB buffer (kept for corner_cases and long_lines, where the limit is
 * the point) costs an mmap per call under ASan: 80,000 of them took
 * minutes. */
static void random_files(void **state)
{
	static const char alphabet[] = "[]=:;# \t\rakAK\n\n\n";
	char text[161];
	_Static_assert(sizeof(text) + 2 <= 256, "a line must fit the 256-byte first buffer");

	old_initial_alloc = 256;

	for (int i = 0; i < 20000; i++) {
		size_t len = next() % (sizeof(text) - 1);
		for (size_t j = 0; j < len; j++)
			text[j] = alphabet[next() % (sizeof(alphabet) - 1)];
		text[len] = '\0';
		if (next() % 16 == 0 && len >= 3)
			memcpy(text, "\xef\xbb\xbf", 3);
		same(text, len, (int)(next() % 6));
	}
	old_initial_alloc = WJ_INI_MAX_LINE;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(corner_cases),
		cmocka_unit_test(long_lines),
		cmocka_unit_test(random_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
