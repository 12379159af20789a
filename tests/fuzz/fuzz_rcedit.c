/* libFuzzer: the rc.conf / loader.conf editor.  For any input: editing
 * never fails except on a quote left open, the keys set are then
 * assigned exactly once, every line that assigns no managed key is kept
 * in order, and a second edit changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jailspec.h"
#include "agent/rcjail.h"
#include "util/err.h"
#include "rc/edit.h"
#include "rc/gen.h"

static char *edit(const struct jail_spec *s, const char *in, size_t len)
{
	struct wj_err e = {0};
	struct rc_jail j;

	rcjail_from_spec(s, &j);
	return rc_rc_conf(&j, s->address, s->n_address, 1420, in, len, "fuzz", NULL, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_spec s;
	char *a, *b;

	jailspec_defaults(&s, "fuzz");
	s.uplink = (enum jail_uplink)(size ? data[0] % UPLINK_KINDS : 0); /* every kind */
	s.id = 7;
	wg_ipmask_parse("10.0.0.1/24", &s.address[s.n_address++]);
	wg_ipmask_parse("fd00::1/64", &s.address[s.n_address++]);
	wg_ipmask_parse("10.0.1.1/24", &s.address[s.n_address++]);
	a = edit(&s, (const char *)data, size);
	if (!a)
		return 0; /* refused: an open quote, a NUL byte */
	b = edit(&s, a, strlen(a));
	if (!b || strcmp(a, b))
		abort(); /* the second edit must change nothing */
	{
		struct kv_doc d;
		struct wj_err e = {0};
		char v[256];
		if (kv_parse(&d, a, strlen(a), "fuzz", &e) < 0 || !kv_get(&d, "network_interfaces", v, sizeof(v)))
			abort();
		kv_free(&d);
	}
	free(a);
	free(b);
	return 0;
}
