/* nftables through libnftables (see netconf/nft.h).
 *
 * libnftables is loaded (dlopen) on first use, not linked: linked, it
 * maps five libraries (libnftables, libnftnl, libxtables, libjansson,
 * libgmp) into every wgjail process, which costs ~3 ms of CPU at each
 * start here (bench/results/issue19b.md), paid by every command though
 * only `up`, `down` and the reachability checks use nftables.  Each
 * function's type is checked against the library's own header when this
 * file compiles (util/dynlib.h). */
#include "netconf/nft.h"

#include <dlfcn.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dynlib.h"
#include "util/err.h"

#define NFT_SONAME "libnftables.so.1"

struct nft_lib {
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	int (*buffer_output)(struct nft_ctx *ctx);
	int (*buffer_error)(struct nft_ctx *ctx);
	const char *(*output)(struct nft_ctx *ctx);
	const char *(*error)(struct nft_ctx *ctx);
	int (*run)(struct nft_ctx *nft, const char *buf);
	unsigned int (*get_flags)(struct nft_ctx *ctx);
	void (*set_flags)(struct nft_ctx *ctx, unsigned int flags);
};

static struct nft_lib lib;
static bool loaded;

#define LOAD(h, field, fn) WJ_DL_LOAD((h), lib.field, fn, NFT_SONAME, e)

static int lib_load(struct wj_err *e)
{
	void *h;

	if (loaded)
		return 0;
	if (!(h = wj_dl_open(NFT_SONAME, "nftables", "Debian: libnftables1", e)))
		return -1;
	if (LOAD(h, ctx_new, nft_ctx_new) < 0 || LOAD(h, ctx_free, nft_ctx_free) < 0 ||
	    LOAD(h, buffer_output, nft_ctx_buffer_output) < 0 || LOAD(h, buffer_error, nft_ctx_buffer_error) < 0 ||
	    LOAD(h, output, nft_ctx_get_output_buffer) < 0 || LOAD(h, error, nft_ctx_get_error_buffer) < 0 ||
	    LOAD(h, run, nft_run_cmd_from_buffer) < 0 || LOAD(h, get_flags, nft_ctx_output_get_flags) < 0 ||
	    LOAD(h, set_flags, nft_ctx_output_set_flags) < 0) {
		dlclose(h);
		memset(&lib, 0, sizeof(lib));
		return -1;
	}
	loaded = true; /* H stays open for the life of the process */
	return 0;
}

static struct nft_ctx *ctx_new(struct wj_err *e)
{
	struct nft_ctx *c;

	if (lib_load(e) < 0)
		return NULL;
	if (!(c = lib.ctx_new(NFT_CTX_DEFAULT))) {
		wj_errnof(e, ENOMEM, "nftables: cannot make a context");
		return NULL;
	}
	if (lib.buffer_output(c) < 0 || lib.buffer_error(c) < 0) {
		lib.ctx_free(c);
		wj_errnof(e, ENOMEM, "nftables: cannot buffer its output");
		return NULL;
	}
	return c;
}

/* The first line of libnftables' error text, for a message. */
static void first_line(const char *text, char *out, size_t sz)
{
	size_t n = text ? strcspn(text, "\n") : 0;

	if (n >= sz)
		n = sz - 1;
	memcpy(out, text ? text : "", n);
	out[n] = '\0';
}

int nft_run(const char *text, const char *what, struct wj_err *e)
{
	struct nft_ctx *c = ctx_new(e);
	char why[300];
	int r;

	if (!c)
		return -1;
	if (getenv("WGJAIL_TEST_NFT_FAIL") && *getenv("WGJAIL_TEST_NFT_FAIL")) {
		/* A test hook (wgjail(8), ENVIRONMENT): the transaction ends
		 * with a statement the kernel refuses, after everything else
		 * in it, so that a test can show that a refused load changes
		 * nothing at all. */
		char *bad = NULL;
		if (asprintf(&bad, "%sadd rule inet wgjail wgjail-test-no-such-chain accept\n", text) < 0) {
			lib.ctx_free(c);
			return wj_errnof(e, ENOMEM, "nftables: %s", what);
		}
		r = lib.run(c, bad);
		free(bad);
	} else {
		r = lib.run(c, text);
	}
	if (r != 0) {
		first_line(lib.error(c), why, sizeof(why));
		wj_errf(e, "nftables: %s: loading failed, nothing changed: %s", what, why[0] ? why : "unknown error");
	}
	lib.ctx_free(c);
	return r ? -1 : 0;
}

static int list(const char *cmd, bool handles, char **out, struct wj_err *e)
{
	struct nft_ctx *c = ctx_new(e);
	const char *err;
	char why[300];
	int r = -1;

	*out = NULL;
	if (!c)
		return -1;
	if (handles)
		lib.set_flags(c, lib.get_flags(c) | NFT_CTX_OUTPUT_HANDLE);
	if (lib.run(c, cmd) == 0) {
		if ((*out = strdup(lib.output(c))))
			r = 1;
		else
			wj_errnof(e, ENOMEM, "nftables: %s", cmd);
	} else {
		err = lib.error(c);
		if (err && strstr(err, "No such file or directory")) {
			r = 0;
		} else {
			first_line(err, why, sizeof(why));
			wj_errf(e, "nftables: %s: %s", cmd, why[0] ? why : "unknown error");
		}
	}
	lib.ctx_free(c);
	return r;
}

int nft_list(const char *cmd, char **out, struct wj_err *e)
{
	return list(cmd, false, out, e);
}

int nft_list_handles(const char *cmd, char **out, struct wj_err *e)
{
	return list(cmd, true, out, e);
}
