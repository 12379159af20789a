#!/usr/bin/env python3
"""Write a wg0.conf with N peers for bench_sync.sh.

usage: gen_peers.py PRIVATE_KEY_FILE N OUT [CHANGED_INDEX]

Peer i: a public key derived from i (32 bytes, deterministic), AllowedIPs
10.a.b.c/32 unique per peer, Endpoint 198.18.x.y:51820.  With
CHANGED_INDEX, that one peer gets a second allowed IP (one peer changed).
"""
import base64
import hashlib
import os
import sys


def main():
    priv = open(sys.argv[1]).read().strip()
    n = int(sys.argv[2])
    out = sys.argv[3]
    changed = int(sys.argv[4]) if len(sys.argv) > 4 else -1
    lines = ["[Interface]", "PrivateKey = " + priv, "ListenPort = 51900", ""]
    for i in range(n):
        pub = base64.b64encode(hashlib.sha256(b"wgjail-bench-%d" % i).digest()).decode()
        ip = "10.%d.%d.%d/32" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
        if i == changed:
            ip += ", 172.16.%d.%d/32" % ((i >> 8) & 255, i & 255)
        ep = "198.18.%d.%d:51820" % ((i >> 8) & 255, i & 255)
        lines += ["[Peer]", "PublicKey = " + pub, "AllowedIPs = " + ip, "Endpoint = " + ep, ""]
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines))


main()
