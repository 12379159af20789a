#!/usr/bin/env python3
"""Write the wg0.conf corpus for test_config_oracle.sh into OUTDIR.

Every file is NNN-name.conf; OUTDIR/MANIFEST has one line per file:
    name <TAB> expect <TAB> why
expect is "same" (wgjail accepts exactly when wg setconf accepts) or a
deliberate difference: "wg-only" (wg accepts, wgjail rejects) or
"wgjail-only" (wgjail accepts, wg rejects), with the reason.

Deterministic (seeded), so a failure can be reproduced.  Endpoints are
numeric or "localhost" only: nothing leaves the machine.
"""
import base64
import os
import random
import sys

rnd = random.Random(20210914)
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
manifest = []
count = 0


def key():
    return base64.b64encode(bytes(rnd.getrandbits(8) for _ in range(32))).decode()


def emit(name, text, expect="same", why=""):
    global count
    count += 1
    fn = "%03d-%s.conf" % (count, name)
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    with open(os.path.join(out, fn), "wb") as f:
        f.write(data)
    os.chmod(os.path.join(out, fn), 0o600)
    manifest.append("%s\t%s\t%s" % (fn, expect, why))


PRIV, PUB, PSK = key(), key(), key()
ZERO = base64.b64encode(bytes(32)).decode()


def iface(extra=""):
    return "[Interface]\nPrivateKey = %s\nListenPort = 51820\n%s" % (PRIV, extra)


def peer(extra="", pub=None):
    return "\n[Peer]\nPublicKey = %s\n%s" % (pub or PUB, extra)


def v4(): return "10.%d.%d.%d" % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
def v6(): return "fd%02x:%x::%x" % (rnd.randrange(256), rnd.randrange(65536), rnd.randrange(1, 65536))


# ---- valid files, written many ways ----------------------------------------
emit("minimal-iface", "[Interface]\nPrivateKey = %s\n" % PRIV)
emit("empty-file", "")
emit("only-comments", "# nothing\n   \n\t# more\n")
emit("iface-no-port", "[Interface]\nPrivateKey = %s\n" % PRIV + peer("AllowedIPs = 10.0.0.2/32\n"))
emit("iface-empty", "[Interface]\n" + peer("AllowedIPs = 10.0.0.2/32\n"))
emit("peer-only", "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.2/32\n" % PUB)
emit("server", iface() + peer("PresharedKey = %s\nAllowedIPs = 10.0.0.2/32, fd00::2/128\n" % PSK)
     + peer("AllowedIPs = 10.0.0.3/32\n", key()))
emit("client", iface("Address = 10.0.0.2/24\nDNS = 10.0.0.1\n") +
     peer("AllowedIPs = 0.0.0.0/0, ::/0\nEndpoint = 127.0.0.1:51820\nPersistentKeepalive = 25\n"))
emit("crlf", (iface() + peer("AllowedIPs = 10.0.0.2/32\nEndpoint = 127.0.0.1:1\n")).replace("\n", "\r\n"))
emit("crlf-no-final-newline", (iface() + peer("AllowedIPs = 10.0.0.2/32")).replace("\n", "\r\n"))
emit("no-final-newline", iface() + peer("AllowedIPs = 10.0.0.2/32"))
emit("blanks-everywhere", "  [ Inter face ] \n Private Key=%s\n Listen Port = 5 1 8 2 0\n"
     "[Peer]\n\tPublic\tKey = %s \nAllowed IPs=10.0.0.1 / 32 , 10.0.0.2\n" % (PRIV, PUB))
emit("case", "[INTERFACE]\nprivatekey = %s\nlistenport = 1\nFWMARK = OFF\n[pEeR]\npublickey=%s\n"
     "ALLOWEDIPS=10.0.0.1/32\npersistentkeepalive=OFF\nendpoint=127.0.0.1:2\n" % (PRIV, PUB))
emit("comments-inline", "[Interface] # the box\nPrivateKey = %s # secret\nListenPort = 1#x\n"
     "[Peer]#p\nPublicKey = %s#k\nAllowedIPs = 10.0.0.1/32 # ,10.9.9.9/32\n" % (PRIV, PUB))
emit("comment-cuts-value", iface() + peer("AllowedIPs = 10.0.0.1/32#,garbage\n"))
emit("multiple-interface", "[Interface]\nListenPort = 1\nPrivateKey = %s\n[Interface]\nListenPort = 2\n"
     "FwMark = 7\n" % PRIV)
emit("interface-after-peer", "[Peer]\nPublicKey = %s\nAllowedIPs=10.0.0.1/32\n[Interface]\nListenPort = 3\n" % PUB)
emit("key-repeated", "[Interface]\nListenPort = 1\nListenPort = 2\n[Peer]\nPublicKey = %s\nPublicKey = %s\n"
     "Endpoint = 127.0.0.1:1\nEndpoint = 127.0.0.1:2\n" % (key(), PUB))
emit("aips-accumulate", iface() + peer("AllowedIPs = 10.0.0.1/32\nAllowedIPs = 10.0.0.2/32, fd00::/64\n"
                                        "AllowedIPs = 10.1.0.0/16\n"))
emit("aips-host-bits", iface() + peer("AllowedIPs = 10.1.2.3/8, fd00::1234/64, 192.168.1.77/24\n"))
emit("aips-default-prefix", iface() + peer("AllowedIPs = 10.1.2.3, fd00::1\n"))
emit("aips-duplicate", iface() + peer("AllowedIPs = 10.0.0.1/32, 10.0.0.1/32, 10.0.0.0/24, 10.0.0.5/24\n"))
emit("aips-zero-prefix", iface() + peer("AllowedIPs = 0.0.0.0/0, ::/0\n"))
emit("aips-cidr-leading-zero", iface() + peer("AllowedIPs = 10.0.0.0/08, fd00::/0064\n"))
# Issue 13: any string of digits, as wg(8)'s strtoul reads it.
emit("aips-cidr-many-zeros", iface() + peer("AllowedIPs = 10.0.0.0/00000008, fd00::/000000000000000000064\n"))
emit("aips-cidr-huge", iface() + peer("AllowedIPs = 10.0.0.0/99999999999999999999999\n"))
emit("aips-cidr-zeros-too-big", iface() + peer("AllowedIPs = 10.0.0.0/0000000033\n"))
emit("aips-v4-mapped", iface() + peer("AllowedIPs = ::ffff:10.0.0.1/128\n"))
emit("aips-shared-between-peers", iface() + peer("AllowedIPs = 10.0.0.1/32, 10.0.0.2/32\n")
     + peer("AllowedIPs = 10.0.0.2/32\n", key()))
emit("no-aips", iface() + peer("Endpoint = 127.0.0.1:4\n"))
emit("duplicate-peer-merge", iface() + peer("AllowedIPs = 10.0.0.1/32\nEndpoint = 127.0.0.1:5\n"
                                             "PersistentKeepalive = 9\n")
     + peer("AllowedIPs = 10.0.0.7/32\nPresharedKey = %s\n" % PSK))
emit("duplicate-peer-no-aips", iface() + peer("AllowedIPs = 10.0.0.1/32\n") + peer("Endpoint = 127.0.0.1:6\n"))
emit("duplicate-peer-aips-first", iface() + peer("Endpoint = 127.0.0.1:6\n") + "\n[Peer]\nAllowedIPs = 10.0.0.9/32\n"
     "PublicKey = %s\n" % PUB)
emit("publickey-last", iface() + "\n[Peer]\nAllowedIPs = 10.0.0.1/32\nEndpoint = 127.0.0.1:8\nPublicKey = %s\n" % PUB)
emit("zero-private-key", "[Interface]\nPrivateKey = %s\n" % ZERO + peer("AllowedIPs = 10.0.0.2/32\n"))
emit("zero-psk", iface() + peer("PresharedKey = %s\n" % ZERO))
emit("port-zero", "[Interface]\nPrivateKey = %s\nListenPort = 0\n" % PRIV)
emit("port-max", "[Interface]\nPrivateKey = %s\nListenPort = 65535\n" % PRIV)
emit("port-leading-zeros", "[Interface]\nPrivateKey = %s\nListenPort = 0051820\n" % PRIV)
emit("fwmark-decimal", iface("FwMark = 1234\n"))
emit("fwmark-hex", iface("FwMark = 0xdeadBEEF\n"))
emit("fwmark-max", iface("FwMark = 4294967295\n"))
emit("fwmark-zero", iface("FwMark = 0\n"))
emit("fwmark-off", iface("FwMark = off\n"))
emit("fwmark-0x0", iface("FwMark = 0x0\n"))
emit("keepalive-zero", iface() + peer("PersistentKeepalive = 0\n"))
emit("keepalive-off", iface() + peer("PersistentKeepalive = Off\n"))
emit("keepalive-max", iface() + peer("PersistentKeepalive = 65535\n"))
emit("keepalive-leading-zero", iface() + peer("PersistentKeepalive = 0025\n"))
emit("endpoint-v6", iface() + peer("Endpoint = [::1]:51820\n"))
emit("endpoint-v6-unbracketed", iface() + peer("Endpoint = fd00::1:51820\n"))
emit("endpoint-v4-short", iface() + peer("Endpoint = 127.1:51820\n"))
emit("endpoint-v4-hex", iface() + peer("Endpoint = 0x7f.0.0.1:51820\n"))
emit("endpoint-localhost", iface() + peer("Endpoint = localhost:51820\n"))
emit("endpoint-port-zero", iface() + peer("Endpoint = 127.0.0.1:0\n"))
emit("endpoint-v6-mapped", iface() + peer("Endpoint = [::ffff:127.0.0.1]:7\n"))
emit("wg-quick-keys", iface("Address = 10.0.0.1/24, fd00::1/64\nAddress = 10.0.1.1/24\nDNS = 1.1.1.1, example.com\n"
                            "MTU = 1420\nTable = off\nPreUp = true\nPostUp = iptables -A FORWARD -i %i -j ACCEPT\n"
                            "PostUp = echo two\nPreDown = true\nPostDown = iptables -D FORWARD -i %i -j ACCEPT\n"
                            "SaveConfig = false\n") + peer("AllowedIPs = 10.0.0.2/32\n"))
emit("wg-quick-keys-case", iface("address = 10.0.0.1/24\nmtu = 1280\ntable = 1234\nsaveconfig = TRUE\n"))
emit("semicolon-in-value-comment", iface() + peer("AllowedIPs = 10.0.0.2/32\n") + "\n# [Peer]\n# PublicKey = x\n")

# Random valid files: many combinations.
for i in range(70):
    lines = ["[Interface]"]
    if rnd.random() < 0.8:
        lines.append("PrivateKey = " + key())
    if rnd.random() < 0.6:
        lines.append("ListenPort = %d" % rnd.randrange(1024, 65536))
    if rnd.random() < 0.3:
        lines.append("FwMark = " + rnd.choice(["0x%x" % rnd.randrange(1 << 32), str(rnd.randrange(1 << 32)), "off"]))
    if rnd.random() < 0.3:
        lines.append("Address = %s/24" % v4())
    for _ in range(rnd.randrange(0, 6)):
        lines.append("")
        lines.append("[Peer]")
        lines.append("PublicKey = " + key())
        if rnd.random() < 0.4:
            lines.append("PresharedKey = " + key())
        for _ in range(rnd.randrange(0, 3)):
            ips = []
            for _ in range(rnd.randrange(1, 5)):
                if rnd.random() < 0.6:
                    ips.append("%s/%d" % (v4(), rnd.randrange(8, 33)))
                else:
                    ips.append("%s/%d" % (v6(), rnd.randrange(16, 129)))
            lines.append("AllowedIPs = " + ", ".join(ips))
        r = rnd.random()
        if r < 0.3:
            lines.append("Endpoint = 127.%d.%d.%d:%d" % (rnd.randrange(256), rnd.randrange(256),
                                                          rnd.randrange(1, 255), rnd.randrange(1, 65536)))
        elif r < 0.45:
            lines.append("Endpoint = [%s]:%d" % (v6(), rnd.randrange(1, 65536)))
        if rnd.random() < 0.4:
            lines.append("PersistentKeepalive = %d" % rnd.randrange(0, 65536))
    text = "\n".join(lines) + "\n"
    if i % 7 == 3:
        text = text.replace("\n", "\r\n")
    if i % 5 == 1:
        text = text.replace(" = ", "=")
    emit("random-%02d" % i, text)

# Long AllowedIPs lines (over 4 KiB, and one of 60 KiB).
emit("aips-long-line", iface() + peer("AllowedIPs = " + ", ".join("10.%d.%d.0/24" % (j // 256, j % 256)
                                                                   for j in range(400)) + "\n"))
emit("aips-long-line-v6", iface() + peer("AllowedIPs = " + ", ".join("fd00:%x::/48" % j for j in range(300)) + "\n"))
emit("aips-60k-line", iface() + peer("AllowedIPs = " + ",".join("10.%d.%d.%d/32" % (j // 65536, j // 256 % 256, j % 256)
                                                                 for j in range(4000)) + "\n"))

# 10,000 peers.
big = [iface()]
for j in range(10000):
    big.append("[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.0/24\n%s" % (
        key(), j // 256, j % 256, "Endpoint = 127.0.%d.%d:%d\n" % (j // 256 % 256, j % 256 + 0, 1000 + j) if j % 3 == 0 else ""))
emit("peers-10000", "\n".join(big))

# ---- invalid files: every error class --------------------------------------
def bad(name, text):
    emit("bad-" + name, text)


for name, v in [("short", PRIV[:43]), ("long", PRIV + "A"), ("no-pad", PRIV[:43] + "A"),
                ("noncanonical", PRIV[:42] + "B="), ("chars", "!" + PRIV[1:]), ("hex", "00" * 32),
                ("placeholder", "<PRIVATE_KEY>"), ("template", "${PRIVKEY}"), ("hidden", "(hidden)"),
                ("double-pad", PRIV[:42] + "=="),
                ("high-byte", PRIV[:20] + "\udce9" + PRIV[21:])]:  # one byte 0xE9 (libsodium 1.0.18 reads it as '/')
    bad("privkey-" + name, "[Interface]\nPrivateKey = %s\n" % v)
    bad("pubkey-" + name, "[Peer]\nPublicKey = %s\n" % v)
    bad("psk-" + name, "[Peer]\nPublicKey = %s\nPresharedKey = %s\n" % (PUB, v))
for v in ["-1", "99999999999999999999", "1.5", "0x10", "abc1", "1e3"]:
    bad("port-" + v, iface().replace("51820", v))
for v in ["0x100000000", "4294967296", "0X10", "-1", "on", "0xg", "0x", "1.0", "+1"]:
    bad("fwmark-" + v, iface("FwMark = %s\n" % v))
for v in ["-1", "on", "1.5", "25s", "+5", "0x10"]:
    bad("keepalive-" + v, iface() + peer("PersistentKeepalive = %s\n" % v))
for n, v in [("v4-33", "10.0.0.0/33"), ("v6-129", "fd00::/129"), ("bad-ip", "10.0.0.300/32"),
             ("trailing-comma", "10.0.0.1/32,"), ("empty-entry", "10.0.0.1/32,,10.0.0.2/32"),
             ("plus", "+10.0.0.0/8"), ("minus", "-10.0.0.0/8"), ("slash-only", "10.0.0.1/"), ("no-ip", "/24"),
             ("cidr-alpha", "10.0.0.1/a"), ("cidr-neg", "10.0.0.1/-1"), ("two-slashes", "10.0.0.1/24/8"),
             ("name", "localhost"), ("v4-short", "10.1/16"), ("cidr-huge", "10.0.0.0/99999999999999999999999"),
             ("late-bad", ", ".join("10.0.%d.0/24" % j for j in range(300)) + ", 10.0.0.0/40")]:
    bad("aips-" + n, iface() + peer("AllowedIPs = %s\n" % v))
for n, v in [("no-port", "127.0.0.1"), ("empty-port", "127.0.0.1:"), ("v6-no-brace", "[::1:51820"),
             ("v6-no-port", "[::1]"), ("v6-brace-no-colon", "[::1]51820"), ("port-neg", "127.0.0.1:-1"), ("bad-v4", "127.0.0.999:1"),
             ("v6-bad", "[fd00::g]:1"), ("v6-unbracketed-short", "fd00::1")]:
    bad("endpoint-" + n, iface() + peer("Endpoint = %s\n" % v))
bad("key-before-section", "PrivateKey = %s\n[Interface]\n" % PRIV)
bad("comment-then-key", "# c\n\nListenPort = 1\n")
bad("unknown-section", "[Interface]\n[Peers]\nPublicKey = %s\n" % PUB)
bad("section-trailing", "[Interface]x\n")
bad("section-no-close", "[Interface\n")
bad("section-empty", "[]\n")
bad("unknown-key-iface", iface("Foo = bar\n"))
bad("unknown-key-peer", iface() + peer("Foo = bar\n"))
bad("key-wrong-section-port", iface() + peer("ListenPort = 1\n"))
bad("key-wrong-section-aips", iface("AllowedIPs = 10.0.0.0/8\n"))
bad("key-wrong-section-pub", iface("PublicKey = %s\n" % PUB))
bad("no-equals", iface("ListenPort\n"))
bad("colon-delim", iface("ListenPort: 1\n"))
bad("bare-key-line", "[Interface]\n%s\n" % PRIV)
bad("empty-value-port", iface("FwMark =\n"))
bad("empty-value-aips", iface() + peer("AllowedIPs =\n"))
bad("empty-value-key", "[Interface]\nPrivateKey = \n")
bad("empty-value-endpoint", iface() + peer("Endpoint=\n"))
bad("empty-value-comment", iface() + peer("AllowedIPs = # none\n"))
bad("semicolon-comment", iface("; a comment\n"))
bad("peer-no-key", iface() + "\n[Peer]\nAllowedIPs = 10.0.0.1/32\n" + peer("AllowedIPs = 10.0.0.2/32\n"))
bad("peer-no-key-last", iface() + peer("AllowedIPs = 10.0.0.1/32\n") + "\n[Peer]\n")
bad("peer-no-key-middle", iface() + peer() + "\n[Peer]\nEndpoint = 127.0.0.1:1\n" + peer("", key()))
bad("truncated-key", "[Interface]\nPrivateKey = " + PRIV[:20])
bad("truncated-section", iface() + "\n[Pe")
bad("bom", "\ufeff" + iface())
bad("bom-crlf", ("\ufeff" + iface()).replace("\n", "\r\n"))
bad("utf8-value", iface() + peer("AllowedIPs = 10.0.0.1/32\u00a0\n"))
bad("latin1-byte", b"[Interface]\nListenPort = 1\xff\n")
bad("html-entity", iface() + peer("AllowedIPs = 10.0.0.1/32&#44;\n"))
bad("addr-in-peer", iface() + peer("Address = 10.0.0.1/24\n"))
bad("dns-in-peer", iface() + peer("DNS = 1.1.1.1\n"))
bad("quoted-value", iface() + peer('AllowedIPs = "10.0.0.1/32"\n'))
bad("tab-in-key-quick", iface("Post Up = true\n"))

# ---- deliberate differences ------------------------------------------------
emit("diff-nul-byte", b"[Interface]\nListenPort = 1\x00garbage\n", "wg-only",
     "a NUL byte: wg reads each line only up to it and accepts; wgjail refuses a file with NUL bytes (a corrupt "
     "or binary file)")
emit("diff-port-65536", iface().replace("51820", "65536"), "wg-only",
     "ListenPort 65536: glibc's getaddrinfo wraps it to port 0 (a random port) and wg accepts it; wgjail "
     "refuses numbers over 65535")
emit("diff-endpoint-port-65536", iface() + peer("Endpoint = 127.0.0.1:65536\n"), "wg-only",
     "Endpoint port 65536: wrapped to 0 by getaddrinfo and accepted by wg; wgjail refuses it")
emit("diff-port-service-name", iface().replace("51820", "ntp"), "wg-only",
     "ListenPort 'ntp': wg asks getaddrinfo, which knows service names; wgjail takes numbers only")
emit("diff-port-plus", iface().replace("51820", "+80"), "wg-only",
     "ListenPort '+80': glibc's strtoul takes a sign; wgjail takes digits only")
emit("diff-endpoint-service-port", iface() + peer("Endpoint = 127.0.0.1:ntp\n"), "wg-only",
     "Endpoint port 'ntp': a service name for wg's getaddrinfo; wgjail takes numbers only")
emit("diff-endpoint-unresolvable", iface() + peer("Endpoint = no-such-host.invalid:51820\n"), "wgjail-only",
     "a host name that does not resolve: wg resolves at once and fails; wgjail checks the syntax and resolves "
     "when it applies the file (sync), so check accepts it")
emit("diff-quick-in-bracketed-iface", "[ Interface ]\nPrivateKey = %s\nMTU = 1420\n" % PRIV, "wgjail-only",
     "wg-quick treats '[ Interface ]' (blanks inside) as another section and leaves MTU to wg, which rejects it; "
     "wgjail reads [ Interface ] as wg does and MTU as a wg-quick key")

with open(os.path.join(out, "MANIFEST"), "w") as f:
    f.write("\n".join(manifest) + "\n")
print(count)
