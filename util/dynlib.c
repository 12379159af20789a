/* Libraries loaded when first used (see util/dynlib.h). */
#include "util/dynlib.h"

#include <dlfcn.h>
#include <string.h>

#include "util/err.h"

void *wj_dl_open(const char *soname, const char *what, const char *package, struct wj_err *e)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *why = dlerror();
		wj_errf(e, "%s: cannot load %s (%s): %s", what, soname, package, why ? why : "unknown error");
	}
	return h;
}

int wj_dl_sym(void *h, const char *soname, const char *name, void *slot, size_t slotsz, struct wj_err *e)
{
	void *p = dlsym(h, name);

	if (!p || slotsz != sizeof(p))
		return wj_errf(e, "%s has no %s", soname, name);
	memcpy(slot, &p, sizeof(p)); /* POSIX: a function's address fits a void * */
	return 0;
}
