#!/usr/bin/env python3
"""A sequence of wg configs, each a random hand edit of the one before, for
test_sync_record.sh (the fast path of `wgjail sync` against its full path).

usage: conf_mutate.py PRIVKEY_FILE OUTDIR STEPS SEED

Writes OUTDIR/step-000.conf .. step-STEPS.conf.  Edits: add, remove, move
a peer; change allowed IPs, endpoint (IPv4/IPv6), keepalive, PSK (added,
changed, removed); comments and blank lines; CRLF; a peer's lines
reordered; ListenPort/FwMark/PrivateKey; an [Interface] moved to the end;
keys written in another case.  Public keys and PSKs are random 32 bytes
(public keys need no private half here: no handshake is made).
"""
import base64
import os
import random
import sys


def key(rng):
    return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(32))).decode()


def main():
    priv = open(sys.argv[1]).read().strip()
    out, steps, rng = sys.argv[2], int(sys.argv[3]), random.Random(int(sys.argv[4]))
    privs = [priv, key(rng)]  # a second "private key" to rotate to (any 32 bytes are one)
    iface = {"PrivateKey": priv, "ListenPort": "51900", "FwMark": "0x10"}
    iface_last = False
    peers = []  # dicts: key, lines (list of (name, value) or ("#", comment)), crlf

    nets = iter(range(1, 1 << 16))  # unique prefixes: the route of a prefix
    # given to two peers depends on the order they are sent in

    def net4():
        n = next(nets)
        return "10.%d.%d.0/24" % (n >> 8, n & 255)

    def new_peer():
        n = rng.randrange(1, 250)
        lines = [("PublicKey", key(rng)), ("AllowedIPs", net4())]
        if rng.random() < 0.5:
            lines.append(("Endpoint", "192.0.2.%d:%d" % (n, 1000 + n)))
        elif rng.random() < 0.5:
            lines.append(("Endpoint", "[2001:db8::%x]:%d" % (n, 2000 + n)))
        if rng.random() < 0.3:
            lines.append(("PresharedKey", key(rng)))
        if rng.random() < 0.3:
            lines.append(("PersistentKeepalive", str(rng.randrange(1, 60))))
        return {"lines": lines, "crlf": False, "pre": []}

    def field(p, name):
        for i, (k, _) in enumerate(p["lines"]):
            if k.lower() == name.lower():
                return i
        return -1

    def set_field(p, name, value):
        i = field(p, name)
        if value is None:
            if i >= 0:
                del p["lines"][i]
        elif i >= 0:
            p["lines"][i] = (p["lines"][i][0], value)
        else:
            p["lines"].append((name, value))

    for _ in range(40):
        peers.append(new_peer())

    def write(i):
        parts = []
        head = ["[Interface]"] + ["%s = %s" % kv for kv in iface.items()]
        if not iface_last:
            parts.append("\n".join(head) + "\n")
        for p in peers:
            nl = "\r\n" if p["crlf"] else "\n"
            text = "".join(c + nl for c in p["pre"]) + "[Peer]" + nl
            for k, v in p["lines"]:
                text += ("# " + v if k == "#" else "%s = %s" % (k, v)) + nl
            parts.append(text)
        if iface_last:
            parts.append("\n".join(head) + "\n")
        path = os.path.join(out, "step-%03d.conf" % i)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", newline="") as f:
            f.write("\n".join(parts))

    write(0)
    for i in range(1, steps + 1):
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            e = rng.randrange(16)
            p = rng.choice(peers) if peers else None
            if e == 0 or not peers:
                peers.insert(rng.randrange(len(peers) + 1), new_peer())
            elif e == 1:
                peers.remove(p)
            elif e == 2:
                peers.remove(p)
                peers.insert(rng.randrange(len(peers) + 1), p)
            elif e == 3:
                n = next(nets)
                set_field(p, "AllowedIPs", "%s, fd00:%x::/64" % (net4(), n))
            elif e == 4:
                set_field(p, "Endpoint", rng.choice(["192.0.2.%d:%d" % (rng.randrange(1, 250), rng.randrange(1, 65535)),
                                                     "[2001:db8::%x]:%d" % (rng.randrange(1, 999), rng.randrange(1, 65535))]))
            elif e == 5:
                set_field(p, "PersistentKeepalive", rng.choice([None, str(rng.randrange(1, 100))]))
            elif e == 6:
                set_field(p, "PresharedKey", rng.choice([None, key(rng)]))
            elif e == 7:
                p["lines"].insert(rng.randrange(len(p["lines"]) + 1), ("#", "note %d" % rng.randrange(1000)))
            elif e == 8:
                p["pre"] = rng.choice([[], [""], ["# about the next peer"]])
            elif e == 9:
                p["crlf"] = not p["crlf"]
            elif e == 10:
                k = p["lines"][0]
                rest = p["lines"][1:]
                rng.shuffle(rest)
                p["lines"] = [k] + rest
            elif e == 11:
                iface["ListenPort"] = str(rng.randrange(50000, 60000))
            elif e == 12:
                iface["FwMark"] = hex(rng.randrange(1, 1 << 16))
            elif e == 13:
                iface["PrivateKey"] = rng.choice(privs)
            elif e == 14:
                iface_last = not iface_last
            else:
                i_k = field(p, "AllowedIPs")
                if i_k >= 0:
                    p["lines"][i_k] = (rng.choice(["allowedips", "ALLOWEDIPS", "AllowedIPs"]), p["lines"][i_k][1])
        write(i)


main()
