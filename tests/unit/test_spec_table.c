/* The jail spec's table of keys (agent/jailspec_keys.c): what every row
 * says holds for parsing, writing and validating, and the manuals list
 * exactly the table's keys and options, with their ranges, defaults and
 * repeatability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jailspec.h"
#include "agent/jailspec_keys.h"
#include "util/err.h"

static const char *section_name(const struct spec_key *k)
{
	return jailspec_sections[k->section];
}

/* A valid value of K, for the tests below: the Jth of a list (values a
 * list may hold together). */
static const char *sample_n(const struct spec_key *k, unsigned j, char *buf, size_t sz)
{
	if (!strcmp(k->key, "publish")) {
		snprintf(buf, sz, "tcp:%u:80", 8080 + j);
		return buf;
	}
	if (!strcmp(k->key, "host_allow")) {
		snprintf(buf, sz, "udp:%u", 22 + j);
		return buf;
	}
	if (!strcmp(k->key, "host_link")) {
		snprintf(buf, sz, "%s", j ? "fd00:7::1/126" : "169.254.7.1/30");
		return buf;
	}
	switch (k->type) {
	case SPEC_UINT: snprintf(buf, sz, "%ju", (uintmax_t)k->max); break;
	case SPEC_ENUM: snprintf(buf, sz, "%s", k->names[1] ? k->names[1] : k->names[0]); break;
	case SPEC_PREFIX: snprintf(buf, sz, "10.1.2.3/24"); break;
	case SPEC_ADDR: snprintf(buf, sz, "10.1.2.1"); break;
	case SPEC_TEXT:
		if (!strcmp(k->key, "endpoint"))
			snprintf(buf, sz, "vpn.example.org:51820");
		else if (!strcmp(k->key, "root"))
			snprintf(buf, sz, "/jails/x");
		else
			snprintf(buf, sz, "wgx1");
		break;
	}
	return buf;
}

static const char *sample(const struct spec_key *k, char *buf, size_t sz)
{
	return sample_n(k, 0, buf, sz);
}

/* What the value of K needs from other keys to be valid (issue 17's keys
 * say how a jail is reached, which depends on its uplink). */
static void prerequisites(const struct spec_key *k, struct jail_spec *s)
{
	char why[128];

	if (!strcmp(k->key, "nat") || !strcmp(k->key, "publish")) {
		assert_null(spec_key_set(spec_key_find(SPEC_JAIL, "address"), s, "10.66.0.2/24", why, sizeof(why)));
		assert_null(spec_key_set(spec_key_find(SPEC_JAIL, "gateway"), s, "10.66.0.1", why, sizeof(why)));
		s->nat = JAIL_YES;
	}
	if (!strcmp(k->key, "host_link") || !strcmp(k->key, "host_allow"))
		s->uplink = UPLINK_WIREGUARD;
	if (!strcmp(k->key, "host_allow"))
		assert_null(spec_key_set(spec_key_find(SPEC_JAIL, "host_link"), s, "169.254.7.1/30", why, sizeof(why)));
}

/* Every row: a valid value is taken, written by jailspec_format and read
 * back the same; a list takes max_items values and refuses one more;
 * a number one past either end of its range is refused by the file and
 * by `create`'s option (the same words). */
static void rows_parse_format_validate(void **st)
{
	(void)st;
	assert_true(jailspec_nkeys > 0 && jailspec_nkeys <= SPEC_KEYS_MAX);
	for (size_t i = 0; i < jailspec_nkeys; i++) {
		const struct spec_key *k = &jailspec_keys[i];
		struct jail_spec a, b;
		struct wj_err e = {0};
		char v[128], v0[128], why[128], text[2048], out[128];
		char *f;
		unsigned n = k->max_items ? k->max_items : 1;

		assert_non_null(k->key);
		assert_non_null(k->help);
		assert_ptr_equal(spec_key_find(k->section, k->key), k);
		jailspec_defaults(&a, "vpn1");
		assert_true(spec_key_is_default(k, &a));
		for (unsigned j = 0; j < n; j++)
			if (spec_key_set(k, &a, sample_n(k, j, v, sizeof(v)), why, sizeof(why)))
				fail_msg("%s: '%s' refused", k->key, v);
		if (k->max_items)
			assert_non_null(spec_key_set(k, &a, v, why, sizeof(why)));
		assert_int_equal(spec_key_count(k, &a), n);
		assert_string_equal(spec_key_format(k, &a, 0, out, sizeof(out)), sample(k, v0, sizeof(v0)));
		prerequisites(k, &a);
		if (!strcmp(k->key, "gateway")) /* needs a jail address of its family */
			continue;
		if (jailspec_validate(&a, &e) < 0)
			fail_msg("%s = %s: %s", k->key, v, e.msg);
		assert_non_null(f = jailspec_format(&a));
		assert_int_equal(jailspec_parse(f, strlen(f), "x", "vpn1", &b, &e), 0);
		free(f);
		assert_memory_equal(&a, &b, sizeof(a));

		if (k->type == SPEC_UINT) {
			snprintf(text, sizeof(text), "[%s]\n%s = %ju\n", section_name(k), k->key,
				 (uintmax_t)k->max + 1);
			assert_int_equal(jailspec_parse(text, strlen(text), "s.conf", "vpn1", &b, &e), -1);
			snprintf(why, sizeof(why), "from %ju to %ju", (uintmax_t)k->min, (uintmax_t)k->max);
			if (!strstr(e.msg, why) || !strstr(e.msg, "s.conf:2:"))
				fail_msg("%s: '%s' lacks '%s'", k->key, e.msg, why);
			if (k->min) {
				snprintf(text, sizeof(text), "[%s]\n%s = %ju\n", section_name(k), k->key,
					 (uintmax_t)k->min - 1);
				assert_int_equal(jailspec_parse(text, strlen(text), "s.conf", "vpn1", &b, &e), -1);
			}
		}
		if (k->type == SPEC_ENUM) {
			snprintf(text, sizeof(text), "[%s]\n%s = nosuch\n", section_name(k), k->key);
			assert_int_equal(jailspec_parse(text, strlen(text), "s.conf", "vpn1", &b, &e), -1);
			if (!strstr(e.msg, k->names[0]))
				fail_msg("%s: '%s' does not list the names", k->key, e.msg);
		}
	}
}

/* The uplink's names come from one table, both ways. */
static void uplink_names(void **st)
{
	enum jail_uplink u;

	(void)st;
	for (int i = 0; i < UPLINK_KINDS; i++) {
		assert_int_equal(uplink_from_name(uplink_name((enum jail_uplink)i), &u), 0);
		assert_int_equal(u, i);
	}
	assert_int_equal(uplink_from_name("tunnel", &u), -1);
	assert_string_equal(uplink_name(UPLINK_WIREGUARD), "wireguard");
	assert_string_equal(impl_name(IMPL_USERSPACE), "userspace");
}

/* Lines of a manual: the list's item heads and their bodies. */
struct item {
	char head[512];
	char body[1024];
};

static int read_items(const char *path, const char *start, const char *stop, struct item *it, int max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool in = false;
	int n = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!in) {
			in = !strcmp(line, start);
			continue;
		}
		if (!strcmp(line, stop))
			break;
		if (!strncmp(line, ".It ", 4)) {
			assert_true(++n < max);
			snprintf(it[n].head, sizeof(it[n].head), "%s", line + 4);
			it[n].body[0] = '\0';
		} else if (n >= 0) {
			size_t l = strlen(it[n].body);
			snprintf(it[n].body + l, sizeof(it[n].body) - l, "%s ", line);
		}
	}
	fclose(f);
	assert_true(in);
	return n + 1;
}

/* What the table says about K that the manual's entry BODY must say too. */
static void body_says(const char *page, const struct spec_key *k, const char *body)
{
	char want[128];

	if (k->type == SPEC_UINT && k->max) {
		snprintf(want, sizeof(want), "%ju to %ju", (uintmax_t)k->min, (uintmax_t)k->max);
		if (!strstr(body, want))
			fail_msg("%s: %s lacks '%s' (the table's range)", page, k->key, want);
	}
	if (k->type == SPEC_ENUM || (k->type == SPEC_TEXT && k->def_text)) {
		snprintf(want, sizeof(want), "default %s",
			 k->type == SPEC_ENUM ? k->names[k->def] : k->def_text);
		if (!strstr(body, want))
			fail_msg("%s: %s lacks '%s'", page, k->key, want);
	}
	if (k->max_items) {
		snprintf(want, sizeof(want), "repeatable, at most %u", k->max_items);
		if (!strstr(body, want))
			fail_msg("%s: %s lacks '%s'", page, k->key, want);
	} else if (strstr(body, "repeatable")) {
		fail_msg("%s: %s says repeatable, the table does not", page, k->key);
	}
}

/* The head ".It Cm KEY Ns = Ns ARG" or ".It Fl \-OPT ARG": for an enum,
 * ARG is "Cm a | b", the table's names in order. */
static void head_says(const char *page, const struct spec_key *k, const char *arg)
{
	char want[128];

	if (k->type != SPEC_ENUM)
		return;
	/* an option that may go without its value: "Op = Ns Cm a | b" */
	if (k->flag && !strncmp(arg, "Op = Ns ", 8))
		arg += 8;
	want[0] = '\0';
	for (size_t i = 0, l = 0; k->names[i]; i++, l = strlen(want))
		snprintf(want + l, sizeof(want) - l, "%s%s", i ? " | " : "", k->names[i]);
	if (strncmp(arg, "Cm ", 3) || strcmp(arg + 3, want))
		fail_msg("%s: %s lists '%s', the table '%s'", page, k->key, arg, want);
}

/* wgjail.conf(5): ".It Sy [SECTION]" then ".It Cm KEY Ns = Ns ..." per
 * key, in the table's order, and nothing else. */
static void table_in_wgjail_conf_5(void **st)
{
	static struct item it[64];
	int n = read_items("man/wgjail.conf.5", ".Bl -tag -width Ds -compact", ".El", it, 64);
	int sec = -1;
	size_t row = 0;

	(void)st;
	for (int i = 0; i < n; i++) {
		char key[64], name[64];
		const struct spec_key *k;
		int at = 0;

		if (sscanf(it[i].head, "Sy [%63[^]]]", name) == 1) {
			sec++;
			assert_true(sec < SPEC_SECTIONS);
			assert_string_equal(name, jailspec_sections[sec]);
			continue;
		}
		if (sscanf(it[i].head, "Cm %63s Ns = Ns %n", key, &at) != 1 || !at)
			fail_msg("wgjail.conf(5): '.It %s' is not a key", it[i].head);
		assert_true(sec >= 0);
		if (!(k = spec_key_find((enum spec_section)sec, key)))
			fail_msg("wgjail.conf(5) lists %s in [%s], which is no key (agent/jailspec_keys.c)", key,
				 jailspec_sections[sec]);
		if (row >= jailspec_nkeys || k != &jailspec_keys[row])
			fail_msg("wgjail.conf(5): %s is not in the table's order", key);
		row++;
		head_says("wgjail.conf(5)", k, it[i].head + at);
		body_says("wgjail.conf(5)", k, it[i].body);
	}
	if (row != jailspec_nkeys)
		fail_msg("wgjail.conf(5) lacks [%s] %s", section_name(&jailspec_keys[row]), jailspec_keys[row].key);
}

/* wgjail(8), create: ".It Fl n" then ".It Fl \-OPTION ARG" per key that
 * has an option, in the table's order. */
static void options_in_wgjail_8(void **st)
{
	static struct item it[64];
	int n = read_items("man/wgjail.8", ".It Cm create Oo Fl n Oc Ar jail Op Ar options", ".El", it, 64);
	size_t row = 0;

	(void)st;
	assert_true(n > 1);
	assert_string_equal(it[0].head, "Fl n");
	for (int i = 1; i < n; i++) {
		char opt[64];
		int at = 0;
		const struct spec_key *k;

		/* create's own flags, not keys of the spec (agent/cmd_create.c) */
		if (!strcmp(it[i].head, "Fl \\-no-ipv6"))
			continue;

		if (sscanf(it[i].head, "Fl \\-%63s %n", opt, &at) != 1 || !at)
			fail_msg("wgjail(8) create: '.It %s' is not an option", it[i].head);
		while (row < jailspec_nkeys && !jailspec_keys[row].option)
			row++;
		if (row >= jailspec_nkeys)
			fail_msg("wgjail(8) create lists --%s, which no key has (agent/jailspec_keys.c)", opt);
		k = &jailspec_keys[row++];
		if (strcmp(opt, k->option))
			fail_msg("wgjail(8) create: --%s where the table has --%s", opt, k->option);
		head_says("wgjail(8)", k, it[i].head + at);
		if (!k->max_items != !strstr(it[i].body, "(repeatable)"))
			fail_msg("wgjail(8) create: --%s: repeatable or not, as the table says", opt);
	}
	while (row < jailspec_nkeys && !jailspec_keys[row].option)
		row++;
	if (row < jailspec_nkeys)
		fail_msg("wgjail(8) create lacks --%s", jailspec_keys[row].option);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_parse_format_validate),
		cmocka_unit_test(uplink_names),
		cmocka_unit_test(table_in_wgjail_conf_5),
		cmocka_unit_test(options_in_wgjail_8),
	};
	return cmocka_run_group_tests_name("spec_table", tests, NULL, NULL);
}
