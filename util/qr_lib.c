/* libqrencode and libpng, loaded when first used (see util/qr_lib.h). */
#include "util/qr_lib.h"

#include <dlfcn.h>
#include <string.h>

#include "util/dynlib.h"
#include "util/err.h"

#define QRENCODE_SONAME "libqrencode.so.4"
#define PNG_SONAME "libpng16.so.16"

const struct qr_enc_lib *qr_enc_lib(struct wj_err *e)
{
	static struct qr_enc_lib lib;
	static int loaded;
	void *h;

	if (loaded)
		return &lib;
	h = wj_dl_open(QRENCODE_SONAME, "QR code",
		       "package libqrencode: Debian libqrencode4, FreeBSD graphics/libqrencode", e);
	if (!h)
		return NULL;
	if (WJ_DL_LOAD(h, lib.encode_8bit, QRcode_encodeString8bit, QRENCODE_SONAME, e) < 0 ||
	    WJ_DL_LOAD(h, lib.free_code, QRcode_free, QRENCODE_SONAME, e) < 0) {
		dlclose(h);
		memset(&lib, 0, sizeof(lib));
		return NULL;
	}
	loaded = 1; /* H stays open for the life of the process */
	return &lib;
}

const struct qr_png_lib *qr_png_lib(struct wj_err *e)
{
	static struct qr_png_lib lib;
	static int loaded;
	void *h;

#define LOAD(field, fn) WJ_DL_LOAD(h, lib.field, fn, PNG_SONAME, e)
	if (loaded)
		return &lib;
	h = wj_dl_open(PNG_SONAME, "PNG image", "package libpng 1.6: Debian libpng16-16, FreeBSD graphics/png", e);
	if (!h)
		return NULL;
	if (LOAD(create_write_struct_2, png_create_write_struct_2) < 0 ||
	    LOAD(create_info_struct, png_create_info_struct) < 0 || LOAD(set_longjmp_fn, png_set_longjmp_fn) < 0 ||
	    LOAD(set_write_fn, png_set_write_fn) < 0 || LOAD(get_io_ptr, png_get_io_ptr) < 0 ||
	    LOAD(set_IHDR, png_set_IHDR) < 0 || LOAD(write_info, png_write_info) < 0 ||
	    LOAD(write_row, png_write_row) < 0 || LOAD(write_end, png_write_end) < 0 ||
	    LOAD(destroy_write_struct, png_destroy_write_struct) < 0) {
		dlclose(h);
		memset(&lib, 0, sizeof(lib));
		return NULL;
	}
#undef LOAD
	loaded = 1;
	return &lib;
}
