/* Reaching jails (issue 17): the spec values (agent/reach.h), the Linux
 * nftables text (netconf/nftrules.h) and the FreeBSD pf anchors
 * (rc/pfanchor.h, golden files tests/golden/pf/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jailspec.h"
#include "agent/reach.h"
#include "netconf/nftrules.h"
#include "rc/pfanchor.h"
#include "util/err.h"

static struct wg_ipmask ip(const char *s)
{
	struct wg_ipmask m;

	assert_int_equal(wg_ipmask_parse(s, &m), 0);
	return m;
}

/* ---- values ------------------------------------------------------------- */

static void publish_values(void **st)
{
	struct reach_port p;

	assert_null(reach_parse_publish("tcp:8080:80", &p));
	assert_int_equal(p.proto, REACH_TCP);
	assert_int_equal(p.host_port, 8080);
	assert_int_equal(p.jail_port, 80);
	assert_null(reach_parse_publish("udp:51820", &p));
	assert_int_equal(p.proto, REACH_UDP);
	assert_int_equal(p.jail_port, 51820);
	assert_null(reach_parse_publish("udp:1:65535", &p));
	assert_non_null(reach_parse_publish("tcp:0", &p));
	assert_non_null(reach_parse_publish("tcp:65536", &p));
	assert_non_null(reach_parse_publish("tcp:80:0", &p));
	assert_non_null(reach_parse_publish("tcp:80:", &p));
	assert_non_null(reach_parse_publish("tcp:", &p));
	assert_non_null(reach_parse_publish("sctp:80", &p));
	assert_non_null(reach_parse_publish("tcp:80:81:82", &p));
	assert_non_null(reach_parse_publish("tcp:+80", &p));
	assert_null(reach_parse_allow("tcp:22", &p));
	assert_int_equal(p.host_port, 22);
	assert_non_null(reach_parse_allow("tcp:22:23", &p));
	assert_non_null(reach_parse_allow("icmp:1", &p));
}

static void link_peer(void **st)
{
	struct wg_ipmask j, h;
	char a[64];

	h = ip("169.254.7.1/30");
	assert_null(reach_link_peer(&h, &j));
	assert_string_equal(wg_ipmask_fmt(&j, a, sizeof(a)), "169.254.7.2/30");
	h = ip("169.254.7.2/30");
	assert_null(reach_link_peer(&h, &j));
	assert_string_equal(wg_ipmask_fmt(&j, a, sizeof(a)), "169.254.7.1/30");
	h = ip("10.0.0.4/31");
	assert_null(reach_link_peer(&h, &j));
	assert_string_equal(wg_ipmask_fmt(&j, a, sizeof(a)), "10.0.0.5/31");
	h = ip("fd00:17::1/126");
	assert_null(reach_link_peer(&h, &j));
	assert_string_equal(wg_ipmask_fmt(&j, a, sizeof(a)), "fd00:17::2/126");
	h = ip("fd00:17::7/127");
	assert_null(reach_link_peer(&h, &j));
	assert_string_equal(wg_ipmask_fmt(&j, a, sizeof(a)), "fd00:17::6/127");
	h = ip("169.254.7.0/30"); /* the network address */
	assert_non_null(reach_link_peer(&h, &j));
	h = ip("169.254.7.3/30"); /* the broadcast address */
	assert_non_null(reach_link_peer(&h, &j));
	h = ip("169.254.7.1/24");
	assert_non_null(reach_link_peer(&h, &j));
	h = ip("fd00::1/64");
	assert_non_null(reach_link_peer(&h, &j));
}

static struct jail_spec bridge_spec(void)
{
	struct jail_spec s;

	jailspec_defaults(&s, "web");
	s.jail_addr[s.n_jail_addr++] = ip("10.66.0.2/24");
	s.gateway[s.n_gateway++] = ip("10.66.0.1");
	s.listen_port = 51820;
	return s;
}

static void validate(void **st)
{
	struct jail_spec s = bridge_spec();
	struct reach_port p[REACH_MAX_PORTS];
	struct wj_err e = {0};
	size_t n;

	assert_int_equal(jailspec_validate(&s, &e), 0);
	s.nat = 1;
	strcpy(s.publish[s.n_publish++], "tcp:8080:80");
	assert_int_equal(jailspec_validate(&s, &e), 0);
	/* the WireGuard port is published with NAT */
	assert_int_equal(reach_published(&s, p, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[1].proto, REACH_UDP);
	assert_int_equal(p[1].host_port, 51820);
	/* unless an entry forwards it already */
	strcpy(s.publish[s.n_publish++], "udp:4500:51820");
	assert_int_equal(reach_published(&s, p, &n, &e), 0);
	assert_int_equal(n, 2);
	/* a host port twice */
	strcpy(s.publish[1], "tcp:8080:81");
	assert_int_equal(jailspec_validate(&s, &e), -1);
	assert_non_null(strstr(e.msg, "publish = 'tcp:8080:81': host port tcp:8080 is published twice"));
	s.n_publish = 1;
	strcpy(s.publish[s.n_publish++], "udp:51820:9");
	assert_int_equal(jailspec_validate(&s, &e), 0); /* udp:51820 is then that entry's */
	s.n_publish = 1;
	/* publish without nat */
	s.nat = 0;
	assert_int_equal(jailspec_validate(&s, &e), -1);
	assert_non_null(strstr(e.msg, "published ports need nat = yes"));
	s.nat = 1;
	/* nat without a bridge address, nat with the wireguard uplink */
	s.n_jail_addr = 0;
	s.n_gateway = 0;
	assert_int_equal(jailspec_validate(&s, &e), -1);
	assert_non_null(strstr(e.msg, "no bridge address"));
	/* nat with an address whose family has no gateway */
	s = bridge_spec();
	s.nat = 1;
	s.jail_addr[s.n_jail_addr++] = ip("fd66::2/64");
	assert_int_equal(jailspec_validate(&s, &e), -1);
	assert_string_equal(e.msg, "jail web: nat = yes: address = fd66::2/64 has no gateway of its family (gateway in "
				   "[jail]): the jail could not answer anyone beyond its bridge");
	s.gateway[s.n_gateway++] = ip("fd66::1");
	assert_int_equal(jailspec_validate(&s, &e), 0);
	s = bridge_spec();
	s.nat = 1;
	s.uplink = UPLINK_WIREGUARD;
	assert_int_equal(jailspec_validate(&s, &e), -1);
	assert_non_null(strstr(e.msg, "only a bridge-uplink jail"));
	/* host links: wireguard uplink only, a link network, allow needs a link */
	s = bridge_spec();
	s.host_link[s.n_host_link++] = ip("169.254.1.1/30");
	assert_int_equal(jailspec_validate(&s, &e), -1);
	assert_non_null(strstr(e.msg, "only a WireGuard-only jail"));
	s.uplink = UPLINK_WIREGUARD;
	assert_int_equal(jailspec_validate(&s, &e), 0);
	s.host_link[0] = ip("169.254.1.1/24");
	assert_int_equal(jailspec_validate(&s, &e), -1);
	assert_non_null(strstr(e.msg, "host_link = 169.254.1.1/24: expected a /30 or /31"));
	s.n_host_link = 0;
	strcpy(s.host_allow[s.n_host_allow++], "tcp:22");
	assert_int_equal(jailspec_validate(&s, &e), -1);
	assert_non_null(strstr(e.msg, "no host_link"));
}

static void spec_round_trip(void **st)
{
	const char *text = "[jail]\nuplink = bridge\naddress = 10.66.0.2/24\ngateway = 10.66.0.1\nnat = yes\nnat_interface = em0\n"
			   "publish = tcp:8080:80\npublish = udp:53\n[wireguard]\nlisten_port = 51820\n";
	struct jail_spec s, s2;
	struct wj_err e = {0};
	char *out;

	assert_int_equal(jailspec_parse(text, strlen(text), "t.conf", "web", &s, &e), 0);
	assert_int_equal(s.nat, 1);
	assert_string_equal(s.nat_ifname, "em0");
	assert_int_equal(s.n_publish, 2);
	out = jailspec_format(&s);
	assert_non_null(strstr(out, "nat = yes\nnat_interface = em0\npublish = tcp:8080:80\npublish = udp:53\n"));
	assert_int_equal(jailspec_parse(out, strlen(out), "t.conf", "web", &s2, &e), 0);
	assert_int_equal(memcmp(&s, &s2, sizeof(s)), 0);
	free(out);
	/* bad values name file, line, key and value */
	text = "[jail]\naddress = 10.66.0.2/24\nnat = yes\npublish = tcp:99999\n";
	assert_int_equal(jailspec_parse(text, strlen(text), "t.conf", "web", &s, &e), -1);
	assert_string_equal(e.msg, "t.conf:4: publish = 'tcp:99999': the host port is not a port from 1 to 65535");
	text = "[jail]\nnat = maybe\n";
	assert_int_equal(jailspec_parse(text, strlen(text), "t.conf", "web", &s, &e), -1);
	assert_string_equal(e.msg, "t.conf:2: nat = 'maybe': expected no or yes");
}

/* ---- nftables ------------------------------------------------------------ */

static void nft_text(void **st)
{
	struct nft_port ports[] = {{IPPROTO_UDP, 51820, 51820}, {IPPROTO_TCP, 8080, 80}};
	struct nft_jail j = {.name = "web", .ext_if = "eth0", .ports = ports, .n_ports = 2};
	char *t, *load;

	j.addr[0] = ip("10.66.0.2/24");
	j.addr[1] = ip("2001:db8::2/64");
	t = nft_jail_rules(&j);
	assert_non_null(strstr(t, "\tchain pre_web {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
				  "\t\tiifname \"eth0\" fib daddr type local udp dport 51820 dnat ip to 10.66.0.2:51820\n"
				  "\t\tiifname \"eth0\" fib daddr type local udp dport 51820 dnat ip6 to [2001:db8::2]:51820\n"));
	assert_non_null(strstr(t, "tcp dport 8080 dnat ip to 10.66.0.2:80\n"));
	assert_non_null(strstr(t, "oifname \"eth0\" ip saddr 10.66.0.2 masquerade\n"));
	/* a global IPv6 address is forwarded, not masqueraded */
	assert_null(strstr(t, "ip6 saddr 2001:db8::2 masquerade"));
	assert_non_null(strstr(t, "oifname \"eth0\" ip6 saddr 2001:db8::2 meta mark set meta mark | 0x00100000\n"));
	free(t);
	j.addr[1] = ip("fd66::2/64");
	j.masq6 = true;
	t = nft_jail_rules(&j);
	assert_non_null(strstr(t, "oifname \"eth0\" ip6 saddr fd66::2 masquerade\n"));
	load = nft_jail_load_text("web", t);
	assert_true(!strncmp(load, "add table inet wgjail\nadd chain inet wgjail pre_web\ndelete chain inet wgjail pre_web\n", 83));
	assert_non_null(strstr(load, t));
	free(load);
	free(t);
	t = nft_jail_delete_text("web");
	assert_string_equal(t, "add table inet wgjail\n"
			       "add chain inet wgjail pre_web\ndelete chain inet wgjail pre_web\n"
			       "add chain inet wgjail post_web\ndelete chain inet wgjail post_web\n"
			       "add chain inet wgjail fwd_web\ndelete chain inet wgjail fwd_web\n");
	free(t);
}

static void nft_hostlink(void **st)
{
	struct nft_port allow[] = {{IPPROTO_TCP, 22, 22}};
	struct nft_hostlink h = {.ifname = "host0", .n_host = 1, .allow = allow, .n_allow = 1};
	char *t;

	h.host[0] = ip("169.254.7.1/30");
	t = nft_hostlink_rules(&h);
	assert_string_equal(t, "table inet wgjail {\n"
			       "\tchain hl_in {\n\t\ttype filter hook input priority filter; policy accept;\n"
			       "\t\tiifname \"host0\" ct state established,related accept\n"
			       "\t\tiifname \"host0\" ip saddr 169.254.7.1 tcp dport 22 ct state new accept\n"
			       "\t\tiifname \"host0\" drop\n\t}\n"
			       "\tchain hl_out {\n\t\ttype filter hook output priority filter; policy accept;\n"
			       "\t\toifname \"host0\" ct state established,related accept\n"
			       "\t\toifname \"host0\" drop\n\t}\n}\n");
	free(t);
}

/* ---- pf anchors (golden) --------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		fail_msg("%s: cannot open (run from the top of the tree)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Compare TEXT with the golden file NAME; WGJAIL_GOLDEN_UPDATE=1 rewrites it. */
static void golden(const char *name, const char *text)
{
	char path[256];
	char *want;

	snprintf(path, sizeof(path), "tests/golden/pf/%s", name);
	if (getenv("WGJAIL_GOLDEN_UPDATE")) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	want = slurp(path);
	assert_string_equal(text, want);
	free(want);
}

static void pf_anchor_ipv4(void **st)
{
	struct pf_port ports[] = {{IPPROTO_UDP, 51820, 51820}, {IPPROTO_TCP, 8080, 80}};
	struct pf_jail j = {.name = "web4", .ext_if = "em0", .ports = ports, .n_ports = 2};
	size_t len;
	char *t;

	j.addr[0] = ip("10.66.0.2/24");
	t = rc_pf_anchor(&j, &len);
	assert_int_equal(strlen(t), len);
	assert_true(rc_pf_anchor_is_ours(t, len));
	golden("web4.anchor", t);
	free(t);
	t = rc_pf_jail_lines("web4");
	golden("web4.jail.conf", t);
	free(t);
}

static void pf_anchor_ipv6(void **st)
{
	struct pf_port ports[] = {{IPPROTO_UDP, 51820, 51820}};
	struct pf_jail j = {.name = "web6", .ext_if = "vtnet0", .ports = ports, .n_ports = 1, .nat6 = true};
	size_t len;
	char *t;

	j.addr[0] = ip("10.66.0.3/24");
	j.addr[1] = ip("fd66::3/64");
	t = rc_pf_anchor(&j, &len);
	golden("web6.anchor", t);
	free(t);
	/* a global IPv6 address: forwarded, not translated */
	j.addr[0].family = 0;
	j.addr[1] = ip("2001:db8:66::3/64");
	j.nat6 = false;
	t = rc_pf_anchor(&j, &len);
	golden("web6-global.anchor", t);
	free(t);
}

static void pf_hooks(void **st)
{
	const char *pf = "ext_if=\"em0\"\n# anchor \"wgjail/*\" (a comment)\nnat-anchor \"wgjail/*\"\n"
			 "rdr-anchor wgjail/*\nblock all\n";
	const char *rc = "hostname=\"h\"\ngateway_enable=\"YES\" # forward\n";
	char *t;

	t = rc_pf_hooks_missing(pf, strlen(pf), rc, strlen(rc), false);
	golden("hooks-missing.out", t);
	free(t);
	t = rc_pf_hooks_missing(NULL, 0, NULL, 0, true);
	golden("hooks-none.out", t);
	free(t);
	pf = "nat-anchor \"wgjail/*\"\nrdr-anchor \"wgjail/*\"\nanchor \"wgjail/*\"\n";
	rc = "gateway_enable=\"NO\"\ngateway_enable=yes\nipv6_gateway_enable='YES'\n";
	t = rc_pf_hooks_missing(pf, strlen(pf), rc, strlen(rc), true);
	assert_string_equal(t, "");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(publish_values), cmocka_unit_test(link_peer),     cmocka_unit_test(validate),
		cmocka_unit_test(spec_round_trip), cmocka_unit_test(nft_text),      cmocka_unit_test(nft_hostlink),
		cmocka_unit_test(pf_anchor_ipv4), cmocka_unit_test(pf_anchor_ipv6), cmocka_unit_test(pf_hooks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
