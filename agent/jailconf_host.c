/* The files a host's jail.conf includes (see agent/jailconf_host.h). */
#include "agent/jailconf_host.h"

#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/err.h"
#include "util/fsutil.h"

#define MAX_DEPTH 32 /* jail(8)'s MAX_INCLUDE_DEPTH */

/* P (under the host root) is the jail's own file, whatever its name. */
static bool is_own(const struct jail_conf_walk *w, const char *p)
{
	char own[PATH_MAX];
	struct stat a, b;

	return snprintf(own, sizeof(own), "%s%s", w->hostroot, w->file) < (int)sizeof(own) && stat(own, &a) == 0 &&
	       stat(p, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* One file a pattern names: the jail's own, or read and its .include
 * lines followed (relative names against its own directory). */
static int one(struct jail_conf_walk *w, const char *p, struct wj_err *e)
{
	char *text;
	size_t len;
	int r;

	if (is_own(w, p))
		return 1;
	if (wj_read_file(p, (size_t)1 << 20, false, &text, &len, e) < 0)
		return -1;
	w->depth++;
	r = rc_jail_conf_includes(text, len, p, p + strlen(w->hostroot), w->file, &w->follow, e);
	w->depth--;
	wj_free_file(text, len, false);
	return r;
}

static int follow(void *arg, const char *pattern, struct wj_err *e)
{
	struct jail_conf_walk *w = arg;
	char pat[PATH_MAX];
	glob_t g;
	int r = 0;

	if (w->depth >= MAX_DEPTH)
		return wj_errf(e, "%s: .include files nested more than %d deep (jail(8)'s limit: a loop?)", pattern,
			       MAX_DEPTH);
	if (strpbrk(w->hostroot, "*?[\\"))
		return wj_errf(e, "%s: a host root with glob(3) characters cannot be searched", w->hostroot);
	if (snprintf(pat, sizeof(pat), "%s%s", w->hostroot, pattern) >= (int)sizeof(pat))
		return wj_errf(e, "%s%s: path too long", w->hostroot, pattern);
	memset(&g, 0, sizeof(g));
	switch (glob(pat, 0, NULL, &g)) {
	case 0:
		break;
	case GLOB_NOMATCH:
		return 0;
	default:
		globfree(&g);
		return wj_errf(e, "%s: cannot list the files it names", pat);
	}
	for (size_t i = 0; i < g.gl_pathc && r == 0; i++)
		r = one(w, g.gl_pathv[i], e);
	globfree(&g);
	return r;
}

void jail_conf_walk_init(struct jail_conf_walk *w, const char *hostroot, const char *file)
{
	w->follow.other = follow;
	w->follow.arg = w;
	w->hostroot = hostroot;
	w->file = file;
	w->depth = 0;
}
