#!/usr/bin/env python3
"""A tiny DNS server over UDP for the agent's tests.

    dns_server.py ADDR MODEFILE ZONEFILE

MODEFILE holds one word, read at every query:
  drop       read the query and never answer (a black hole)
  answer     answer from ZONEFILE ("NAME A.B.C.D" or "NAME IPV6" lines):
             the name's A or AAAA records, NODATA for the other type,
             NXDOMAIN for an unknown name
  malformed  answer with bytes that are not a DNS message
  huge       answer with 400 A records (truncated over UDP; no TCP here)
Every query is logged on stdout as "MODE NAME TYPE".
"""
import ipaddress
import socket
import struct
import sys


def qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels), off
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def zone(path):
    z = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                z.setdefault(parts[0].lower().rstrip("."), []).append(ipaddress.ip_address(parts[1]))
    return z


def reply(q, mode, zonefile):
    qid, flags = struct.unpack("!HH", q[:4])
    name, off = qname(q, 12)
    qtype, _ = struct.unpack("!HH", q[off:off + 4])
    question = q[12:off + 4]
    print(mode, name, qtype, flush=True)
    if mode == "drop":
        return None
    if mode == "malformed":
        return struct.pack("!H", qid) + b"\xff" * 7
    rd = flags & 0x0100
    if mode == "huge":
        rrs = b"".join(b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([10, 9, i // 256, i % 256])
                       for i in range(400))
        head = struct.pack("!HHHHHH", qid, 0x8000 | 0x0200 | rd | 0x0080, 1, 400, 0, 0)
        return (head + question + rrs)[:512]
    addrs = zone(zonefile).get(name.lower())
    if addrs is None:
        return struct.pack("!HHHHHH", qid, 0x8180 | rd | 3, 1, 0, 0, 0) + question
    want = 4 if qtype == 1 else 6 if qtype == 28 else 0
    rrs = b""
    count = 0
    for a in addrs:
        if a.version == want:
            rrs += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(a.packed)) + a.packed
            count += 1
    return struct.pack("!HHHHHH", qid, 0x8180 | rd, 1, count, 0, 0) + question + rrs


def main():
    addr, modefile, zonefile = sys.argv[1:4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        q, peer = s.recvfrom(4096)
        try:
            with open(modefile) as f:
                mode = f.read().strip()
            r = reply(q, mode, zonefile)
        except Exception as ex:  # a query this server cannot read: no answer
            print("error", ex, flush=True)
            r = None
        if r is not None:
            s.sendto(r, peer)


if __name__ == "__main__":
    main()
