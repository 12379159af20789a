/* Reaching a jail on Linux: NAT, published ports, the host link (see
 * agent/jailreach_linux.h). */
#include "agent/jailreach_linux.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/jailspec.h"
#include "agent/hostfwd_linux.h"
#include "agent/jailstate.h"
#include "agent/reach.h"
#include "netconf/addr.h"
#include "netconf/link.h"
#include "netconf/netns.h"
#include "netconf/nft.h"
#include "netconf/nftrules.h"
#include "netconf/route.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/safefile.h"
#include "util/sbuf.h"

#include <stdarg.h>

static void say(struct reach_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct reach_run *r, const char *fmt, ...)
{
	va_list ap;

	r->changes++;
	fputs(r->dry ? "would: " : "", r->out);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
}

static int lock_nat(int *fd, struct wj_err *e)
{
	char dir[600], path[600];

	if (wj_nat_path(dir, sizeof(dir), NULL) < 0 || wj_nat_path(path, sizeof(path), ".lock") < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	if (wj_mkdirs(dir, 0700, e) < 0)
		return -1;
	return wj_lock(path, fd, e);
}

/* ---- forwarding -------------------------------------------------------- */

static const char *const fwd_sysctl[2] = {"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"};
static const char *const fwd_name[2] = {"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"};

static int fwd_get(int v6, struct wj_err *e)
{
	char buf[8] = {0};
	int fd = open(fwd_sysctl[v6], O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return wj_errnof(e, errno, "%s", fwd_sysctl[v6]);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return wj_errnof(e, n < 0 ? errno : EIO, "%s", fwd_sysctl[v6]);
	return buf[0] == '0' ? 0 : 1;
}

static int fwd_set(int v6, int on, struct wj_err *e)
{
	int fd = open(fwd_sysctl[v6], O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return wj_errnof(e, errno, "%s", fwd_sysctl[v6]);
	if (write(fd, on ? "1\n" : "0\n", 2) != 2) {
		int err = errno;
		close(fd);
		return wj_errnof(e, err, "%s", fwd_sysctl[v6]);
	}
	close(fd);
	return 0;
}

/* STATEDIR/forwarding: the forwarding switches wgjail turned on ("ipv4",
 * "ipv6", one a line). */
static int fwd_record_path(char *buf, size_t sz)
{
	return wj_nat_path(buf, sz, "forwarding");
}

static int fwd_record_load(bool mine[2])
{
	char path[600], *text = NULL;
	size_t len;
	struct wj_err ignored;

	mine[0] = mine[1] = false;
	if (fwd_record_path(path, sizeof(path)) < 0 || !wj_exists(path))
		return 0;
	if (wj_read_conf(path, 4096, false, &text, &len, &ignored) < 0)
		return 0;
	mine[0] = strstr(text, "ipv4\n") != NULL;
	mine[1] = strstr(text, "ipv6\n") != NULL;
	free(text);
	return 0;
}

static int fwd_record_save(const bool mine[2], struct wj_err *e)
{
	char path[600], buf[16];
	int n;

	if (fwd_record_path(path, sizeof(path)) < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	if (!mine[0] && !mine[1]) {
		unlink(path);
		return 0;
	}
	n = snprintf(buf, sizeof(buf), "%s%s", mine[0] ? "ipv4\n" : "", mine[1] ? "ipv6\n" : "");
	return wj_write_atomic(path, buf, (size_t)n, 0600, e);
}

/* Forwarding on for the families NEED (under the NAT lock). */
static int fwd_up(struct reach_run *r, const bool need[2], struct wj_err *e)
{
	bool mine[2];

	fwd_record_load(mine);
	for (int v6 = 0; v6 < 2; v6++) {
		int on;
		if (!need[v6])
			continue;
		if ((on = fwd_get(v6, e)) < 0)
			return -1;
		if (on)
			continue;
		say(r, "host: enable %s (jail %s forwards through the host)", fwd_name[v6], r->s->name);
		if (r->dry)
			continue;
		mine[v6] = true; /* recorded before it is done */
		if (fwd_record_save(mine, e) < 0 || fwd_set(v6, 1, e) < 0)
			return -1;
	}
	return 0;
}

/* The last jail's chains are gone: switch off what wgjail switched on. */
static int fwd_down(FILE *out, struct wj_err *e)
{
	bool mine[2];

	fwd_record_load(mine);
	for (int v6 = 0; v6 < 2; v6++)
		if (mine[v6]) {
			if (fwd_set(v6, 0, e) < 0)
				return -1;
			fprintf(out, "host: disable %s again (no jail forwards any more)\n", fwd_name[v6]);
			mine[v6] = false;
		}
	return fwd_record_save(mine, e);
}

/* ---- the host's table -------------------------------------------------- */

/* The jail's chains as the kernel has them now ("" if none). */
static int chains_listing(const char *name, char **out, struct wj_err *e)
{
	struct wj_sbuf b = {0};
	char cmd[160], c[64];

	for (int i = 0; i < NFT_JAIL_CHAINS; i++) {
		char *text;
		int got;
		nft_jail_chain(name, i, c, sizeof(c));
		snprintf(cmd, sizeof(cmd), "list chain inet %s %s", WJ_NFT_TABLE, c);
		if ((got = nft_list(cmd, &text, e)) < 0) {
			wj_sb_free(&b);
			return -1;
		}
		if (got)
			wj_sb_printf(&b, "%s", text);
		free(text);
	}
	if (!(*out = wj_sb_take(&b, NULL)))
		return wj_errnof(e, ENOMEM, "listing nftables chains");
	return 0;
}

static int read_state_file(const char *name, const char *file, char **out)
{
	char path[600];
	size_t len;
	struct wj_err ignored;

	*out = NULL;
	if (jail_run_path(path, sizeof(path), name, file) < 0 || !wj_exists(path))
		return 0;
	return wj_read_conf(path, 1 << 20, false, out, &len, &ignored) < 0 ? 0 : 1;
}

static int write_state_file(const char *name, const char *file, const char *text, struct wj_err *e)
{
	char path[600];

	if (jail_run_path(path, sizeof(path), name, file) < 0)
		return wj_errf(e, "%s: state path too long", wj_statedir());
	return wj_write_atomic(path, text, strlen(text), 0600, e);
}

static void remove_state_file(const char *name, const char *file)
{
	char path[600];

	if (jail_run_path(path, sizeof(path), name, file) == 0)
		unlink(path);
}

/* The interface of the host's default route (IPv4, else IPv6). */
static int default_route_if(struct nc *host, char *out, size_t sz, struct wj_err *e)
{
	struct route_info *rt = NULL;
	size_t n = 0;
	int best = 0;

	if (route_list(host, &rt, &n, e) < 0)
		return -1;
	for (int v6 = 0; v6 < 2 && !best; v6++)
		for (size_t i = 0; i < n && !best; i++)
			if (rt[i].dst.cidr == 0 && rt[i].dst.family == (v6 ? AF_INET6 : AF_INET) && rt[i].oif)
				best = rt[i].oif;
	free(rt);
	if (!best || !if_indextoname((unsigned)best, out))
		return wj_errf(e, "the host has no default route to NAT out of: name the interface with nat_interface");
	(void)sz;
	return 0;
}

/* The host's own drop-policy forward chains get the jail's accept rule
 * (agent/hostfwd_linux.h), appended where it is missing. */
static int host_forward_up(struct reach_run *r, struct wj_err *e)
{
	struct hostfwd_chain *c = NULL;
	char rule[256], *text = NULL;
	size_t n = 0;
	int rc = -1;

	if (hostfwd_missing(r->s->name, &c, &n, e) < 0)
		return wj_err_prefix(e, "jail %s: the host's forward chains", r->s->name);
	if (!n)
		return 0;
	hostfwd_rule(r->s->name, rule, sizeof(rule));
	for (size_t i = 0; i < n; i++)
		say(r, "host: table %s %s, chain %s drops forwarded packets by default: append for jail %s: %s",
		    c[i].family, c[i].table, c[i].chain, r->s->name, rule);
	if (r->dry) {
		rc = 0;
	} else if (!(text = hostfwd_add_text(r->s->name, c, n))) {
		wj_errnof(e, ENOMEM, "jail %s: nftables", r->s->name);
	} else {
		rc = nft_run(text, "the host's forward chains", e);
	}
	free(text);
	free(c);
	return rc;
}

static int nat_remove(const char *name, struct jail_state *st, FILE *out, struct wj_err *e)
{
	char *del = nft_jail_delete_text(name), *table = NULL, *tagged = NULL;
	struct hostfwd_chain *c = NULL;
	size_t nc = 0;
	int lockfd = -1, r = -1, got;

	if (!del)
		return wj_errnof(e, ENOMEM, "jail %s: nftables", name);
	if (lock_nat(&lockfd, e) < 0)
		goto out;
	/* the jail's rules in the host's own chains go in the same
	 * transaction as its chains */
	if (hostfwd_tagged(name, &c, &nc, e) < 0)
		goto out;
	if (nc) {
		struct wj_sbuf b = {0};
		char *rules = hostfwd_delete_text(c, nc);
		wj_sb_printf(&b, "%s%s", rules ? rules : "", del);
		free(rules);
		if (!rules || !(tagged = wj_sb_take(&b, NULL))) {
			wj_errnof(e, ENOMEM, "jail %s: nftables", name);
			goto out;
		}
	}
	if (nft_run(tagged ? tagged : del, "removing the jail's chains", e) < 0)
		goto out;
	for (size_t i = 0; i < nc; i++)
		fprintf(out, "host: remove jail %s's rule from table %s %s, chain %s\n", name, c[i].family, c[i].table,
			c[i].chain);
	fprintf(out, "host: remove nftables chains of jail %s from table inet %s\n", name, WJ_NFT_TABLE);
	if ((got = nft_list("list table inet " WJ_NFT_TABLE, &table, e)) < 0)
		goto out;
	if (got && !strstr(table, "\tchain ")) {
		if (nft_run("delete table inet " WJ_NFT_TABLE "\n", "removing the empty table", e) < 0)
			goto out;
		fprintf(out, "host: remove the empty nftables table inet %s\n", WJ_NFT_TABLE);
		if (fwd_down(out, e) < 0)
			goto out;
	}
	remove_state_file(name, "nft.rules");
	remove_state_file(name, "nft.listing");
	st->nft_host = false;
	st->nat_if[0] = '\0';
	r = 0;
out:
	free(table);
	free(del);
	free(tagged);
	free(c);
	wj_unlock(lockfd);
	return r;
}

static uint8_t ipproto(enum reach_proto p)
{
	return p == REACH_TCP ? IPPROTO_TCP : IPPROTO_UDP;
}

int jailreach_nat_up(struct reach_run *r, struct nc *host, struct wj_err *e)
{
	const struct jail_spec *s = r->s;
	struct reach_port p[REACH_MAX_PORTS];
	struct nft_port np[REACH_MAX_PORTS];
	struct nft_jail j = {.name = s->name, .ports = np};
	char ext[IF_NAMESIZE] = "", *rules = NULL, *load = NULL, *have = NULL, *had = NULL, *had_listing = NULL;
	bool need[2] = {false, false};
	int lockfd = -1, rc = -1;

	if (!s->nat) {
		if (!r->st->nft_host || r->dry) {
			if (r->st->nft_host)
				say(r, "host: remove nftables chains of jail %s", s->name);
			return 0;
		}
		r->changes++;
		return nat_remove(s->name, r->st, r->out, e) < 0 || r->save(r->arg, e) < 0 ? -1 : 0;
	}
	if (s->nat_ifname[0]) {
		if (!if_nametoindex(s->nat_ifname))
			return wj_errf(e, "jail %s: nat_interface = '%s': the host has no such interface: nothing loaded",
				       s->name, s->nat_ifname);
		snprintf(ext, sizeof(ext), "%s", s->nat_ifname);
	} else if (default_route_if(host, ext, sizeof(ext), e) < 0) {
		return wj_err_prefix(e, "jail %s: nat", s->name);
	}
	if (reach_check_others(s, e) < 0 || reach_published(s, p, &j.n_ports, e) < 0)
		return -1;
	for (size_t i = 0; i < j.n_ports; i++)
		np[i] = (struct nft_port){ipproto(p[i].proto), p[i].host_port, p[i].jail_port};
	for (size_t i = 0; i < s->n_jail_addr; i++) {
		int v6 = s->jail_addr[i].family == AF_INET6;
		if (!j.addr[v6].family)
			j.addr[v6] = s->jail_addr[i];
		need[v6] = true;
	}
	j.masq6 = j.addr[1].family && reach_is_ula(&j.addr[1]);
	j.ext_if = ext;
	if (!(rules = nft_jail_rules(&j)) || !(load = nft_jail_load_text(s->name, rules))) {
		wj_errnof(e, ENOMEM, "jail %s: nftables", s->name);
		goto out;
	}
	if (lock_nat(&lockfd, e) < 0 || chains_listing(s->name, &have, e) < 0)
		goto out;
	read_state_file(s->name, "nft.rules", &had);
	read_state_file(s->name, "nft.listing", &had_listing);
	if (had && had_listing && !strcmp(had, rules) && !strcmp(had_listing, have) && have[0]) {
		/* in place, exactly as loaded: nothing to load */
	} else if (r->dry) {
		say(r, "host: load nftables rules for jail %s (NAT out of %s, %zu published port%s):\n%s", s->name, ext,
		    j.n_ports, j.n_ports == 1 ? "" : "s", load);
	} else {
		r->st->nft_host = true; /* recorded before it is loaded */
		snprintf(r->st->nat_if, sizeof(r->st->nat_if), "%s", ext);
		if (r->save(r->arg, e) < 0 || nft_run(load, "the jail's chains", e) < 0)
			goto out;
		say(r, "host: load nftables rules for jail %s (table inet %s: NAT out of %s, %zu published port%s)",
		    s->name, WJ_NFT_TABLE, ext, j.n_ports, j.n_ports == 1 ? "" : "s");
		free(have);
		have = NULL;
		if (chains_listing(s->name, &have, e) < 0 || write_state_file(s->name, "nft.rules", rules, e) < 0 ||
		    write_state_file(s->name, "nft.listing", have, e) < 0)
			goto out;
	}
	if (fwd_up(r, need, e) < 0 || host_forward_up(r, e) < 0)
		goto out;
	rc = 0;
out:
	wj_unlock(lockfd);
	free(rules);
	free(load);
	free(have);
	free(had);
	free(had_listing);
	return rc;
}

int jailreach_nat_down(const char *name, struct jail_state *st, FILE *out, struct wj_err *e)
{
	return st->nft_host ? nat_remove(name, st, out, e) : 0;
}

/* ---- the host link ----------------------------------------------------- */

/* Run TEXT in the namespace NSFD. */
static int nft_run_in(int nsfd, const char *text, const char *what, struct wj_err *e)
{
	int saved, r;

	if (netns_enter_fd(nsfd, &saved, e) < 0)
		return -1;
	r = nft_run(text, what, e);
	netns_leave(saved);
	return r;
}

static int list_in(int nsfd, const char *cmd, char **out, struct wj_err *e)
{
	int saved, r;

	if (netns_enter_fd(nsfd, &saved, e) < 0)
		return -1;
	r = nft_list(cmd, out, e);
	netns_leave(saved);
	return r;
}

/* IPv6 off on the jail's end of an IPv4-only link: no link-local address,
 * so no neighbour discovery or router solicitation from the jail. */
static int no_ipv6_in(int nsfd, const char *ifname, struct wj_err *e)
{
	char path[128];
	int saved, fd, r = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	if (netns_enter_fd(nsfd, &saved, e) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1\n", 2) != 2)
			r = wj_errnof(e, errno, "jail: %s", path);
		close(fd);
	} /* no IPv6 in the kernel: nothing to switch off */
	netns_leave(saved);
	return r;
}

/* The host link's table in the jail: loaded (replacing the table whole:
 * the jail's namespace is wgjail's) unless it is in place as loaded. */
static int hostlink_table(struct reach_run *r, const struct nft_hostlink *h, int nsfd, struct wj_err *e)
{
	const char *name = r->s->name;
	char *rules = nft_hostlink_rules(h), *have = NULL, *had = NULL, *had_rules = NULL, *text = NULL;
	struct wj_sbuf b = {0};
	int got, rc = -1;

	if (!rules)
		return wj_errnof(e, ENOMEM, "jail %s: nftables", name);
	if ((got = list_in(nsfd, "list table inet " WJ_NFT_TABLE, &have, e)) < 0)
		goto out;
	read_state_file(name, "hostlink.listing", &had);
	read_state_file(name, "hostlink.rules", &had_rules);
	if (got && had && had_rules && !strcmp(had, have) && !strcmp(had_rules, rules)) {
		rc = 0;
		goto out;
	}
	wj_sb_printf(&b, "add table inet %s\ndelete table inet %s\n%s", WJ_NFT_TABLE, WJ_NFT_TABLE, rules);
	if (!(text = wj_sb_take(&b, NULL))) {
		wj_errnof(e, ENOMEM, "jail %s: nftables", name);
		goto out;
	}
	if (r->dry) {
		say(r, "jail: load nftables table inet %s (host link):\n%s", WJ_NFT_TABLE, text);
		rc = 0;
		goto out;
	}
	if (nft_run_in(nsfd, text, "the host link's table", e) < 0)
		goto out;
	say(r, "jail: load nftables table inet %s (host link, %zu allowed port%s)", WJ_NFT_TABLE, h->n_allow,
	    h->n_allow == 1 ? "" : "s");
	free(have);
	have = NULL;
	if (list_in(nsfd, "list table inet " WJ_NFT_TABLE, &have, e) < 0 ||
	    write_state_file(name, "hostlink.rules", rules, e) < 0 ||
	    write_state_file(name, "hostlink.listing", have ? have : "", e) < 0)
		goto out;
	rc = 0;
out:
	free(rules);
	free(have);
	free(had);
	free(had_rules);
	free(text);
	return rc;
}

int jailreach_hostlink_up(struct reach_run *r, struct nc *host, struct nc *jail, int nsfd, struct wj_err *e)
{
	const struct jail_spec *s = r->s;
	struct nft_port allow[JAIL_MAX_PUBLISH];
	struct nft_hostlink h = {.ifname = JAIL_HOSTLINK_INSIDE, .allow = allow};
	struct link_info li = {0};
	char name[IF_NAMESIZE];
	bool v6 = false;
	int got, rc = -1;

	if (!s->n_host_link)
		return 0; /* a host link the spec dropped goes with `down` */
	snprintf(name, sizeof(name), "wjh%u", s->id);
	if (strcmp(r->st->hostlink_if, name)) {
		if ((got = link_get(host, name, &li, e)) < 0)
			return -1;
		if (got)
			return wj_errf(e, "jail %s: link %s exists on the host and is not this jail's", s->name, name);
		snprintf(r->st->hostlink_if, sizeof(r->st->hostlink_if), "%s", name);
		if (!r->dry && r->save(r->arg, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->n_host_allow; i++) {
		struct reach_port p;
		if (reach_parse_allow(s->host_allow[i], &p))
			return wj_errf(e, "jail %s: host_allow = '%s' is not PROTO:PORT", s->name, s->host_allow[i]);
		allow[h.n_allow++] = (struct nft_port){ipproto(p.proto), p.host_port, p.host_port};
	}
	for (size_t i = 0; i < s->n_host_link; i++) {
		h.host[h.n_host++] = s->host_link[i];
		v6 |= s->host_link[i].family == AF_INET6;
	}
	/* The firewall first, then the cable: the link never carries a
	 * packet the rules have not seen. */
	if (hostlink_table(r, &h, nsfd, e) < 0)
		goto out;
	if (link_create_veth(host, name, JAIL_HOSTLINK_INSIDE, nsfd, e) < 0)
		goto out;
	if (!v6 && !r->dry && no_ipv6_in(nsfd, JAIL_HOSTLINK_INSIDE, e) < 0)
		goto out;
	for (size_t i = 0; i < s->n_host_link; i++) {
		struct wg_ipmask peer;
		reach_link_peer(&s->host_link[i], &peer);
		if (addr_add(host, name, &s->host_link[i], e) < 0 || addr_add(jail, JAIL_HOSTLINK_INSIDE, &peer, e) < 0)
			goto out;
	}
	if (link_set_up(host, name, true, e) < 0 || link_set_up(jail, JAIL_HOSTLINK_INSIDE, true, e) < 0)
		goto out;
	rc = 0;
out:
	return rc;
}

int jailreach_hostlink_down(struct jail_state *st, struct nc *host, struct wj_err *e)
{
	if (!st->hostlink_if[0])
		return 0;
	if (link_delete(host, st->hostlink_if, e) < 0)
		return -1;
	st->hostlink_if[0] = '\0';
	return 0;
}
