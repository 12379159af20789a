#include "rc/plan.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "rc/diff.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Every existing component of PATH below GUARD must be a directory (the
 * last one: a regular file), none a symbolic link. */
static int check_path(const char *guard, const char *path, struct wj_err *e)
{
	size_t g = strlen(guard);
	char buf[PATH_MAX];
	struct stat st;

	while (g > 0 && guard[g - 1] == '/')
		g--;
	if (strncmp(path, guard, g) || path[g] != '/')
		return wj_errf(e, "%s: not under %s", path, guard);
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return wj_errf(e, "%s: path too long", path);
	for (char *p = buf + g + 1;; p++) {
		char c = *p;
		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (lstat(buf, &st) < 0) {
			if (errno == ENOENT)
				return 0; /* the rest will be created */
			return wj_errnof(e, errno, "%s", buf);
		}
		if (S_ISLNK(st.st_mode))
			return wj_errf(e, "%s: is a symbolic link; refusing to write through it", buf);
		if (c == '/' && !S_ISDIR(st.st_mode))
			return wj_errf(e, "%s: not a directory", buf);
		if (c == '\0') {
			if (!S_ISREG(st.st_mode))
				return wj_errf(e, "%s: not a regular file", buf);
			return 0;
		}
		*p = c;
	}
}

struct rc_file *rc_plan_add(struct rc_plan *p, const char *guard, const char *path, mode_t mode, bool keep_mode,
			    bool secret, struct wj_err *e)
{
	struct rc_file *f;
	struct stat st;

	if (p->n == RC_PLAN_MAX) {
		wj_errf(e, "%s: too many files", path);
		return NULL;
	}
	f = &p->f[p->n];
	memset(f, 0, sizeof(*f));
	if (snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path)) {
		wj_errf(e, "%s: path too long", path);
		return NULL;
	}
	if (check_path(guard, path, e) < 0)
		return NULL;
	f->mode = mode;
	f->secret = secret;
	if (lstat(path, &st) == 0) {
		f->exists = true;
		f->old_mode = st.st_mode & 07777;
		if (keep_mode)
			f->mode = f->old_mode;
		if (wj_read_file(path, 1 << 20, secret, &f->old, &f->old_len, e) < 0)
			return NULL;
	} else if (errno != ENOENT) {
		wj_errnof(e, errno, "%s", path);
		return NULL;
	}
	p->n++;
	return f;
}

void rc_plan_set(struct rc_file *f, char *text, size_t len, void (*free_text)(char *, size_t))
{
	f->text = text;
	f->len = len;
	f->free_text = free_text;
}

bool rc_file_changed(const struct rc_file *f)
{
	return !f->exists || f->old_mode != f->mode || f->old_len != f->len || memcmp(f->old, f->text, f->len);
}

size_t rc_plan_changes(const struct rc_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += rc_file_changed(&p->f[i]);
	return n;
}

int rc_plan_show(const struct rc_plan *p, FILE *out)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct rc_file *f = &p->f[i];
		if (!f->exists) {
			fprintf(out, "%s: create, mode %04o\n", f->path, (unsigned)f->mode);
		} else if (!rc_file_changed(f)) {
			fprintf(out, "%s: unchanged, mode %04o\n", f->path, (unsigned)f->mode);
			continue;
		} else if (f->old_mode != f->mode) {
			fprintf(out, "%s: update, mode %04o -> %04o\n", f->path, (unsigned)f->old_mode,
				(unsigned)f->mode);
		} else {
			fprintf(out, "%s: update, mode %04o\n", f->path, (unsigned)f->mode);
		}
		int hunks = rc_diff_print(out, f->old, f->old_len, f->text, f->len, f->secret);
		if (hunks < 0)
			return -1;
		if (hunks == 0 && f->exists && (f->old_len != f->len || memcmp(f->old, f->text, f->len)))
			fprintf(out, "(same lines; the final newline changes)\n");
	}
	return 0;
}

static int parent_dirs(const char *path, struct wj_err *e)
{
	char buf[PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	return wj_exists(buf) ? 0 : wj_mkdirs(buf, 0755, e);
}

int rc_plan_apply(const struct rc_plan *p, FILE *out, struct wj_err *e)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct rc_file *f = &p->f[i];
		if (!rc_file_changed(f)) {
			fprintf(out, "unchanged %s\n", f->path);
			continue;
		}
		if (parent_dirs(f->path, e) < 0 || wj_write_atomic(f->path, f->text, f->len, f->mode, e) < 0)
			return -1;
		fprintf(out, "%s %s\n", f->exists ? "updated" : "created", f->path);
	}
	return 0;
}

static void free_text(char *t, size_t len, bool secret)
{
	if (!t)
		return;
	if (secret)
		sodium_memzero(t, len);
	free(t);
}

void rc_plan_free(struct rc_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct rc_file *f = &p->f[i];
		if (f->old)
			wj_free_file(f->old, f->old_len, f->secret);
		if (f->text && f->free_text)
			f->free_text(f->text, f->len);
		else
			free_text(f->text, f->len, f->secret);
	}
	p->n = 0;
}
