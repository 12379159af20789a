/* wjvm: a test driver for the kernel backend inside the VM, linked with
 * wgjail's library (no code of its own talks to the kernel):
 *   wjvm create IF | delete IF | has IF | list
 *   wjvm dump IF              the device through wg_backend_for() in the
 *                             format of `wg show IF dump`
 *   wjvm kget IF              the same through the kernel backend directly
 *   wjvm set IF ARGS...       a change set from wg(8)-like arguments:
 *        private-key FILE | listen-port N | fwmark N |
 *        peer KEY [remove] [update-only] [replace-allowed-ips]
 *             [preshared-key FILE] [endpoint IP:PORT]
 *             [persistent-keepalive N] [allowed-ips A/C,...]
 *   wjvm gen IF N BIG EXPECT  N random peers (the first with BIG allowed
 *                             IPs) and a random private key, applied in
 *                             one change set; EXPECT gets the expected
 *                             `wg show dump` (canonical form)
 *   wjvm genconf N BIG EXPECT CONF   the same, written as a wg0.conf
 *                             (mode 0600) instead of applied
 *   wjvm canon                stdin `wg show dump` -> canonical form
 *                             (allowed IPs and peer lines sorted)
 * Exit 0 on success, 1 with a message on stderr otherwise. */
#include <arpa/inet.h>
#include <sodium.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/strutil.h"
#include "keys/keyfile.h"
#include "keys/keys.h"
#include "wg/wglink.h"
#include "wg/backend.h"
#include "wg/model.h"

static int die(const struct wj_err *e)
{
	fprintf(stderr, "wjvm: %s\n", e->msg);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "wjvm: bad usage (see tests/vm/wjvm.c)\n");
	return 2;
}

static void print_key(FILE *f, const uint8_t *k, int have)
{
	char b[WG_KEY_B64_LEN + 1];

	if (!have) {
		fputs("(none)", f);
		return;
	}
	key_to_base64(b, k);
	fputs(b, f);
}

static void print_dump(FILE *f, const struct wg_device *d)
{
	char s[128];

	print_key(f, d->private_key, (d->flags & WGDEV_HAS_PRIVATE_KEY) != 0);
	fputc('\t', f);
	print_key(f, d->public_key, (d->flags & (WGDEV_HAS_PUBLIC_KEY | WGDEV_HAS_PRIVATE_KEY)) != 0);
	fprintf(f, "\t%u\t", d->listen_port);
	if (d->fwmark)
		fprintf(f, "0x%x\n", d->fwmark);
	else
		fputs("off\n", f);
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer *p = &d->peers[i];
		print_key(f, p->public_key, 1);
		fputc('\t', f);
		print_key(f, p->psk, (p->flags & WGPEER_HAS_PSK) != 0);
		fputc('\t', f);
		if (p->endpoint_addr.sa.sa_family == AF_INET || p->endpoint_addr.sa.sa_family == AF_INET6)
			fputs(wg_sockaddr_fmt(&p->endpoint_addr, s, sizeof(s)), f);
		else
			fputs("(none)", f);
		fputc('\t', f);
		for (size_t j = 0; j < p->n_aips; j++)
			fprintf(f, "%s%s", j ? "," : "", wg_ipmask_fmt(&p->aips[j], s, sizeof(s)));
		if (!p->n_aips)
			fputs("(none)", f);
		fprintf(f, "\t%lld\t%llu\t%llu\t", (long long)p->last_handshake_sec, (unsigned long long)p->rx_bytes,
			(unsigned long long)p->tx_bytes);
		if (p->keepalive)
			fprintf(f, "%u\n", p->keepalive);
		else
			fputs("off\n", f);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the comma-separated allowed IPs (field 4) of a peer line. */
static char *canon_line(char *line)
{
	char *f[8], *save = NULL, *t, *ips[70000], *out;
	size_t nf = 0, ni = 0, len = strlen(line) + 2;

	for (t = strtok_r(line, "\t", &save); t && nf < 8; t = strtok_r(NULL, "\t", &save))
		f[nf++] = t;
	out = calloc(1, len + 16);
	if (nf != 8) {
		for (size_t i = 0; i < nf; i++)
			strcat(strcat(out, i ? "\t" : ""), f[i]);
		return out;
	}
	for (t = strtok_r(f[3], ",", &save); t && ni < 70000; t = strtok_r(NULL, ",", &save))
		ips[ni++] = t;
	qsort(ips, ni, sizeof(*ips), cmp_str);
	for (size_t i = 0; i < 3; i++)
		strcat(strcat(out, f[i]), "\t");
	for (size_t i = 0; i < ni; i++)
		strcat(strcat(out, i ? "," : ""), ips[i]);
	for (size_t i = 4; i < 8; i++)
		strcat(strcat(out, "\t"), f[i]);
	return out;
}

static int cmd_canon(void)
{
	static char line[1 << 20];
	char **lines = NULL;
	size_t n = 0, cap = 0;

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			lines = realloc(lines, cap * sizeof(*lines));
			if (!lines)
				return 1;
		}
		lines[n++] = canon_line(line);
	}
	/* The interface line stays first; peers sorted. */
	if (n > 1)
		qsort(lines + 1, n - 1, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < n; i++) {
		puts(lines[i]);
		free(lines[i]);
	}
	free(lines);
	return 0;
}

static int parse_u(const char *s, uint64_t max, uint64_t *v)
{
	if (wj_parse_uint(s, 0, max, v) < 0) {
		fprintf(stderr, "wjvm: bad number '%s'\n", s);
		return -1;
	}
	return 0;
}

static int parse_endpoint(const char *s, union wg_sockaddr *a)
{
	char host[64];
	const char *c = strrchr(s, ':');
	uint64_t port;
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (!c || parse_u(c + 1, 65535, &port) < 0)
		return -1;
	hl = (size_t)(c - s);
	if (s[0] == '[' && hl > 2 && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons((uint16_t)port);
	} else {
		return -1;
	}
	return 0;
}

static int cmd_set(const char *ifname, int argc, char **argv)
{
	struct wg_device *c = wg_device_new();
	struct wj_err e = {0, ""};
	const struct wg_backend *b;
	size_t peer = SIZE_MAX;
	uint8_t k[WG_KEY_LEN];
	uint64_t v;
	int i, r = 1;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
		struct wg_peer *p = peer == SIZE_MAX ? NULL : &c->peers[peer];
		if (!strcmp(a, "private-key") && arg && !p) {
			if (keyfile_read(arg, k, &e) < 0 || wg_device_set_private_key(c, k) < 0)
				goto fail;
			sodium_memzero(k, sizeof(k));
			i++;
		} else if (!strcmp(a, "listen-port") && arg && !p) {
			if (parse_u(arg, 65535, &v) < 0)
				goto out;
			c->listen_port = (uint16_t)v;
			c->flags |= WGDEV_HAS_LISTEN_PORT;
			i++;
		} else if (!strcmp(a, "fwmark") && arg && !p) {
			if (parse_u(arg, UINT32_MAX, &v) < 0)
				goto out;
			c->fwmark = (uint32_t)v;
			c->flags |= WGDEV_HAS_FWMARK;
			i++;
		} else if (!strcmp(a, "peer") && arg) {
			if (!key_from_base64(k, arg) || !(p = wg_device_add_peer(c, k)))
				goto bad;
			peer = (size_t)(p - c->peers);
			i++;
		} else if (p && !strcmp(a, "remove")) {
			p->flags |= WGPEER_REMOVE;
		} else if (p && !strcmp(a, "update-only")) {
			p->flags |= WGPEER_UPDATE_ONLY;
		} else if (p && !strcmp(a, "replace-allowed-ips")) {
			p->flags |= WGPEER_REPLACE_AIPS;
		} else if (p && !strcmp(a, "preshared-key") && arg) {
			if (keyfile_read(arg, p->psk, &e) < 0)
				goto fail;
			p->flags |= WGPEER_HAS_PSK;
			i++;
		} else if (p && !strcmp(a, "endpoint") && arg) {
			if (parse_endpoint(arg, &p->endpoint_addr) < 0)
				goto bad;
			p->flags |= WGPEER_HAS_ENDPOINT;
			i++;
		} else if (p && !strcmp(a, "persistent-keepalive") && arg) {
			if (parse_u(arg, 65535, &v) < 0)
				goto out;
			p->keepalive = (uint16_t)v;
			p->flags |= WGPEER_HAS_KEEPALIVE;
			i++;
		} else if (p && !strcmp(a, "allowed-ips") && arg) {
			char *dup = strdup(arg), *save = NULL;
			for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				struct wg_ipmask ip;
				if (wg_ipmask_parse(t, &ip) < 0 || wg_peer_add_aip(p, &ip) < 0) {
					free(dup);
					goto bad;
				}
			}
			free(dup);
			p->flags |= WGPEER_CHANGED_AIPS;
			i++;
		} else {
			goto bad;
		}
	}
	if (!(b = wg_backend_for(ifname, &e)) || b->set(ifname, c, &e) < 0)
		goto fail;
	r = 0;
	goto out;
bad:
	fprintf(stderr, "wjvm: bad set argument '%s'\n", argv[i]);
	goto out;
fail:
	die(&e);
out:
	wg_device_free(c);
	return r;
}

static void write_conf(FILE *f, const struct wg_device *d)
{
	char s[128];

	fputs("[Interface]\nPrivateKey = ", f);
	print_key(f, d->private_key, 1);
	fprintf(f, "\nListenPort = %u\n", d->listen_port);
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer *p = &d->peers[i];
		fputs("\n[Peer]\nPublicKey = ", f);
		print_key(f, p->public_key, 1);
		if (p->flags & WGPEER_HAS_PSK) {
			fputs("\nPresharedKey = ", f);
			print_key(f, p->psk, 1);
		}
		if (p->flags & WGPEER_HAS_ENDPOINT)
			fprintf(f, "\nEndpoint = %s", wg_sockaddr_fmt(&p->endpoint_addr, s, sizeof(s)));
		if (p->flags & WGPEER_HAS_KEEPALIVE)
			fprintf(f, "\nPersistentKeepalive = %u", p->keepalive);
		for (size_t j = 0; j < p->n_aips; j++)
			fprintf(f, "%s%s", j ? ", " : "\nAllowedIPs = ", wg_ipmask_fmt(&p->aips[j], s, sizeof(s)));
		fputc('\n', f);
	}
}

/* IFNAME "-" with CONF: write a wg0.conf instead of applying. */
static int cmd_gen(const char *ifname, const char *ns, const char *bigs, const char *expect, const char *conf)
{
	struct wg_device *c = wg_device_new();
	struct wj_err e = {0, ""};
	const struct wg_backend *b;
	uint64_t n, big;
	uint8_t k[WG_KEY_LEN];
	FILE *f;
	int r = 1;

	if (parse_u(ns, 1000000, &n) < 0 || parse_u(bigs, 60000, &big) < 0)
		goto out;
	key_generate_private(k);
	wg_device_set_private_key(c, k);
	sodium_memzero(k, sizeof(k));
	c->listen_port = 40000;
	c->flags |= WGDEV_HAS_LISTEN_PORT;
	for (uint64_t i = 0; i < n; i++) {
		struct wg_peer *p;
		uint64_t na = i == 0 ? big : 1 + i % 3;
		uint8_t pub[WG_KEY_LEN];
		key_generate_private(k);
		key_public_from_private(pub, k);
		if (!(p = wg_device_add_peer(c, pub)))
			goto out;
		if (i % 5 == 0) {
			key_generate_psk(p->psk);
			p->flags |= WGPEER_HAS_PSK;
		}
		if (i % 3 == 0) {
			p->flags |= WGPEER_HAS_ENDPOINT;
			if (i % 2) {
				p->endpoint_addr.in6.sin6_family = AF_INET6;
				p->endpoint_addr.in6.sin6_port = htons((uint16_t)(1024 + i % 60000));
				p->endpoint_addr.in6.sin6_addr.s6_addr[0] = 0x20;
				p->endpoint_addr.in6.sin6_addr.s6_addr[1] = 0x01;
				p->endpoint_addr.in6.sin6_addr.s6_addr[14] = (uint8_t)(i >> 8);
				p->endpoint_addr.in6.sin6_addr.s6_addr[15] = (uint8_t)i;
			} else {
				p->endpoint_addr.in.sin_family = AF_INET;
				p->endpoint_addr.in.sin_port = htons((uint16_t)(1024 + i % 60000));
				p->endpoint_addr.in.sin_addr.s_addr = htonl(0xc6120000u + (uint32_t)(i & 0xffff));
			}
		}
		if (i % 4 == 1) {
			p->keepalive = (uint16_t)(10 + i % 50);
			p->flags |= WGPEER_HAS_KEEPALIVE;
		}
		for (uint64_t j = 0; j < na; j++) {
			struct wg_ipmask ip;
			memset(&ip, 0, sizeof(ip));
			if (j % 2 == 0) {
				ip.family = AF_INET;
				ip.cidr = 32;
				ip.addr.ip4.s_addr = htonl(0x0a000000u + (uint32_t)(i << 8) + (uint32_t)(j / 2));
				if (i == 0)
					ip.addr.ip4.s_addr = htonl(0x64400000u + (uint32_t)j);
			} else {
				ip.family = AF_INET6;
				ip.cidr = 128;
				ip.addr.ip6.s6_addr[0] = 0xfd;
				ip.addr.ip6.s6_addr[10] = (uint8_t)(i >> 16);
				ip.addr.ip6.s6_addr[11] = (uint8_t)(i >> 8);
				ip.addr.ip6.s6_addr[12] = (uint8_t)i;
				ip.addr.ip6.s6_addr[14] = (uint8_t)(j >> 8);
				ip.addr.ip6.s6_addr[15] = (uint8_t)j;
			}
			if (wg_peer_add_aip(p, &ip) < 0)
				goto out;
		}
	}
	if (!(f = fopen(expect, "w")))
		goto out;
	print_dump(f, c);
	fclose(f);
	if (conf) {
		mode_t old = umask(077);
		f = fopen(conf, "w");
		umask(old);
		if (!f)
			goto out;
		write_conf(f, c);
		r = fclose(f) == 0 ? 0 : 1;
		goto out;
	}
	if (!(b = wg_backend_for(ifname, &e)) || b->set(ifname, c, &e) < 0) {
		die(&e);
		goto out;
	}
	r = 0;
out:
	wg_device_free(c);
	return r;
}

int main(int argc, char **argv)
{
	struct wj_err e = {0, ""};

	if (keys_init() < 0)
		return 1;
	if (argc == 2 && !strcmp(argv[1], "canon"))
		return cmd_canon();
	if (argc == 2 && !strcmp(argv[1], "list")) {
		char **names = NULL;
		size_t n = 0;
		if (wg_backend_list_all(&names, &n, &e) < 0)
			return die(&e);
		for (size_t i = 0; i < n; i++)
			puts(names[i]);
		wg_backend_free_list(names, n);
		return 0;
	}
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "create"))
		return wglink_create(argv[2], &e) < 0 ? die(&e) : 0;
	if (!strcmp(argv[1], "delete"))
		return wglink_delete(argv[2], &e) < 0 ? die(&e) : 0;
	if (!strcmp(argv[1], "has")) {
		const struct wg_backend *b = wg_backend_for(argv[2], &e);
		if (!b)
			return die(&e);
		puts(b->name);
		return 0;
	}
	if (!strcmp(argv[1], "dump")) {
		const struct wg_backend *b = wg_backend_for(argv[2], &e);
		struct wg_device *d;
		if (!b || b->get(argv[2], &d, &e) < 0)
			return die(&e);
		print_dump(stdout, d);
		wg_device_free(d);
		return 0;
	}
	if (!strcmp(argv[1], "kget")) {
		/* The kernel backend directly, without the choice: its errors. */
		struct wg_device *d;
		if (wg_backend_kernel.get(argv[2], &d, &e) < 0)
			return die(&e);
		print_dump(stdout, d);
		wg_device_free(d);
		return 0;
	}
	if (!strcmp(argv[1], "set"))
		return cmd_set(argv[2], argc - 3, argv + 3);
	if (!strcmp(argv[1], "gen") && argc == 6)
		return cmd_gen(argv[2], argv[3], argv[4], argv[5], NULL);
	if (!strcmp(argv[1], "genconf") && argc == 6)
		return cmd_gen(NULL, argv[2], argv[3], argv[4], argv[5]);
	return usage();
}
