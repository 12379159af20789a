/* Libraries loaded when first used (dlopen), not linked.
 *
 * A linked library is mapped and relocated at every start of every
 * command; libqrencode and libpng (QR codes) and libnftables (the Linux
 * host's rules) are used by a few commands only, so they are loaded by
 * the code that needs them, once per process, and stay loaded.
 *
 *   WJ_DL_LOAD(h, slot, fn, soname, e)
 *       copies the address of the library's function FN into SLOT (a
 *       function pointer).  SLOT's type must be FN's: a mismatch is a
 *       compile error (-Werror: pointer type mismatch in a conditional),
 *       so every pointer is checked against the library's own header. */
#ifndef WGJAIL_DYNLIB_H
#define WGJAIL_DYNLIB_H

#include <stddef.h>

struct wj_err;

/* SONAME opened (RTLD_NOW | RTLD_LOCAL); NULL and E naming SONAME, the
 * package that provides it (PACKAGE, e.g. "Debian: libpng16-16") and the
 * loader's reason otherwise.  WHAT names the feature ("QR codes"). */
void *wj_dl_open(const char *soname, const char *what, const char *package, struct wj_err *e);

/* *SLOT (SLOTSZ bytes, a function pointer) = the address of NAME in H;
 * -1 and E naming SONAME and NAME if it has none. */
int wj_dl_sym(void *h, const char *soname, const char *name, void *slot, size_t slotsz, struct wj_err *e);

#define WJ_DL_LOAD(h, slot, fn, soname, e) \
	((void)(1 ? (slot) : &(fn)), wj_dl_sym((h), (soname), #fn, &(slot), sizeof(slot), (e)))

#endif
