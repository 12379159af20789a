#!/usr/bin/env python3
"""How a file's pages are held: in transparent huge pages or not.

    python3 huge_pages.py FILE          prints "HUGE PAGES"
    python3 huge_pages.py --fold FILE   folds FILE first (madvise
                                        MADV_COLLAPSE), then prints the same

HUGE of FILE's PAGES whole 4 KiB pages belong to a transparent huge page
(the KPF_THP flag of /proc/kpageflags).  The file is mapped read-only and
every page touched, then each page's frame is looked up in
/proc/self/pagemap: as root only (the kernel hides frame numbers from
others).  --fold is this script's own request to the kernel, independent of
wgjail's (util/platform_linux.c): it tells whether this kernel can fold a
file there at all.
"""
import ctypes
import os
import struct
import sys

KPF_THP = 1 << 22
PFN_MASK = (1 << 55) - 1
PRESENT = 1 << 63
PAGE = 4096
HUGE = 2 << 20
PROT_NONE, PROT_READ = 0, 1
MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS = 0x01, 0x02, 0x10, 0x20
MADV_COLLAPSE = 25

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
MAP_FAILED = ctypes.c_void_p(-1).value


def mapped(fd, length, at=None, flags=MAP_SHARED):
    addr = libc.mmap(at, length, PROT_READ, flags | (MAP_FIXED if at else 0), fd, 0)
    if addr in (None, MAP_FAILED):
        raise OSError(ctypes.get_errno(), "mmap")
    return addr


def fold(fd, size):
    """MADV_COLLAPSE over every whole 2 MiB of the file, mapped at a 2 MiB
    aligned address; False if the kernel refused."""
    length = size & ~(HUGE - 1)
    if not length:
        return False
    res = libc.mmap(None, length + HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    if res in (None, MAP_FAILED):
        raise OSError(ctypes.get_errno(), "mmap")
    at = (res + HUGE - 1) & ~(HUGE - 1)
    mapped(fd, length, at)
    ok = libc.madvise(at, length, MADV_COLLAPSE) == 0
    libc.munmap(res, length + HUGE)
    return ok


def count(fd, size):
    pages = size // PAGE
    if not pages:
        return 0, 0
    addr = mapped(fd, pages * PAGE)
    for i in range(pages):
        ctypes.string_at(addr + i * PAGE, 1)
    pm = os.open("/proc/self/pagemap", os.O_RDONLY)
    kf = os.open("/proc/kpageflags", os.O_RDONLY)
    entries = struct.unpack("<%dQ" % pages, os.pread(pm, 8 * pages, (addr // PAGE) * 8))
    huge = 0
    for e in entries:
        if e & PRESENT and e & PFN_MASK:
            flags, = struct.unpack("<Q", os.pread(kf, 8, (e & PFN_MASK) * 8))
            huge += bool(flags & KPF_THP)
    os.close(pm)
    os.close(kf)
    libc.munmap(addr, pages * PAGE)
    return huge, pages


def main(argv):
    args = argv[1:]
    do_fold = args[:1] == ["--fold"]
    if do_fold:
        args = args[1:]
    if len(args) != 1:
        print("usage: huge_pages.py [--fold] FILE", file=sys.stderr)
        return 2
    fd = os.open(args[0], os.O_RDONLY)
    size = os.fstat(fd).st_size
    if do_fold and not fold(fd, size):
        print("huge_pages: the kernel did not fold %s: %s" % (args[0], os.strerror(ctypes.get_errno())),
              file=sys.stderr)
    print("%d %d" % count(fd, size))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
