/* libFuzzer: the rc.conf / loader.conf editor.  For any input: editing
 * never fails except on a quote left open, the keys set are then
 * assigned exactly once, every line that assigns no managed key is kept
 * in order, and a second edit changes nothing.  The same input as a
 * host's jail.conf: the .include reader answers yes, no, or an error
 * naming the file, and a text it reads to the end, followed by an
 * .include of the jail's file, includes it.  The same input as a host's
 * rc.conf: where rc.d/jail starts every jail of jail.conf (boot's
 * question), provision reads the very jail.conf boot does. */
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

static void jail_conf(const char *in, size_t len)
{
	static const char inc[] = "\n.include \"/etc/jail.conf.d/*.conf\";\n";
	const char *file = "/etc/jail.conf.d/fuzz.conf";
	struct wj_err e = {0};
	int r = rc_jail_conf_includes(in, len, "/etc/jail.conf", "/etc/jail.conf", file, NULL, &e);
	char *t;

	if (r < -1 || r > 1 || (r < 0 && !strstr(e.msg, "/etc/jail.conf:")))
		abort();
	if (r < 0 || !(t = malloc(len + sizeof(inc))))
		return;
	memcpy(t, in, len);
	memcpy(t + len, inc, sizeof(inc));
	if (rc_jail_conf_includes(t, len + sizeof(inc) - 1, "/etc/jail.conf", "/etc/jail.conf", file, NULL, &e) != 1)
		abort();
	free(t);
}

static void host_rc_conf(const char *in, size_t len)
{
	char boot[256], prov[256];
	struct wj_err e = {0};
	int b = rc_host_starts_jail("fuzz", in, len, "/etc/rc.conf", boot, sizeof(boot), &e);
	int p = rc_host_jail_conf_path(in, len, "/etc/rc.conf", prov, sizeof(prov), &e);

	if (p < -1 || p > 1 || (p < 0 && !strstr(e.msg, "/etc/rc.conf:")))
		abort();
	if (b == RC_HOST_EVERY && (p != 1 || strcmp(boot, prov)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jail_spec s;
	char *a, *b;

	jail_conf((const char *)data, size);
	host_rc_conf((const char *)data, size);

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
