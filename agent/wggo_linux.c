#include "agent/wggo_linux.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 3000

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

unsigned long long wggo_proc_start(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: fields start
	 * after the last ')'.  Field 3 is the state, 22 the start time. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0; /* exited, not yet reaped */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
	start = strtoull(p, NULL, 10);
	return start;
}

bool wggo_alive(pid_t pid, unsigned long long start)
{
	return pid > 0 && start && wggo_proc_start(pid) == start;
}

/* In the child: never returns. */
static void child(const char *ifname, int netns_fd, const char *uapi_dir, const char *logpath)
{
	/* Never through a link (a planted one would make root append to any
	 * file); without its log the daemon writes nowhere. */
	int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	const char *prog = wj_wireguard_go();
	char *const argv[] = {(char *)prog, "-f", (char *)ifname, NULL};

	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	setsid();
	if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "wgjail: entering the jail's network namespace: %s\n", strerror(errno));
		_exit(126);
	}
	/* Nothing of ours may live on in the daemon: not the netlink
	 * sockets (one is bound in the jail and would keep its namespace
	 * alive), not the jail's edit lock. */
	if (close_range(3, ~0U, 0) < 0)
		for (int i = 3; i < 1024; i++)
			close(i);
	/* Private mount namespace: the jail's socket directory becomes
	 * /var/run/wireguard for this process only. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		fprintf(stderr, "wgjail: private mount namespace: %s\n", strerror(errno));
		_exit(126);
	}
	if (mkdir(WJ_UAPI_DIR_SYSTEM, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "wgjail: %s: %s\n", WJ_UAPI_DIR_SYSTEM, strerror(errno));
		_exit(126);
	}
	if (mount(uapi_dir, WJ_UAPI_DIR_SYSTEM, NULL, MS_BIND, NULL) < 0) {
		fprintf(stderr, "wgjail: bind-mounting %s on %s: %s\n", uapi_dir, WJ_UAPI_DIR_SYSTEM, strerror(errno));
		_exit(126);
	}
	setenv("WG_PROCESS_FOREGROUND", "1", 1);
	execvp(prog, argv);
	fprintf(stderr, "wgjail: cannot run %s: %s\n", prog, strerror(errno));
	_exit(127);
}

static bool socket_answers(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, r;

	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	if (strlen(path) >= sizeof(sun.sun_path))
		return false;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return r == 0;
}

/* The last line of the log, for the error message. */
static void log_tail(const char *logpath, char *out, size_t sz)
{
	char buf[2048];
	ssize_t n;
	int fd = open(logpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	off_t end;
	char *p;

	out[0] = '\0';
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	if (end > (off_t)sizeof(buf) - 1)
		lseek(fd, end - (off_t)sizeof(buf) + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	p = strrchr(buf, '\n');
	p = p ? p + 1 : buf;
	n = (ssize_t)strlen(p);
	if ((size_t)n >= sz)
		n = (ssize_t)sz - 1;
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	for (p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = '?';
}

int wggo_start(const char *ifname, int netns_fd, const char *uapi_dir, const char *logpath, pid_t *pid_out,
	       unsigned long long *start_out, struct wj_err *e)
{
	char sock[512], tail[256];
	int64_t deadline;
	pid_t pid;
	int status;

	if (snprintf(sock, sizeof(sock), "%s/%s.sock", uapi_dir, ifname) >= (int)sizeof(sock))
		return wj_errf(e, "%s: socket path too long", uapi_dir);
	unlink(sock); /* a stale socket of a process that is gone */
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return wj_errnof(e, errno, "%s: fork", ifname);
	if (pid == 0)
		child(ifname, netns_fd, uapi_dir, logpath);
	deadline = wj_mono_ms() + START_TIMEOUT_MS;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			log_tail(logpath, tail, sizeof(tail));
			return wj_errf(e, "%s: %s exited at start (status %d)%s%s", ifname, wj_wireguard_go(),
				       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
				       tail[0] ? ": " : "", tail);
		}
		if (socket_answers(sock))
			break;
		if (wj_mono_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return wj_errf(e, "%s: %s did not open %s within %d s (log: %s)", ifname, wj_wireguard_go(),
				       sock, START_TIMEOUT_MS / 1000, logpath);
		}
		sleep_ms(10);
	}
	*pid_out = pid;
	*start_out = wggo_proc_start(pid);
	return 0;
}

int wggo_stop(pid_t pid, unsigned long long start, struct wj_err *e)
{
	int64_t deadline;

	if (!wggo_alive(pid, start))
		return 0;
	if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
		return wj_errnof(e, errno, "stopping %s (pid %d)", wj_wireguard_go(), (int)pid);
	deadline = wj_mono_ms() + STOP_TIMEOUT_MS;
	while (wggo_alive(pid, start)) {
		/* Reap it if we happen to be its parent. */
		waitpid(pid, NULL, WNOHANG);
		if (wj_mono_ms() > deadline) {
			kill(pid, SIGKILL);
			deadline = wj_mono_ms() + STOP_TIMEOUT_MS;
			while (wggo_alive(pid, start) && wj_mono_ms() < deadline) {
				waitpid(pid, NULL, WNOHANG);
				sleep_ms(10);
			}
			if (wggo_alive(pid, start))
				return wj_errf(e, "%s (pid %d) does not stop", wj_wireguard_go(), (int)pid);
			return 0;
		}
		sleep_ms(10);
	}
	return 0;
}
