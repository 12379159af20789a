/* The host's own drop-policy forward chains (see agent/hostfwd_linux.h). */
#include "agent/hostfwd_linux.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf/nft.h"
#include "netconf/nftrules.h"
#include "util/err.h"
#include "util/sbuf.h"

/* The tag of jail NAME's rule, closing quote included (so that "wgjail a"
 * is not found in "wgjail ab"). */
static void tag(const char *name, char *buf, size_t sz)
{
	snprintf(buf, sz, "comment \"wgjail %s\"", name);
}

void hostfwd_rule(const char *name, char *buf, size_t sz)
{
	char t[128];

	tag(name, t, sizeof(t));
	snprintf(buf, sz, "%s %s", nft_forward_line(), t);
}

/* The families whose forward hook routed traffic crosses. */
static bool routed_family(const char *f)
{
	return !strcmp(f, "ip") || !strcmp(f, "ip6") || !strcmp(f, "inet");
}

/* Each forward base chain of a routed family outside wgjail's table:
 * FN(chain, drops-by-default, ARG), until FN returns < 0. */
static int each_forward_chain(int (*fn)(struct hostfwd_chain *c, bool drop, void *arg), void *arg,
			      struct wj_err *e)
{
	struct hostfwd_chain c;
	char *text = NULL, *save = NULL;
	int r = 0;

	memset(&c, 0, sizeof(c));
	if ((r = nft_list("list chains", &text, e)) <= 0)
		return r;
	r = 0;
	for (char *line = strtok_r(text, "\n", &save); line && r >= 0; line = strtok_r(NULL, "\n", &save)) {
		char a[128], b[128];
		line += strspn(line, " \t");
		if (sscanf(line, "table %15s %127s {", c.family, b) == 2) {
			snprintf(c.table, sizeof(c.table), "%s", b);
			c.chain[0] = '\0';
		} else if (sscanf(line, "chain %127s {", a) == 1) {
			snprintf(c.chain, sizeof(c.chain), "%s", a);
		} else if (c.chain[0] && strstr(line, "hook forward") && routed_family(c.family) &&
			   !(!strcmp(c.family, "inet") && !strcmp(c.table, WJ_NFT_TABLE))) {
			r = fn(&c, strstr(line, "policy drop") != NULL, arg);
		}
	}
	free(text);
	return r;
}

struct found {
	const char *name;
	struct hostfwd_chain *v;
	size_t n;
	struct wj_err *e;
};

static int push(struct found *f, const struct hostfwd_chain *c)
{
	struct hostfwd_chain *v = realloc(f->v, (f->n + 1) * sizeof(*v));

	if (!v)
		return wj_errnof(f->e, ENOMEM, "nftables: host forward chains");
	f->v = v;
	f->v[f->n++] = *c;
	return 0;
}

/* The chain C as nft lists it, with handles. */
static int chain_text(const struct hostfwd_chain *c, char **out, struct wj_err *e)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "list chain %s %s %s", c->family, c->table, c->chain);
	return nft_list_handles(cmd, out, e);
}

static int if_missing(struct hostfwd_chain *c, bool drop, void *arg)
{
	struct found *f = arg;
	char *text = NULL, t[128], *save = NULL;
	bool have = false;
	int got;

	if (!drop)
		return 0;
	if ((got = chain_text(c, &text, f->e)) <= 0)
		return got;
	tag(f->name, t, sizeof(t));
	for (char *line = strtok_r(text, "\n", &save); line && !have; line = strtok_r(NULL, "\n", &save))
		have = strstr(line, t) || (strstr(line, nft_forward_line()) && !strstr(line, "comment \"wgjail "));
	free(text);
	return have ? 0 : push(f, c);
}

static int if_tagged(struct hostfwd_chain *c, bool drop, void *arg)
{
	struct found *f = arg;
	char *text = NULL, t[128], *save = NULL, *h;
	int got, r = 0;

	(void)drop; /* a chain whose policy changed since keeps our rule */
	if ((got = chain_text(c, &text, f->e)) <= 0)
		return got;
	tag(f->name, t, sizeof(t));
	for (char *line = strtok_r(text, "\n", &save); line && r == 0; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, t) && (h = strstr(line, "# handle "))) {
			c->handle = strtoul(h + 9, NULL, 10);
			r = push(f, c);
		}
	free(text);
	return r;
}

static int collect(const char *name, int (*fn)(struct hostfwd_chain *, bool, void *), struct hostfwd_chain **out,
		   size_t *n, struct wj_err *e)
{
	struct found f = {name, NULL, 0, e};

	if (each_forward_chain(fn, &f, e) < 0) {
		free(f.v);
		*out = NULL;
		*n = 0;
		return -1;
	}
	*out = f.v;
	*n = f.n;
	return 0;
}

int hostfwd_missing(const char *name, struct hostfwd_chain **out, size_t *n, struct wj_err *e)
{
	return collect(name, if_missing, out, n, e);
}

int hostfwd_tagged(const char *name, struct hostfwd_chain **out, size_t *n, struct wj_err *e)
{
	return collect(name, if_tagged, out, n, e);
}

char *hostfwd_add_text(const char *name, const struct hostfwd_chain *c, size_t n)
{
	struct wj_sbuf b = {0};
	char rule[256];

	hostfwd_rule(name, rule, sizeof(rule));
	for (size_t i = 0; i < n; i++)
		wj_sb_printf(&b, "add rule %s %s %s %s\n", c[i].family, c[i].table, c[i].chain, rule);
	return wj_sb_take(&b, NULL);
}

char *hostfwd_delete_text(const struct hostfwd_chain *c, size_t n)
{
	struct wj_sbuf b = {0};

	for (size_t i = 0; i < n; i++)
		wj_sb_printf(&b, "delete rule %s %s %s handle %lu\n", c[i].family, c[i].table, c[i].chain,
			     c[i].handle);
	return wj_sb_take(&b, NULL);
}
