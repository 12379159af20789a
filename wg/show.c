/* Text and JSON rendering of a device (see wg/show.h). */
#include "wg/show.h"

#include <string.h>

char *wg_show_age(char *out, size_t outsz, long long secs)
{
	static const struct {
		const char *unit;
		long long len;
	} units[] = {{"year", 365LL * 86400}, {"day", 86400}, {"hour", 3600}, {"minute", 60}, {"second", 1}};
	size_t w = 0;

	if (outsz)
		out[0] = '\0';
	if (secs <= 0) {
		snprintf(out, outsz, "0 seconds");
		return out;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long long n = secs / units[i].len;
		int r;
		if (!n)
			continue;
		secs -= n * units[i].len;
		r = snprintf(out + w, outsz > w ? outsz - w : 0, "%s%lld %s%s", w ? ", " : "", n, units[i].unit,
			     n == 1 ? "" : "s");
		if (r < 0 || (size_t)r >= (outsz > w ? outsz - w : 0))
			break;
		w += (size_t)r;
	}
	return out;
}

char *wg_show_bytes(char *out, size_t outsz, unsigned long long b)
{
	static const char *const u[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)b;
	size_t i = 0;

	if (b < 1024) {
		snprintf(out, outsz, "%llu B", b);
		return out;
	}
	v /= 1024;
	while (v >= 1024 && i + 1 < sizeof(u) / sizeof(u[0])) {
		v /= 1024;
		i++;
	}
	snprintf(out, outsz, "%.2f %s", v, u[i]);
	return out;
}

static bool has_ep(const struct wg_peer *p)
{
	return p->endpoint_addr.sa.sa_family == AF_INET || p->endpoint_addr.sa.sa_family == AF_INET6;
}

void wg_show_text(FILE *f, const struct wg_device *dev, time_t now)
{
	char kb[WG_KEY_B64_LEN + 1], buf[128], b2[64];

	fprintf(f, "interface: %s\n", dev->name);
	if (dev->flags & WGDEV_HAS_PUBLIC_KEY) {
		key_to_base64(kb, dev->public_key);
		fprintf(f, "  public key: %s\n", kb);
	}
	if (dev->private_key && !key_is_zero(dev->private_key))
		fputs("  private key: (hidden)\n", f);
	if (dev->listen_port)
		fprintf(f, "  listening port: %u\n", dev->listen_port);
	if (dev->fwmark)
		fprintf(f, "  fwmark: 0x%x\n", dev->fwmark);
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		key_to_base64(kb, p->public_key);
		fprintf(f, "\npeer: %s\n", kb);
		if ((p->flags & WGPEER_HAS_PSK) && !key_is_zero(p->psk))
			fputs("  preshared key: (hidden)\n", f);
		if (has_ep(p))
			fprintf(f, "  endpoint: %s\n", wg_sockaddr_fmt(&p->endpoint_addr, buf, sizeof(buf)));
		fputs("  allowed ips: ", f);
		if (!p->n_aips)
			fputs("(none)", f);
		for (size_t j = 0; j < p->n_aips; j++)
			fprintf(f, "%s%s", j ? ", " : "", wg_ipmask_fmt(&p->aips[j], buf, sizeof(buf)));
		fputc('\n', f);
		if (p->last_handshake_sec > 0) {
			long long age = (long long)now - (long long)p->last_handshake_sec;
			if (age <= 0)
				fputs("  latest handshake: Now\n", f);
			else
				fprintf(f, "  latest handshake: %s ago\n", wg_show_age(buf, sizeof(buf), age));
		}
		if (p->rx_bytes || p->tx_bytes)
			fprintf(f, "  transfer: %s received, %s sent\n", wg_show_bytes(buf, sizeof(buf), p->rx_bytes),
				wg_show_bytes(b2, sizeof(b2), p->tx_bytes));
		if (p->keepalive)
			fprintf(f, "  persistent keepalive: every %u second%s\n", p->keepalive,
				p->keepalive == 1 ? "" : "s");
	}
}

void wg_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

void wg_show_json(FILE *f, const struct wg_device *dev, time_t now)
{
	wg_show_json_open(f, dev, now);
	fputc('}', f);
}

void wg_show_json_open(FILE *f, const struct wg_device *dev, time_t now)
{
	char kb[WG_KEY_B64_LEN + 1], buf[128];

	fputs("{\"name\":", f);
	wg_json_string(f, dev->name);
	fputs(",\"public_key\":", f);
	if (dev->flags & WGDEV_HAS_PUBLIC_KEY) {
		key_to_base64(kb, dev->public_key);
		fprintf(f, "\"%s\"", kb);
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"listen_port\":%u,\"fwmark\":%u,\"peers\":[", dev->listen_port, dev->fwmark);
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		key_to_base64(kb, p->public_key);
		fprintf(f, "%s{\"public_key\":\"%s\",\"preshared_key\":%s,\"endpoint\":", i ? "," : "", kb,
			(p->flags & WGPEER_HAS_PSK) && !key_is_zero(p->psk) ? "true" : "false");
		if (has_ep(p))
			wg_json_string(f, wg_sockaddr_fmt(&p->endpoint_addr, buf, sizeof(buf)));
		else
			fputs("null", f);
		fputs(",\"allowed_ips\":[", f);
		for (size_t j = 0; j < p->n_aips; j++)
			fprintf(f, "%s\"%s\"", j ? "," : "", wg_ipmask_fmt(&p->aips[j], buf, sizeof(buf)));
		fprintf(f, "],\"latest_handshake\":%lld,\"latest_handshake_age\":",
			p->last_handshake_sec > 0 ? (long long)p->last_handshake_sec : 0LL);
		if (p->last_handshake_sec > 0) {
			long long age = (long long)now - (long long)p->last_handshake_sec;
			fprintf(f, "%lld", age > 0 ? age : 0);
		} else {
			fputs("null", f);
		}
		fprintf(f, ",\"rx_bytes\":%llu,\"tx_bytes\":%llu,\"persistent_keepalive\":%u}",
			(unsigned long long)p->rx_bytes, (unsigned long long)p->tx_bytes, p->keepalive);
	}
	fputc(']', f);
}
