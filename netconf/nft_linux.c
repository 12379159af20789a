/* nftables through libnftables (see netconf/nft.h). */
#include "netconf/nft.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static struct nft_ctx *ctx_new(struct wj_err *e)
{
	struct nft_ctx *c = nft_ctx_new(NFT_CTX_DEFAULT);

	if (!c) {
		wj_errnof(e, ENOMEM, "nftables: cannot make a context");
		return NULL;
	}
	if (nft_ctx_buffer_output(c) < 0 || nft_ctx_buffer_error(c) < 0) {
		nft_ctx_free(c);
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
			nft_ctx_free(c);
			return wj_errnof(e, ENOMEM, "nftables: %s", what);
		}
		r = nft_run_cmd_from_buffer(c, bad);
		free(bad);
	} else {
		r = nft_run_cmd_from_buffer(c, text);
	}
	if (r != 0) {
		first_line(nft_ctx_get_error_buffer(c), why, sizeof(why));
		wj_errf(e, "nftables: %s: loading failed, nothing changed: %s", what, why[0] ? why : "unknown error");
	}
	nft_ctx_free(c);
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
		nft_ctx_output_set_flags(c, nft_ctx_output_get_flags(c) | NFT_CTX_OUTPUT_HANDLE);
	if (nft_run_cmd_from_buffer(c, cmd) == 0) {
		if ((*out = strdup(nft_ctx_get_output_buffer(c))))
			r = 1;
		else
			wj_errnof(e, ENOMEM, "nftables: %s", cmd);
	} else {
		err = nft_ctx_get_error_buffer(c);
		if (err && strstr(err, "No such file or directory")) {
			r = 0;
		} else {
			first_line(err, why, sizeof(why));
			wj_errf(e, "nftables: %s: %s", cmd, why[0] ? why : "unknown error");
		}
	}
	nft_ctx_free(c);
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
