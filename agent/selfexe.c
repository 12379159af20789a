/* Starting a fresh copy of wgjail (see agent/selfexe.h). */
#include "agent/selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

/* In the child, after fork: only async-signal-safe calls. */
static void child(int exefd, char *const argv[], char *const envp[], const int *map, int n)
{
	int tmp[8];

	if (n > (int)(sizeof(tmp) / sizeof(tmp[0])))
		_exit(127);
	/* The executable too may sit where a descriptor goes. */
	if (exefd < n && (exefd = fcntl(exefd, F_DUPFD_CLOEXEC, n)) < 0)
		_exit(127);
	/* First above every target, so that no source is overwritten
	 * before it is moved; then into place (dup2 clears close-on-exec). */
	for (int i = 0; i < n; i++)
		if ((tmp[i] = map[i] >= 0 ? fcntl(map[i], F_DUPFD_CLOEXEC, n) : -1) < 0 && map[i] >= 0)
			_exit(127);
	for (int i = 0; i < n; i++)
		if (tmp[i] >= 0 && dup2(tmp[i], i) < 0)
			_exit(127);
	fexecve(exefd, argv, envp);
	_exit(127);
}

pid_t selfexe_spawn(int exefd, char *const argv[], char *const envp[], const int *map, int n, struct wj_err *e)
{
	pid_t pid = fork();

	if (pid == 0)
		child(exefd, argv, envp, map, n);
	if (pid < 0)
		return wj_errnof(e, errno, "fork");
	return pid;
}

void selfexe_env(char **envp, size_t cap, const char *const *names, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		char *v = getenv(names[i]);
		if (v)
			envp[k++] = v - strlen(names[i]) - 1;
	}
	envp[k] = NULL;
}
