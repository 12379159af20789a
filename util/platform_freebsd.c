/* FreeBSD spellings that are more than a macro (util/platform.h).
 *
 * wj_file_hugepages: nothing is done.  FreeBSD has no call that changes
 * how the pages of a file already written are held (no counterpart of
 * Linux's MADV_COLLAPSE). */
#include "util/platform.h"

void wj_file_hugepages(int fd)
{
	(void)fd;
}
