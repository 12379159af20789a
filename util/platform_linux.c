/* Linux spellings that are more than a macro (util/platform.h).
 *
 * wj_file_hugepages.  The record of the last sync (wg/applied.h) is read
 * whole by every `wgjail sync` and lies in /run, a tmpfs, whose pages are
 * 4 KiB unless it was mounted with huge=: reading 6 MB of it (50,000 peers)
 * then costs some 1,500 page-cache lookups, twice what the same bytes cost
 * from ext4's large folios, and a sync with one change took ~1 ms more
 * (BENCHMARKS.md).  madvise(MADV_COLLAPSE), Linux 6.1 and later, folds a
 * tmpfs file's pages into 2 MiB ones on request, also on a mount without
 * huge= (as on the 6.18 kernel of the benchmarks; not when shmem_enabled
 * says deny): every whole, aligned 2 MiB of the file (the tail stays in
 * small pages).  It
 * works on a mapping whose addresses line up with the file's offsets on
 * 2 MiB, so the file is mapped at such an address, folded and unmapped. */
#include "util/platform.h"

#include <linux/magic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* <linux/mman.h>; glibc's <sys/mman.h> has it from 2.37 */
#endif

#define HUGE ((size_t)2 << 20)

void wj_file_hugepages(int fd)
{
	struct statfs sf;
	struct stat st;
	size_t len;
	char *res, *at;

	if (fstatfs(fd, &sf) < 0 || sf.f_type != TMPFS_MAGIC || fstat(fd, &st) < 0 || st.st_size < (off_t)HUGE)
		return;
	len = (size_t)st.st_size & ~(HUGE - 1);
	res = mmap(NULL, len + HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return;
	at = (char *)(((uintptr_t)res + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
	if (mmap(at, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED)
		(void)madvise(at, len, MADV_COLLAPSE);
	munmap(res, len + HUGE);
}
