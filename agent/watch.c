/* The agent's watcher: the platform's (see agent/watch.h). */
#include "agent/watch.h"

#include <string.h>

#include "agent/platform.h"

bool watch_name_matters(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && name[0] != '.' && !strcmp(name + n - 5, ".conf");
}

struct watch *watch_new(const char *confdir, struct wj_err *e)
{
	return wj_platform()->watch->create(confdir, e);
}

void watch_free(struct watch *w)
{
	if (w)
		wj_platform()->watch->destroy(w);
}

int watch_fd(const struct watch *w)
{
	return wj_platform()->watch->fd(w);
}

int watch_add_jail(struct watch *w, const char *name, struct wj_err *e)
{
	return wj_platform()->watch->add_jail(w, name, e);
}

void watch_remove_jail(struct watch *w, const char *name)
{
	wj_platform()->watch->remove_jail(w, name);
}

int watch_read(struct watch *w, void (*cb)(const char *jail, void *arg), void *arg, struct wj_err *e)
{
	return wj_platform()->watch->read(w, cb, arg, e);
}
