#!/usr/bin/env python3
"""One UAPI round trip to a userspace WireGuard daemon, timed.

    python3 bench/uapi_rtt.py SOCKET

Connects to SOCKET, sends an empty set ("set=1" and the blank line: the
daemon changes nothing and answers errno=0) and reads the answer; prints
WALL_S, from just before the connect to the end of the answer.  This is
what any client pays the daemon for one request, whatever it asks: the
floor under a `sync` that sends one change, as `true` is the floor under
starting a command.  (On the 2-core VM of BENCHMARKS.md a wireguard-go
with 50,000 peers that has been idle for a second or more answers in
~0.5 ms, or some 4 ms later while the guest kernel's DAMON samples
physical memory: waking a process that large costs that, not the
request; bench/bench_wake.sh shows it without WireGuard.)
"""
import socket
import sys
import time


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    t = time.perf_counter()
    s.connect(argv[1])
    s.sendall(b"set=1\n\n")
    reply = b""
    while not reply.endswith(b"\n\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        reply += chunk
    wall = time.perf_counter() - t
    s.close()
    if reply != b"errno=0\n\n":
        print("uapi_rtt: unexpected answer %r" % reply, file=sys.stderr)
        return 1
    print("%.6f" % wall)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
