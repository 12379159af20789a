/*
 * What it costs this machine to wake an idle process, by the size of its
 * memory: the floor under any request to a daemon, whatever the request.
 *
 *     wake_rtt MIB RUNS IDLE_MS same|cross
 *
 * A child touches MIB MiB of memory (one byte per 4 KiB page, as a heap
 * that has been written), then answers each byte it reads from a pipe
 * with one byte on another.  The parent, every IDLE_MS milliseconds,
 * writes a byte and times the answer.  The child sleeps on CPU 0; the
 * parent runs on CPU 1 ("cross": the child is woken on an idle CPU) or on
 * CPU 0 too ("same": the parent hands its CPU to the child).  Prints the
 * median, the minimum and the maximum of RUNS answers, in milliseconds,
 * and how many took more than one.
 *
 * Nothing here is WireGuard: the bench of `wgjail sync` at 50,000 peers
 * (bench_sync.sh) pays this once per change it sends, to a wireguard-go of
 * ~1.3 GB RSS, and so does `wg syncconf`.  On the benchmark VM the answer
 * of a large process is slow while the kernel's DAMON samples physical
 * memory (its accessed bits cleared behind the sleeping process's back),
 * and fast without it; a small process is fast either way.  See
 * bench/bench_wake.sh.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_setaffinity (Linux) */
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __FreeBSD__
#include <sys/param.h>
#include <sys/cpuset.h>
#else
#include <sched.h>
#endif

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* this process on CPU cpu only */
static int pin(int cpu)
{
#ifdef __FreeBSD__
	cpuset_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return cpuset_setaffinity(CPU_LEVEL_WHICH, CPU_WHICH_PID, -1, sizeof(set), &set);
#else
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
#endif
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* the sleeping process: MIB MiB touched, then an echo until EOF */
static void echo_child(size_t mib, int in, int out)
{
	size_t size = mib << 20;
	volatile char *mem;
	char c;

	if (pin(0) != 0)
		_exit(3);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(4);
	for (size_t i = 0; i < size; i += 4096)
		mem[i] = 1;
	if (write(out, "r", 1) != 1)
		_exit(5);
	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			_exit(6);
	_exit(0);
}

int main(int argc, char **argv)
{
	int to_child[2], from_child[2], runs, idle_ms, same, slow = 0;
	size_t mib;
	double *t;
	pid_t pid;
	char c;

	if (argc != 5 || (strcmp(argv[4], "same") && strcmp(argv[4], "cross"))) {
		fprintf(stderr, "usage: wake_rtt MIB RUNS IDLE_MS same|cross\n");
		return 2;
	}
	mib = strtoul(argv[1], NULL, 10);
	runs = atoi(argv[2]);
	idle_ms = atoi(argv[3]);
	same = !strcmp(argv[4], "same");
	if (runs < 1 || idle_ms < 0)
		return 2;
	if (pipe(to_child) || pipe(from_child))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(to_child[1]);
		close(from_child[0]);
		echo_child(mib, to_child[0], from_child[1]);
	}
	close(to_child[0]);
	close(from_child[1]);
	if (pin(same ? 0 : 1) != 0) {
		fprintf(stderr, "wake_rtt: cannot run on CPU %d: %s\n",
			same ? 0 : 1, strerror(errno));
		kill(pid, SIGKILL);
		return 1;
	}
	if (read(from_child[0], &c, 1) != 1)	/* its memory is touched */
		return 1;
	if (!(t = calloc((size_t)runs, sizeof(*t))))
		return 1;
	for (int i = 0; i < runs; i++) {
		double t0;

		usleep((useconds_t)idle_ms * 1000);
		t0 = now_ms();
		if (write(to_child[1], "x", 1) != 1 || read(from_child[0], &c, 1) != 1) {
			free(t);
			return 1;
		}
		t[i] = now_ms() - t0;
	}
	close(to_child[1]);
	waitpid(pid, NULL, 0);
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	for (int i = 0; i < runs; i++)
		slow += t[i] > 1.0;
	printf("%6zu MiB  %-5s  median %7.3f ms  min %7.3f  max %7.3f  over 1 ms: %d of %d (%d ms apart)\n",
	       mib, argv[4], t[(runs - 1) / 2], t[0], t[runs - 1], slow, runs, idle_ms);
	free(t);
	return 0;
}
