/* jail(8) for `up`, `down` and `boot` on FreeBSD (see agent/jailcmd.h). */
#include "agent/jailcmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/jailconf_host.h"
#include "rc/gen.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/strutil.h"

static const char *const op_flag[] = {[JAIL_CMD_CREATE] = "-c", [JAIL_CMD_REMOVE] = "-r"};

const char *jail_cmd_program(void)
{
	const char *p = getenv("WGJAIL_JAIL_PROGRAM");

	return p && *p ? p : "/usr/sbin/jail";
}

int jail_conf_d_path(const char *hostroot, const char *name, char *buf, size_t sz, struct wj_err *e)
{
	char q[80];
	const char *why = wj_jail_name_invalid(name);

	if (why)
		return wj_errf(e, "jail name '%s': %s", wj_quote(name, q, sizeof(q)), why);
	if (snprintf(buf, sz, "%s/etc/jail.conf.d/%s.conf", hostroot, name) >= (int)sz)
		return wj_errf(e, "%s/etc/jail.conf.d/%s.conf: path too long", hostroot, name);
	return 0;
}

int jail_cmd_argv(enum jail_cmd_op op, const char *name, const char *conf, const char *argv[6],
		  struct wj_err *e)
{
	char q[80];
	const char *why = wj_jail_name_invalid(name);

	if (why)
		return wj_errf(e, "jail name '%s': %s", wj_quote(name, q, sizeof(q)), why);
	argv[0] = jail_cmd_program();
	argv[1] = "-f";
	argv[2] = conf;
	argv[3] = op_flag[op];
	argv[4] = name;
	argv[5] = NULL;
	return 0;
}

/* The last non-empty line of TEXT[0..LEN) into OUT. */
static void last_line(const char *text, size_t len, char *out, size_t sz)
{
	size_t end = len, start;

	while (end && (text[end - 1] == '\n' || text[end - 1] == '\r'))
		end--;
	start = end;
	while (start && text[start - 1] != '\n')
		start--;
	snprintf(out, sz, "%.*s", (int)(end - start), text + start);
}

/* In the child: never returns. */
static void child(const char *const argv[6], int out)
{
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	if (out > STDERR_FILENO)
		close(out);
	execv(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int jail_cmd_run(enum jail_cmd_op op, const char *hostroot, const char *name, FILE *out, struct wj_err *e)
{
	char conf[PATH_MAX], tail[256], qt[300], text[8192];
	const char *argv[6];
	size_t len = 0;
	int p[2], ws = 0;
	ssize_t n;
	pid_t pid;

	if (jail_conf_d_path(hostroot, name, conf, sizeof(conf), e) < 0 ||
	    jail_cmd_argv(op, name, conf, argv, e) < 0)
		return -1;
	if (pipe(p) < 0)
		return wj_errnof(e, errno, "jail %s: pipe", name);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		close(p[0]);
		child(argv, p[1]);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return wj_errnof(e, errno, "jail %s: fork", name);
	}
	/* Everything goes to OUT; the last 8 KiB are kept for the message. */
	while ((n = read(p[0], text + len, sizeof(text) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (out)
			fwrite(text + len, 1, (size_t)n, out);
		len += (size_t)n;
		if (len == sizeof(text)) {
			memmove(text, text + len / 2, len - len / 2);
			len -= len / 2;
		}
	}
	close(p[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		return 0;
	last_line(text, len, tail, sizeof(tail));
	wj_quote(tail, qt, sizeof(qt));
	if (WIFSIGNALED(ws))
		return wj_errf(e, "jail %s: %s -f %s %s %s was killed by signal %d%s%s", name, argv[0], conf, argv[3],
			       name, WTERMSIG(ws), tail[0] ? ": " : "", tail[0] ? qt : "");
	return wj_errf(e, "jail %s: %s -f %s %s %s failed (exit status %d)%s%s", name, argv[0], conf, argv[3], name,
		       WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, tail[0] ? ": " : "", tail[0] ? qt : "");
}

/* HOSTROOT's file at host path REL (at most 1 MiB) into *TEXT (NULL: there
 * is none).  0, or -1 with E set. */
static int read_host(const char *hostroot, const char *rel, char *path, size_t sz, char **text, size_t *len,
		     struct wj_err *e)
{
	*text = NULL;
	*len = 0;
	if (snprintf(path, sz, "%s%s", hostroot, rel) >= (int)sz)
		return wj_errf(e, "%s%s: path too long", hostroot, rel);
	if (wj_read_file(path, (size_t)1 << 20, false, text, len, e) < 0) {
		*text = NULL;
		if (e->code != ENOENT)
			return -1;
		wj_err_clear(e);
	}
	return 0;
}

/* Does the host's jail.conf at host path CONF (under HOSTROOT) include
 * /etc/jail.conf.d/NAME.conf?  1 yes; 0 no, or there is none; -1 with E
 * set (it cannot be read, or lexed: FILE:LINE). */
static int host_jail_conf_includes(const char *hostroot, const char *conf, const char *name, struct wj_err *e)
{
	struct jail_conf_walk w;
	char path[PATH_MAX], file[PATH_MAX];
	char *text;
	size_t len;
	int r;

	if (read_host(hostroot, conf, path, sizeof(path), &text, &len, e) < 0)
		return -1;
	if (!text)
		return 0;
	if (jail_conf_d_path("", name, file, sizeof(file), e) < 0) {
		r = -1;
	} else {
		jail_conf_walk_init(&w, hostroot, file);
		r = rc_jail_conf_includes(text, len, path, conf, file, &w.follow, e);
	}
	wj_free_file(text, len, false);
	if (r < 0)
		return wj_err_prefix(e, "jail %s: cannot tell whether rc.d/jail starts it at boot", name);
	return r;
}

int jail_boot_start(const char *hostroot, const char *name, FILE *out, struct wj_err *e)
{
	char path[PATH_MAX], conf[1100];
	char *text;
	size_t len;
	int r;

	if (read_host(hostroot, "/etc/rc.conf", path, sizeof(path), &text, &len, e) < 0)
		return wj_err_prefix(e, "jail %s: who starts it at boot", name);
	r = rc_host_starts_jail(name, text, len, path, conf, sizeof(conf), e);
	if (text)
		wj_free_file(text, len, false);
	if (r < 0)
		return wj_err_prefix(e, "jail %s: who starts it at boot", name);
	/* An empty jail_list: rc.d/jail starts every jail of jail.conf, this
	 * one among them if jail.conf includes its file. */
	if (r == RC_HOST_EVERY && (r = host_jail_conf_includes(hostroot, conf, name, e)) >= 0)
		r = r ? RC_HOST_EVERY : 0;
	if (r < 0)
		return -1;
	if (r && out) {
		if (r == RC_HOST_BY_NAME)
			fprintf(out, "jail %s: not started here: %s enables it, rc.d/jail starts it\n", name, path);
		else
			fprintf(out,
				"jail %s: not started here: %s has an empty jail_list, so rc.d/jail starts every "
				"jail of %s, which includes /etc/jail.conf.d/%s.conf\n",
				name, path, conf, name);
	}
	if (r)
		return 1;
	return jail_cmd_run(JAIL_CMD_CREATE, hostroot, name, out, e);
}
