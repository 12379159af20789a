/* A text as a QR code (see util/qr.h). */
#include "util/qr.h"

#include <errno.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"
#include "util/qr_lib.h"

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

/* ---- PNG (libpng) ----
 *
 * The image holds the text (a private key, usually): every buffer libpng
 * and its zlib stream allocate comes from sodium_malloc and is wiped by
 * sodium_free, and the encoded bytes go to a buffer of ours, wiped by
 * qr_free.  libpng is loaded by the first PNG (util/qr_lib.h): png_lib below
 * is set before any of its calls, so the callbacks use it too. */

static const struct qr_png_lib *png_lib;

struct png_out {
	uint8_t *buf;
	size_t len, cap;
	int failed;
};

static png_voidp png_alloc(png_structp p, png_alloc_size_t n)
{
	(void)p;
	return sodium_malloc(n ? n : 1);
}

static void png_release(png_structp p, png_voidp v)
{
	(void)p;
	sodium_free(v);
}

static void png_put(png_structp p, png_bytep data, size_t n)
{
	struct png_out *o = png_lib->get_io_ptr(p);

	if (o->failed)
		return;
	if (o->len + n > o->cap) {
		size_t cap = (o->len + n) * 2;
		uint8_t *b = malloc(cap);
		if (!b) {
			o->failed = 1;
			return;
		}
		if (o->len)
			memcpy(b, o->buf, o->len);
		qr_free((char *)o->buf, o->cap);
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, data, n);
	o->len += n;
}

static void png_flush_nothing(png_structp p)
{
	(void)p;
}

/* G as an 8-bit grey PNG, PNG_SCALE pixels per module, into *O. */
static int draw_png(const struct grid *g, struct png_out *o, struct wj_err *e)
{
	png_structp p;
	png_infop info = NULL;
	png_bytep row = NULL;
	jmp_buf *jb = NULL;
	uint32_t px = (uint32_t)g->w * PNG_SCALE;
	volatile int ok = 0;

	if (!png_lib && !(png_lib = qr_png_lib(e)))
		return -1;
	p = png_lib->create_write_struct_2(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL, NULL, png_alloc, png_release);
	if (!p)
		return wj_errnof(e, ENOMEM, "PNG image");
	/* made before setjmp: nothing a longjmp could clobber (png_jmpbuf,
	 * spelt out: the macro calls the linked png_set_longjmp_fn) */
	info = png_lib->create_info_struct(p);
	row = sodium_malloc(px);
	if (info && row)
		jb = png_lib->set_longjmp_fn(p, longjmp, sizeof(jmp_buf));
	if (jb && setjmp(*jb) == 0) {
		png_lib->set_write_fn(p, o, png_put, png_flush_nothing);
		png_lib->set_IHDR(p, info, px, px, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
				  PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
		png_lib->write_info(p, info);
		for (uint32_t y = 0; y < px; y++) {
			for (uint32_t x = 0; x < px; x++)
				row[x] = dark(g, (int)(x / PNG_SCALE), (int)(y / PNG_SCALE)) ? 0 : 255;
			png_lib->write_row(p, row);
		}
		png_lib->write_end(p, info);
		ok = !o->failed;
	}
	sodium_free(row);
	png_lib->destroy_write_struct(&p, &info);
	return ok ? 0 : wj_errnof(e, ENOMEM, "PNG image");
}

int qr_render(const char *text, enum qr_form form, char **out, size_t *len, struct wj_err *e)
{
	const struct qr_enc_lib *qr = qr_enc_lib(e);
	QRcode *q;
	struct grid g;
	size_t cap;
	int r = 0;

	*out = NULL;
	*len = 0;
	if (!qr)
		return -1;
	errno = 0;
	q = qr->encode_8bit(text, 0, QR_ECLEVEL_L);
	if (!q)
		return errno == ERANGE ? wj_errf(e, "the text (%zu bytes) is too long for a QR code", strlen(text))
				       : wj_errnof(e, errno ? errno : ENOMEM, "QR code");
	g.q = q;
	g.margin = form == QR_UTF8 ? 2 : 4;
	g.w = q->width + 2 * g.margin;
	if (form == QR_PNG) {
		struct png_out o = {NULL, 0, 0, 0};
		if ((r = draw_png(&g, &o, e)) == 0) {
			*out = (char *)o.buf;
			*len = o.len;
		} else {
			qr_free((char *)o.buf, o.cap);
		}
	} else {
		cap = form == QR_UTF8 ? (size_t)g.w * ((size_t)g.w / 2 + 1) * 3 + (size_t)g.w + 16
				      : (size_t)g.w * (size_t)g.w * 24 + 512;
		if ((*out = malloc(cap)))
			*len = form == QR_UTF8 ? draw_utf8(&g, *out) : draw_svg(&g, *out, cap);
		else
			r = wj_errnof(e, ENOMEM, "QR code");
	}
	sodium_memzero(q->data, (size_t)q->width * (size_t)q->width);
	qr->free_code(q);
	return r;
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
