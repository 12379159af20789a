#include "rc/plan.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/safefile.h"
#include "rc/diff.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Split PATH, which must lie below GUARD, into its directory relative to
 * GUARD and its last component; open GUARD and, when it exists, that
 * directory (no component a symbolic link: util/safefile.h). */
static int locate(struct rc_file *f, const char *guard, const char *path, struct wj_err *e)
{
	size_t g = strlen(guard);
	const char *rel, *slash;
	bool missing = false;

	f->guardfd = f->dirfd = -1;
	while (g > 0 && guard[g - 1] == '/')
		g--;
	if (strncmp(path, guard, g) || path[g] != '/')
		return wj_errf(e, "%s: not under %s", path, guard);
	rel = path + g + 1;
	slash = strrchr(rel, '/');
	if (!slash || strlen(slash + 1) > NAME_MAX || !slash[1])
		return wj_errf(e, "%s: not a file in a directory below %s", path, guard);
	snprintf(f->dir_rel, sizeof(f->dir_rel), "%.*s", (int)(slash - rel), rel);
	snprintf(f->name, sizeof(f->name), "%s", slash + 1);
	snprintf(f->guard, sizeof(f->guard), "%.*s", (int)(g ? g : 1), g ? guard : "/");
	/* The guard itself is the host's (a jail's root may be reached
	 * through a link the administrator made); a missing one is made
	 * when the files are written. */
	f->guardfd = open(f->guard, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->guardfd < 0)
		return errno == ENOENT ? 0 : wj_errnof(e, errno, "%s", f->guard);
	f->dirfd = wj_open_dir_below(f->guardfd, f->dir_rel, false, 0755, path, &missing, e);
	if (f->dirfd < 0 && !missing)
		return -1;
	return 0;
}

static void release(struct rc_file *f)
{
	if (f->dirfd >= 0)
		close(f->dirfd);
	if (f->guardfd >= 0)
		close(f->guardfd);
	f->dirfd = f->guardfd = -1;
}

/* Read F's current content through its directory. */
static int read_old(struct rc_file *f, bool keep_mode, struct wj_err *e)
{
	struct stat st;

	if (f->dirfd < 0)
		return 0;
	if (fstatat(f->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : wj_errnof(e, errno, "%s", f->path);
	if (S_ISLNK(st.st_mode))
		return wj_errf(e, "%s: is a symbolic link; refusing to write through it", f->path);
	if (!S_ISREG(st.st_mode))
		return wj_errf(e, "%s: not a regular file", f->path);
	f->exists = true;
	f->old_mode = st.st_mode & 07777;
	if (keep_mode)
		f->mode = f->old_mode;
	return wj_read_conf_at(f->dirfd, f->name, f->path, 1 << 20, f->secret, &f->old, &f->old_len, e);
}

static struct rc_file *plan_entry(struct rc_plan *p, const char *guard, const char *path, bool secret,
				  struct wj_err *e)
{
	struct rc_file *f;

	if (p->n == RC_PLAN_MAX) {
		wj_errf(e, "%s: too many files", path);
		return NULL;
	}
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->f[i].path, path)) {
			wj_errf(e, "%s: two of the files to write are this one (an interface name that collides "
				   "with a system file?)",
				path);
			return NULL;
		}
	f = &p->f[p->n];
	memset(f, 0, sizeof(*f));
	f->guardfd = f->dirfd = -1;
	f->secret = secret;
	if (snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path)) {
		wj_errf(e, "%s: path too long", path);
		return NULL;
	}
	if (locate(f, guard, path, e) < 0) {
		release(f);
		return NULL;
	}
	return f;
}

struct rc_file *rc_plan_add(struct rc_plan *p, const char *guard, const char *path, mode_t mode, bool keep_mode,
			    bool secret, struct wj_err *e)
{
	struct rc_file *f = plan_entry(p, guard, path, secret, e);

	if (!f)
		return NULL;
	f->mode = mode;
	if (read_old(f, keep_mode, e) < 0) {
		if (f->old)
			wj_free_file(f->old, f->old_len, f->secret);
		f->old = NULL;
		release(f);
		return NULL;
	}
	p->n++;
	return f;
}

int rc_plan_remove(struct rc_plan *p, const char *guard, const char *path, bool secret,
		   bool (*owned)(const char *text, size_t len), struct wj_err *e)
{
	struct rc_file *f = plan_entry(p, guard, path, secret, e);
	struct wj_err ignored;

	if (!f)
		return -1;
	f->mode = 0600;
	/* Only a regular file of ours: anything else is left alone. */
	if (read_old(f, true, &ignored) < 0 || !f->exists || !owned(f->old, f->old_len)) {
		if (f->old)
			wj_free_file(f->old, f->old_len, f->secret);
		release(f);
		memset(f, 0, sizeof(*f));
		return 0;
	}
	f->remove = true;
	p->n++;
	return 0;
}

void rc_plan_set(struct rc_file *f, char *text, size_t len, void (*free_text)(char *, size_t))
{
	f->text = text;
	f->len = len;
	f->free_text = free_text;
}

bool rc_file_changed(const struct rc_file *f)
{
	if (f->remove)
		return true;
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
		if (f->remove) {
			fprintf(out, "%s: remove (written by an earlier provision, not any more)\n", f->path);
			continue;
		}
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

int rc_plan_apply(const struct rc_plan *p, FILE *out, struct wj_err *e)
{
	for (size_t i = 0; i < p->n; i++) {
		struct rc_file *f = (struct rc_file *)&p->f[i];

		if (f->dirfd >= 0)
			wj_remove_stale_temps_at(f->dirfd, f->name);
		if (!rc_file_changed(f)) {
			fprintf(out, "unchanged %s\n", f->path);
			continue;
		}
		if (f->remove) {
			if (unlinkat(f->dirfd, f->name, 0) < 0 && errno != ENOENT)
				return wj_errnof(e, errno, "removing %s", f->path);
			if (fsync(f->dirfd) < 0)
				return wj_errnof(e, errno, "%s: removed, but syncing its directory failed", f->path);
			fprintf(out, "removed %s\n", f->path);
			continue;
		}
		/* Missing directories are made now, each through the one above
		 * it (never through a link). */
		if (f->guardfd < 0) {
			if (wj_mkdirs(f->guard, 0755, e) < 0)
				return -1;
			if ((f->guardfd = open(f->guard, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
				return wj_errnof(e, errno, "%s", f->guard);
		}
		if (f->dirfd < 0 &&
		    (f->dirfd = wj_open_dir_below(f->guardfd, f->dir_rel, true, 0755, f->path, NULL, e)) < 0)
			return -1;
		if (wj_write_atomic_at(f->dirfd, f->name, f->path, f->text, f->len, f->mode, e) < 0)
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
		release(f);
	}
	p->n = 0;
}
