/* The agent's own executable, opened so that it can start a fresh copy of
 * itself (the resolver process, agent/resolver.h) at any time, even after
 * the file was replaced by an upgrade: Linux opens /proc/self/exe
 * (agent/selfexe_linux.c), FreeBSD the path the kernel gives for the
 * process (agent/selfexe_freebsd.c). */
#ifndef WGJAIL_SELFEXE_H
#define WGJAIL_SELFEXE_H

struct wj_err;

/* A close-on-exec descriptor for fexecve(3), or -1 with E set. */
int selfexe_open(struct wj_err *e);

#endif
