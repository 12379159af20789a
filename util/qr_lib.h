/* libqrencode and libpng, loaded when a QR code is first drawn (see
 * util/dynlib.h: linked, they and zlib cost every command ~1 ms at start,
 * though only `peer add --qr/--qr-file` and `export --qr` draw one).
 * Each pointer's type is checked against the library's own header. */
#ifndef WGJAIL_QR_LIB_H
#define WGJAIL_QR_LIB_H

#include <png.h>
#include <qrencode.h>

struct wj_err;

struct qr_enc_lib {
	QRcode *(*encode_8bit)(const char *string, int version, QRecLevel level);
	void (*free_code)(QRcode *qrcode);
};

struct qr_png_lib {
	png_structp (*create_write_struct_2)(png_const_charp user_png_ver, png_voidp error_ptr,
					     png_error_ptr error_fn, png_error_ptr warn_fn, png_voidp mem_ptr,
					     png_malloc_ptr malloc_fn, png_free_ptr free_fn);
	png_infop (*create_info_struct)(png_const_structrp png_ptr);
	jmp_buf *(*set_longjmp_fn)(png_structrp png_ptr, png_longjmp_ptr longjmp_fn, size_t jmp_buf_size);
	void (*set_write_fn)(png_structrp png_ptr, png_voidp io_ptr, png_rw_ptr write_data_fn,
			     png_flush_ptr output_flush_fn);
	png_voidp (*get_io_ptr)(png_const_structrp png_ptr);
	void (*set_IHDR)(png_const_structrp png_ptr, png_inforp info_ptr, png_uint_32 width, png_uint_32 height,
			 int bit_depth, int color_type, int interlace_method, int compression_method,
			 int filter_method);
	void (*write_info)(png_structrp png_ptr, png_const_inforp info_ptr);
	void (*write_row)(png_structrp png_ptr, png_const_bytep row);
	void (*write_end)(png_structrp png_ptr, png_inforp info_ptr);
	void (*destroy_write_struct)(png_structpp png_ptr_ptr, png_infopp info_ptr_ptr);
};

/* The library, loaded on the first call; NULL and E (naming the library
 * and the package that provides it) if it cannot be. */
const struct qr_enc_lib *qr_enc_lib(struct wj_err *e);
const struct qr_png_lib *qr_png_lib(struct wj_err *e);

#endif
