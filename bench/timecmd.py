#!/usr/bin/env python3
"""Time one run of a command, as its caller pays for it.

    python3 bench/timecmd.py [-o OUT] [-e ERR] -- CMD [ARG...]

Runs CMD once (posix_spawn: the process is created, CMD is exec'd and
waited for), with stdout to OUT and stderr to ERR (default /dev/null),
and prints WALL_S: the wall time from just before the spawn to the end of
wait4.  The exit status is CMD's (128+N if it was killed by signal N).
Not the peak RSS: a spawned child's ru_maxrss starts at its parent's (the
Python interpreter's ~13 MB), so the benches take RSS from a separate run
under /usr/bin/time, whose own RSS is smaller than any command's.

Why not bash's EPOCHREALTIME around "$@", or /usr/bin/time: bash forks
itself before the exec (~2 ms more than posix_spawn on the 2-core VM of
BENCHMARKS.md), `date +%s%N` on each side adds two more processes, and
/usr/bin/time adds its own exec; each is paid by the timer, not by the
command.  The floor (`true` timed this way) is printed by the benches
that use this, so a reader can subtract it.
"""
import os
import sys
import time


def main(argv):
    out, err = os.devnull, os.devnull
    args = argv[1:]
    while args and args[0] != "--":
        if args[0] in ("-o", "-e") and len(args) > 1:
            if args[0] == "-o":
                out = args[1]
            else:
                err = args[1]
            args = args[2:]
        else:
            sys.exit("usage: timecmd.py [-o OUT] [-e ERR] -- CMD [ARG...]")
    args = args[1:]
    if not args:
        sys.exit("usage: timecmd.py [-o OUT] [-e ERR] -- CMD [ARG...]")
    fo = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    fe = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    actions = [(os.POSIX_SPAWN_DUP2, fo, 1), (os.POSIX_SPAWN_DUP2, fe, 2)]
    # One untimed spawn first: the interpreter has just started, and its
    # first spawn pays for that (caches, page tables: ~3 ms here).
    os.waitpid(os.posix_spawn("/bin/true", ["true"], os.environ), 0)
    t0 = time.perf_counter()
    pid = os.posix_spawnp(args[0], args, os.environ, file_actions=actions)
    _, status, _ = os.wait4(pid, 0)
    t1 = time.perf_counter()
    print("%.6f" % (t1 - t0))
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
