#!/usr/bin/env python3
"""Compare, for each corpus file, what `wg setconf` did with it and what
`wgjail check` made of it.  Used by test_config_oracle.sh.

    config_oracle.py CORPUS RESULTS

RESULTS/NAME.wg.rc      exit status of wg setconf (on the wg-quick-stripped file)
RESULTS/NAME.wg.show    wg showconf after it (when it succeeded)
RESULTS/NAME.wj.rc      exit status of wgjail check -v --show-keys
RESULTS/NAME.wj.out     its standard output, RESULTS/NAME.wj.err its errors

Prints one line per test: "ok<TAB>description" or
"not ok<TAB>description<TAB>detail".  Run it in the namespace where wg ran,
so that "localhost" resolves the same way.
"""
import base64
import ipaddress
import os
import re
import socket
import sys

corpus, results = sys.argv[1], sys.argv[2]
ZERO = "A" * 43 + "="


def read(path, mode="r"):
    try:
        with open(path, mode) as f:
            return f.read()
    except FileNotFoundError:
        return None


def parse(text):
    """A wg(8)-style config as printed by wg showconf or wgjail check -v."""
    iface, peers = {}, []
    cur = None
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line == "[Interface]":
            cur = iface
            continue
        if line == "[Peer]":
            cur = {"aips": []}
            peers.append(cur)
            continue
        k, _, v = line.partition(" = ")
        if k == "AllowedIPs":
            cur["aips"] += [a.strip() for a in v.split(",")]
        else:
            cur[k] = v
    return iface, peers


def resolve(ep):
    """Endpoint text -> "addr:port" as wg would after getaddrinfo."""
    if ep.startswith("["):
        host, port = ep[1:].split("]:", 1)
    else:
        host, port = ep.rsplit(":", 1)
    ai = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_DGRAM, socket.IPPROTO_UDP)[0]
    addr = ai[4]
    if ai[0] == socket.AF_INET6:
        return "[%s]:%d" % (addr[0].split("%")[0], addr[1])
    return "%s:%d" % (addr[0], addr[1])


def net(a):
    return str(ipaddress.ip_network(a, strict=False))


def clamp(k):
    """The device stores the private key clamped (as X25519 uses it)."""
    if k is None:
        return None
    b = bytearray(base64.b64decode(k))
    b[0] &= 248
    b[31] = (b[31] & 127) | 64
    return base64.b64encode(bytes(b)).decode()


def device_view(text):
    iface, peers = parse(text)
    d = {"PrivateKey": iface.get("PrivateKey"), "ListenPort": iface.get("ListenPort"),
         "FwMark": iface.get("FwMark"), "peers": {}}
    for p in peers:
        d["peers"][p["PublicKey"]] = {
            "PresharedKey": p.get("PresharedKey"),
            "aips": sorted(set(net(a) for a in p["aips"])),
            "Endpoint": p.get("Endpoint"),
            "PersistentKeepalive": p.get("PersistentKeepalive"),
        }
    return d


def model_view(text):
    """wgjail's model, put through what the device does with it: zero keys
    and zero intervals are "none", host bits are masked, an allowed IP
    listed under several peers ends up with the last of them, hostnames are
    resolved, no ListenPort means a random one."""
    iface, peers = parse(text)
    pk = iface.get("PrivateKey")
    port = iface.get("ListenPort")
    fw = iface.get("FwMark")
    d = {"PrivateKey": None if pk in (None, ZERO) else clamp(pk),
         "ListenPort": None if port in (None, "0") else port,
         "FwMark": None if fw in (None, "off") else fw, "peers": {}}
    owner = {}
    for p in peers:
        for a in p["aips"]:
            owner[net(a)] = p["PublicKey"]
    for p in peers:
        ka = p.get("PersistentKeepalive")
        psk = p.get("PresharedKey")
        ep = p.get("Endpoint")
        d["peers"][p["PublicKey"]] = {
            "PresharedKey": None if psk in (None, ZERO) else psk,
            "aips": sorted(a for a in set(net(x) for x in p["aips"]) if owner[a] == p["PublicKey"]),
            "Endpoint": resolve(ep) if ep else None,
            "PersistentKeepalive": None if ka in (None, "off", "0") else ka,
        }
    return d


def secrets_of(raw):
    """Values of PrivateKey/PresharedKey lines in a corpus file."""
    out = []
    for line in raw.decode("utf-8", "replace").splitlines():
        line = re.sub(r"\s", "", line.split("#", 1)[0])
        m = re.match(r"(?i)(privatekey|presharedkey)=(.+)", line)
        if m and len(m.group(2)) >= 8:
            out.append(m.group(2))
    return out


def line_ok(raw, n, rest):
    """Does line N of the file hold what the message RES talks about?"""
    lines = raw.decode("utf-8", "surrogateescape").split("\n")
    if not 1 <= n <= len(lines):
        return False
    cleaned = re.sub(r"\s", "", lines[n - 1].split("#", 1)[0]).lower()
    m = re.match(r"(\w+) = (?:'([^']*)'|\(value hidden\))", rest)
    if m:
        if not cleaned.startswith(m.group(1).lower() + "="):
            return False
        v = m.group(2)
        return v is None or "\\x" in v or re.sub(r"\s", "", v).lower() in cleaned
    if "this [Peer] has no PublicKey" in rest:
        return cleaned == "[peer]"
    if rest.startswith("unknown section") or "section header" in rest:
        return cleaned.startswith("[")
    return bool(cleaned)


def emit(ok, desc, detail=""):
    print("%s\t%s\t%s" % ("ok" if ok else "not ok", desc, detail.replace("\n", " | ")[:600]))


manifest = [l.split("\t") for l in read(os.path.join(corpus, "MANIFEST")).splitlines() if l]
for name, expect, why in manifest:
    base = os.path.join(results, name)
    raw = read(os.path.join(corpus, name), "rb")
    wg_ok = read(base + ".wg.rc").strip() == "0"
    wj_ok = read(base + ".wj.rc").strip() == "0"
    wj_err = read(base + ".wj.err") or ""
    want = {"same": (wg_ok, wg_ok), "wg-only": (True, False), "wgjail-only": (False, True)}[expect]
    label = name[:-5]
    if (wg_ok, wj_ok) != want:
        emit(False, "%s: wg %s, wgjail %s" % (label, "accepts" if wg_ok else "rejects",
                                              "accepts" if wj_ok else "rejects"),
             "expected %s; wgjail said: %s; wg said: %s" % (expect, wj_err.strip(),
                                                          (read(base + ".wg.err") or "").strip()))
        continue
    if expect != "same":
        emit(True, "%s: deliberate difference: %s" % (label, why))
        continue
    if not wj_ok:
        # The message names the file and a line, and holds no key.
        m = re.match(r"wgjail: (.*):(\d+): ", wj_err)
        leaked = [s for s in secrets_of(raw) if s in wj_err]
        if not m or not m.group(1).endswith(name) or leaked or \
                not line_ok(raw, int(m.group(2)), wj_err[m.end():]):
            emit(False, "%s: both reject, but the message is wrong (file, line or key)" % label,
                 wj_err.strip() + (" (LEAKS A KEY)" if leaked else ""))
        else:
            emit(True, "%s: both reject; wgjail: %s" % (label, wj_err.strip().split(": ", 1)[1][:150]))
        continue
    try:
        dv = device_view(read(base + ".wg.show"))
        mv = model_view(read(base + ".wj.out"))
    except Exception as ex:  # a parse failure here is a test failure
        emit(False, "%s: cannot compare" % label, repr(ex))
        continue
    if mv["ListenPort"] is None:
        dv["ListenPort"] = None  # wg picked a random port
    if dv == mv:
        emit(True, "%s: both accept, device state == wgjail's model (%d peers)" % (label, len(dv["peers"])))
    else:
        diff = []
        for k in ("PrivateKey", "ListenPort", "FwMark"):
            if dv[k] != mv[k]:
                diff.append("%s differs" % k if k == "PrivateKey" else "%s: device %r model %r" % (k, dv[k], mv[k]))
        for pk in sorted(set(dv["peers"]) | set(mv["peers"])):
            a, b = dv["peers"].get(pk), mv["peers"].get(pk)
            if a != b:
                diff.append("peer %s: device %r model %r" % (pk, a, b))
        emit(False, "%s: device state differs from wgjail's model" % label, "; ".join(diff[:4]))
