/* A text as a QR code (see util/qr.h). */
#include "util/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"

#define PNG_SCALE 8

struct grid {
	int w;                  /* modules per side, quiet zone included */
	int margin;
	const QRcode *q;
};

static int dark(const struct grid *g, int x, int y)
{
	x -= g->margin;
	y -= g->margin;
	if (x < 0 || y < 0 || x >= g->q->width || y >= g->q->width)
		return 0;
	return g->q->data[y * g->q->width + x] & 1;
}

/* ---- terminal ---- */

static size_t draw_utf8(const struct grid *g, char *out)
{
	/* light modules drawn, by (top dark, bottom dark): full block,
	 * upper half, lower half, nothing */
	static const char *const cell[4] = {"\xe2\x96\x88", "\xe2\x96\x80", "\xe2\x96\x84", " "};
	size_t n = 0;

	for (int y = 0; y < g->w; y += 2) {
		for (int x = 0; x < g->w; x++) {
			int top = dark(g, x, y), bot = y + 1 < g->w ? dark(g, x, y + 1) : 0;
			const char *c = cell[top * 2 + bot];
			size_t l = strlen(c);
			memcpy(out + n, c, l);
			n += l;
		}
		out[n++] = '\n';
	}
	return n;
}

/* ---- SVG ---- */

static size_t draw_svg(const struct grid *g, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap,
				    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
				    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
				    "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n<path fill=\"#000000\" d=\"",
				    g->w * PNG_SCALE, g->w * PNG_SCALE, g->w, g->w, g->w, g->w);

	for (int y = 0; y < g->w; y++)
		for (int x = 0; x < g->w; x++) {
			int run = 0;
			while (x + run < g->w && dark(g, x + run, y))
				run++;
			if (run) {
				n += (size_t)snprintf(out + n, cap - n, "M%d %dh%dv1h-%dz", x, y, run, run);
				x += run - 1;
			}
		}
	n += (size_t)snprintf(out + n, cap - n, "\"/>\n</svg>\n");
	return n;
}

/* ---- PNG ---- */

static uint32_t crc_table[256];

static uint32_t crc32_of(const uint8_t *p, size_t n, uint32_t c)
{
	if (!crc_table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;
			for (int k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			crc_table[i] = v;
		}
	c = ~c;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return ~c;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A chunk of TYPE with DATA[0..N) at OUT; returns its size. */
static size_t chunk(uint8_t *out, const char *type, const uint8_t *data, size_t n)
{
	be32(out, (uint32_t)n);
	memcpy(out + 4, type, 4);
	if (n)
		memmove(out + 8, data, n);
	be32(out + 8 + n, crc32_of(out + 4, n + 4, 0));
	return n + 12;
}

static size_t png_size(int w)
{
	size_t px = (size_t)w * PNG_SCALE, raw = (px + 1) * px, blocks = raw / 65535 + 1;

	return 8 + 25 + (12 + 2 + raw + blocks * 5 + 4) + 12;
}

static size_t draw_png(const struct grid *g, uint8_t *out)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	uint32_t px = (uint32_t)g->w * PNG_SCALE, a = 1, b = 0;
	size_t raw = (size_t)(px + 1) * px, n = 8, z, left;
	uint8_t ihdr[13], *d;

	memcpy(out, sig, 8);
	be32(ihdr, px);
	be32(ihdr + 4, px);
	ihdr[8] = 8;  /* bit depth */
	ihdr[9] = 0;  /* greyscale */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	n += chunk(out + n, "IHDR", ihdr, 13);
	/* IDAT: a zlib stream of stored blocks, written in place after the
	 * chunk's length and type, then checksummed. */
	d = out + n + 8;
	z = 0;
	d[z++] = 0x78;
	d[z++] = 0x01;
	left = raw;
	for (uint32_t y = 0, x = 0; left;) {
		size_t blk = left > 65535 ? 65535 : left;
		d[z++] = left == blk ? 1 : 0;
		d[z++] = (uint8_t)blk;
		d[z++] = (uint8_t)(blk >> 8);
		d[z++] = (uint8_t)~blk;
		d[z++] = (uint8_t)(~blk >> 8);
		for (size_t i = 0; i < blk; i++) {
			/* row y: a filter byte (0), then px grey bytes */
			uint8_t v = x == 0 ? 0 : dark(g, (int)((x - 1) / PNG_SCALE), (int)(y / PNG_SCALE)) ? 0 : 255;
			d[z++] = v;
			a = (a + v) % 65521;
			b = (b + a) % 65521;
			if (++x == px + 1) {
				x = 0;
				y++;
			}
		}
		left -= blk;
	}
	be32(d + z, (b << 16) | a);
	z += 4;
	n += chunk(out + n, "IDAT", d, z);
	n += chunk(out + n, "IEND", NULL, 0);
	return n;
}

int qr_render(const char *text, enum qr_form form, char **out, size_t *len, struct wj_err *e)
{
	QRcode *q;
	struct grid g;
	size_t cap;

	*out = NULL;
	*len = 0;
	errno = 0;
	q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
	if (!q)
		return errno == ERANGE ? wj_errf(e, "the text (%zu bytes) is too long for a QR code", strlen(text))
				       : wj_errnof(e, errno ? errno : ENOMEM, "QR code");
	g.q = q;
	g.margin = form == QR_UTF8 ? 2 : 4;
	g.w = q->width + 2 * g.margin;
	cap = form == QR_UTF8 ? (size_t)g.w * ((size_t)g.w / 2 + 1) * 3 + (size_t)g.w + 16
	      : form == QR_SVG ? (size_t)g.w * (size_t)g.w * 24 + 512
			       : png_size(g.w);
	*out = malloc(cap);
	if (*out)
		*len = form == QR_UTF8 ? draw_utf8(&g, *out)
		       : form == QR_SVG ? draw_svg(&g, *out, cap)
					: draw_png(&g, (uint8_t *)*out);
	sodium_memzero(q->data, (size_t)q->width * (size_t)q->width);
	QRcode_free(q);
	if (!*out)
		return wj_errnof(e, ENOMEM, "QR code");
	return 0;
}

void qr_free(char *buf, size_t len)
{
	if (!buf)
		return;
	sodium_memzero(buf, len);
	free(buf);
}

int qr_form_of_path(const char *path, enum qr_form *form, struct wj_err *e)
{
	size_t n = strlen(path);

	if (n > 4 && !strcasecmp(path + n - 4, ".svg")) {
		*form = QR_SVG;
		return 0;
	}
	if (n > 4 && !strcasecmp(path + n - 4, ".png")) {
		*form = QR_PNG;
		return 0;
	}
	return wj_errf(e, "%s: a QR code file must be named *.png or *.svg", path);
}
