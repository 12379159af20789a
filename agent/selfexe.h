/* The agent's own executable, opened so that it can start a fresh copy of
 * itself at any time, even after the file was replaced by an upgrade: the
 * resolver process (agent/resolver.h) and the process that enters a jail
 * (agent/jailcall.h).  Linux opens /proc/self/exe
 * (agent/selfexe_linux.c), FreeBSD the path the kernel gives for the
 * process (agent/selfexe_freebsd.c).
 *
 * A fresh copy is started one way (selfexe_spawn): `wgjail _MODE ...`
 * (a command without a summary, not listed by `wgjail help`), exec'd
 * (fexecve) so that it holds no byte of its parent's memory, with the
 * descriptors the caller names in place (its channel to the parent from
 * descriptor 3 on; 0-2 as given or kept) and an environment of the
 * caller's choosing (selfexe_env), never the whole of the parent's. */
#ifndef WGJAIL_SELFEXE_H
#define WGJAIL_SELFEXE_H

#include <stddef.h>
#include <sys/types.h>

struct wj_err;

/* A close-on-exec descriptor for fexecve(3), or -1 with E set. */
int selfexe_open(struct wj_err *e);

/* Fork; the child puts MAP[i] (when >= 0) at descriptor i for i < N
 * (the others below N stay as they are; every descriptor the parent
 * opened close-on-exec is gone after the exec) and exec's EXEFD with ARGV
 * and ENVP (exit status 127 if it could not).  The child's pid, or -1
 * with E set. */
pid_t selfexe_spawn(int exefd, char *const argv[], char *const envp[], const int *map, int n, struct wj_err *e);

/* ENVP (room for CAP entries, the last NULL) gets pointers to this
 * process's own "NAME=value" strings of the N NAMES that are set (getenv
 * returns the value inside one). */
void selfexe_env(char **envp, size_t cap, const char *const *names, size_t n);

#endif
