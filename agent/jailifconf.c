/* A FreeBSD jail's own /etc/IF.conf, kept in step (see agent/jailifconf.h). */
#include "agent/jailifconf.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "agent/jailroot.h"
#include "agent/jailspec.h"
#include "agent/rcjail.h"
#include "rc/ifconf.h"
#include "rc/names.h"
#include "rc/plan.h"
#include "util/err.h"
#include "wg/config.h"

/* DIR is an existing directory, and not this host's root. */
static int check_root(const struct jail_spec *s, const char *dir, struct wj_err *e)
{
	struct stat sd, sr;

	if (stat(dir, &sd) < 0 || !S_ISDIR(sd.st_mode))
		return wj_errf(e, "jail %s: its root %s is not a directory", s->name, dir);
	if (stat("/", &sr) == 0 && sd.st_dev == sr.st_dev && sd.st_ino == sr.st_ino)
		return wj_errf(e, "jail %s: its root %s is this host's root directory: refusing to write there",
			       s->name, dir);
	return 0;
}

int jail_ifconf_sync(const struct jail_spec *s, const char *hostroot, FILE *out, struct wj_err *e)
{
	char root[PATH_MAX], guard[PATH_MAX], path[PATH_MAX], ifn[24];
	struct wg_device *dev = NULL;
	struct rc_plan p = {0};
	struct rc_jail j;
	struct rc_file *f;
	int provisioned, r = -1;
	size_t len;
	char *t;

	if (jail_root_dir(s, hostroot, root, sizeof(root), &provisioned, e) < 0)
		return -1;
	if (!provisioned)
		return 0;
	rcjail_from_spec(s, &j);
	rc_wg_ifname(&j, ifn, sizeof(ifn));
	if (snprintf(guard, sizeof(guard), "%s%s", hostroot, root) >= (int)sizeof(guard) ||
	    snprintf(path, sizeof(path), "%s/etc/%s.conf", guard, ifn) >= (int)sizeof(path))
		return wj_errf(e, "jail %s: %s%s: path too long", s->name, hostroot, root);
	if (check_root(s, guard, e) < 0 || rcjail_load_conf(s, &dev, e) < 0)
		return -1;
	if (!(f = rc_plan_add(&p, guard, path, 0600, false, true, e)))
		goto out;
	if (f->exists && !wg_config_is_valid(f->old, f->old_len)) {
		wj_errf(e, "%s exists and is not a WireGuard configuration: not replaced", f->path);
		goto out;
	}
	if (!(t = rc_ifconf_text(dev, &len, e)))
		goto out;
	rc_plan_set(f, t, len, wg_config_free_text);
	r = 0;
	if (rc_plan_changes(&p)) {
		FILE *null = out ? NULL : fopen("/dev/null", "we");
		if (!out && !null) {
			r = wj_errnof(e, errno, "/dev/null");
			goto out;
		}
		r = rc_plan_apply(&p, out ? out : null, e) < 0 ? -1 : 1;
		if (null)
			fclose(null);
	}
out:
	rc_plan_free(&p);
	wg_device_free(dev);
	return r;
}
