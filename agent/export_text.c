/* The remote side's wg-quick config (see agent/export_text.h). */
#include "agent/export_text.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "agent/commands.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/qr.h"

#define EXPORT_MAX (64u << 10)

static bool is_host(const struct wg_ipmask *m)
{
	return m->cidr == (m->family == AF_INET ? 32 : 128);
}

static void write_export(FILE *f, const char *jail, const struct jail_spec *spec, const uint8_t jail_pub[WG_KEY_LEN],
			 const struct wg_peer *p, const char *priv_b64, bool default_route)
{
	char k[WG_KEY_B64_LEN + 1], a[INET6_ADDRSTRLEN + 8];
	size_t n;

	key_to_base64(k, p->public_key);
	if (p->name[0])
		fprintf(f, "# wg-quick config for peer %s (%s) of jail %s (wgjail export)\n[Interface]\n", p->name, k,
			jail);
	else
		fprintf(f, "# wg-quick config for peer %s of jail %s (wgjail export)\n[Interface]\n", k, jail);
	if (priv_b64)
		fprintf(f, "PrivateKey = %s\n", priv_b64);
	else
		fprintf(f, "# PrivateKey = (this side's own private key; its public key is %s)\n", k);
	n = 0;
	for (size_t i = 0; i < p->n_aips; i++)
		if (is_host(&p->aips[i]))
			fprintf(f, "%s%s", n++ ? ", " : "Address = ", wg_ipmask_fmt(&p->aips[i], a, sizeof(a)));
	if (n)
		fprintf(f, "\n");
	else
		fprintf(f, "# Address = (peer %s has no single-address AllowedIPs in jail %s)\n", k, jail);
	for (size_t i = 0; i < p->n_aips; i++)
		if (!is_host(&p->aips[i]))
			fprintf(f, "# routed to this side as well: %s\n", wg_ipmask_fmt(&p->aips[i], a, sizeof(a)));

	key_to_base64(k, jail_pub);
	fprintf(f, "\n[Peer]\n# jail %s\nPublicKey = %s\n", jail, k);
	if ((p->flags & WGPEER_HAS_PSK) && !key_is_zero(p->psk)) {
		char psk[WG_KEY_B64_LEN + 1];
		key_to_base64(psk, p->psk);
		fprintf(f, "PresharedKey = %s\n", psk);
		sodium_memzero(psk, sizeof(psk));
	}
	if (spec->endpoint[0])
		fprintf(f, "Endpoint = %s\n", spec->endpoint);
	else
		fprintf(f, "# Endpoint = (unknown: set 'endpoint' in [wireguard] of jail %s's jail.conf)\n", jail);
	if (default_route) {
		fprintf(f, "AllowedIPs = 0.0.0.0/0, ::/0\n");
	} else if (spec->n_address) {
		fprintf(f, "AllowedIPs = ");
		for (size_t i = 0; i < spec->n_address; i++) {
			struct wg_ipmask m = spec->address[i];
			wg_ipmask_mask(&m);
			fprintf(f, "%s%s", i ? ", " : "", wg_ipmask_fmt(&m, a, sizeof(a)));
		}
		fprintf(f, "\n");
	} else {
		fprintf(f, "# AllowedIPs = (jail %s has no tunnel address in its spec)\n", jail);
	}
	if (!p->endpoint && p->endpoint_addr.sa.sa_family == AF_UNSPEC)
		fprintf(f, "PersistentKeepalive = 25\n");
}

int export_render(const char *jail, const struct jail_spec *spec, const uint8_t jail_pub[WG_KEY_LEN],
		  const struct wg_peer *p, const char *priv_b64, bool default_route, char **out, size_t *len,
		  struct wj_err *e)
{
	/* A fixed buffer in secure memory: no stdio reallocation leaves a
	 * copy of the key behind. */
	char *buf = sodium_malloc(EXPORT_MAX);
	FILE *f;
	long n;

	*out = NULL;
	*len = 0;
	if (!buf)
		return wj_errnof(e, ENOMEM, "export");
	memset(buf, 0, EXPORT_MAX);
	if (!(f = fmemopen(buf, EXPORT_MAX, "w"))) {
		sodium_free(buf);
		return wj_errnof(e, errno, "export");
	}
	setvbuf(f, NULL, _IONBF, 0);
	write_export(f, jail, spec, jail_pub, p, priv_b64, default_route);
	n = ftell(f);
	if (ferror(f) || n < 0 || (size_t)n >= EXPORT_MAX - 1) {
		fclose(f);
		sodium_free(buf);
		return wj_errf(e, "export: the config does not fit in %u bytes", EXPORT_MAX);
	}
	fclose(f);
	*out = buf;
	*len = (size_t)n;
	return 0;
}

int export_form_check(const struct export_form *form, struct wj_err *e)
{
	enum qr_form f;

	if (form->qr && form->qr_file)
		return wj_errf(e, "--qr and --qr-file exclude each other");
	return form->qr_file ? qr_form_of_path(form->qr_file, &f, e) : 0;
}

int export_emit(const char *jail, const struct jail_spec *spec, const uint8_t jail_pub[WG_KEY_LEN],
		const struct wg_peer *p, const char *priv_b64, const struct export_form *form, struct wj_err *e)
{
	char *text = NULL, *img = NULL;
	size_t len = 0, ilen = 0;
	enum qr_form qf = QR_UTF8;
	int r = -1;

	if (export_form_check(form, e) < 0 ||
	    export_render(jail, spec, jail_pub, p, priv_b64, form->default_route, &text, &len, e) < 0)
		return -1;
	if (form->qr_file)
		qr_form_of_path(form->qr_file, &qf, e);
	if (!form->qr && !form->qr_file) {
		fwrite(text, 1, len, stdout);
		r = cmd_output_done(e);
		goto out;
	}
	if (qr_render(text, qf, &img, &ilen, e) < 0)
		goto out;
	if (form->qr_file) {
		r = wj_write_atomic(form->qr_file, img, ilen, 0600, e);
		if (r == 0)
			fprintf(stderr, "wgjail: QR code written to %s (0600: it holds the config)\n", form->qr_file);
	} else {
		fwrite(img, 1, ilen, stdout);
		r = cmd_output_done(e);
	}
out:
	qr_free(img, ilen);
	sodium_free(text);
	return r;
}
