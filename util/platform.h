/* The few things the platforms spell differently, each in one place:
 *   - WJ_MAP_PREFAULT: fault a mapping in at once (Linux MAP_POPULATE,
 *     FreeBSD MAP_PREFAULT_READ, which only maps pages already resident;
 *     elsewhere 0: the pages fault in on use);
 *   - wj_madvise_nodump: keep secret pages out of core dumps (Linux
 *     MADV_DONTDUMP, FreeBSD MADV_NOCORE);
 *   - wj_sin_len / wj_sin6_len: BSD socket addresses carry their own length
 *     (sin_len, sin6_len; <netinet/in.h> defines SIN6_LEN where they exist,
 *     RFC 3493 3.4) and FreeBSD's if_wg copies an endpoint by that length,
 *     so every address built by hand sets it.  Linux has no such field;
 *   - wj_file_hugepages: keep a big file of the run-time directory in huge
 *     pages (util/platform_linux.c, util/platform_freebsd.c).
 * The state and run directories are util/paths.h. */
#ifndef WGJAIL_PLATFORM_H
#define WGJAIL_PLATFORM_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>

#if defined(MAP_POPULATE)
#define WJ_MAP_PREFAULT MAP_POPULATE
#elif defined(MAP_PREFAULT_READ)
#define WJ_MAP_PREFAULT MAP_PREFAULT_READ
#else
#define WJ_MAP_PREFAULT 0
#endif

static inline void wj_madvise_nodump(void *addr, size_t len)
{
#if defined(MADV_DONTDUMP)
	(void)madvise(addr, len, MADV_DONTDUMP);
#elif defined(MADV_NOCORE)
	(void)madvise(addr, len, MADV_NOCORE);
#else
	(void)addr;
	(void)len;
#endif
}

/* Ask the kernel to hold FD's pages (a file just written, before it is
 * renamed into place) in 2 MiB pages, so that reading it whole later costs
 * a page-cache lookup per 2 MiB, not per 4 KiB.  Only a tmpfs file of 2 MiB
 * or more; a hint: nothing is reported, and where the kernel cannot,
 * nothing happens. */
void wj_file_hugepages(int fd);

static inline void wj_sin_len(struct sockaddr_in *sin)
{
#ifdef SIN6_LEN
	sin->sin_len = (unsigned char)sizeof(*sin);
#else
	(void)sin;
#endif
}

static inline void wj_sin6_len(struct sockaddr_in6 *sin6)
{
#ifdef SIN6_LEN
	sin6->sin6_len = (unsigned char)sizeof(*sin6);
#else
	(void)sin6;
#endif
}

#endif
