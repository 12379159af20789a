#!/bin/bash
# wgjail show [--json] [IFACE] against `wg show` as the oracle.
#
#   namespace a                       namespace b
#   +-------------------+   veth     +-------------------+
#   | IFA 10.101.0.1/24 |------------| IFB 10.101.0.2/24 |
#   +-------------------+ 10.98.0.x  +-------------------+
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd wg
need_cmd python3

export WGJAIL_STATEDIR="$T_TMP/state"
IFA="u4$$sa" IFB="u4$$sb"
on_exit "rm -f /var/run/wireguard/$IFA.sock /var/run/wireguard/$IFB.sock"
ns_new a && ns_new b || { t_fail "namespaces"; done_testing; exit; }
veth a "u4$$wa" b "u4$$wb"
nsx a ip addr add 10.98.0.1/24 dev "u4$$wa"
nsx b ip addr add 10.98.0.2/24 dev "u4$$wb"
wg_go a "$IFA" && wg_go b "$IFB" || { t_fail "wireguard-go starts"; done_testing; exit; }
nsx a ip addr add 10.101.0.1/24 dev "$IFA"; nsx a ip link set "$IFA" up
nsx b ip addr add 10.101.0.2/24 dev "$IFB"; nsx b ip link set "$IFB" up
for k in A B C; do keypair "$k"; done
PSK=$("$WGJAIL" genpsk)
umask 077
printf '[Interface]\nPrivateKey = %s\nListenPort = 51830\nFwMark = 0x1234\n\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.101.0.2/32, fd11::/64\nEndpoint = 10.98.0.2:51830\nPersistentKeepalive = 15\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.202.0.0/16\n' \
	"$A_priv" "$B_pub" "$PSK" "$C_pub" >"$T_TMP/a.conf"
printf '[Interface]\nPrivateKey = %s\nListenPort = 51830\n\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.101.0.1/32\nEndpoint = 10.98.0.1:51830\n' \
	"$B_priv" "$A_pub" "$PSK" >"$T_TMP/b.conf"
check "sync a" "$WGJAIL" sync "$IFA" "$T_TMP/a.conf"
check "sync b" "$WGJAIL" sync "$IFB" "$T_TMP/b.conf"
check "handshake" wait_until 10 nsx a ping -c1 -W1 10.101.0.2
nsx a ping -c3 -i 0.2 -W1 10.101.0.2 >/dev/null 2>&1

# ---- text --------------------------------------------------------------------
text=$("$WGJAIL" show "$IFA" 2>&1); rc=$?
check_eq "show IFACE: exit 0" 0 "$rc"
check_eq "text: header" "interface: $IFA" "$(sed -n 1p <<<"$text")"
check "text: public key" grep -qxF "  public key: $A_pub" <<<"$text"
check "text: private key hidden" grep -qxF "  private key: (hidden)" <<<"$text"
check "text: listening port" grep -qxF "  listening port: 51830" <<<"$text"
check "text: fwmark" grep -qxF "  fwmark: 0x1234" <<<"$text"
check "text: peer B" grep -qxF "peer: $B_pub" <<<"$text"
check "text: PSK hidden" grep -qxF "  preshared key: (hidden)" <<<"$text"
check "text: endpoint" grep -qxF "  endpoint: 10.98.0.2:51830" <<<"$text"
check "text: allowed ips" grep -qxF "  allowed ips: 10.101.0.2/32, fd11::/64" <<<"$text"
check "text: latest handshake age" grep -qE "^  latest handshake: (Now|[0-9]+ seconds? ago)$" <<<"$text"
check "text: transfer" grep -qE "^  transfer: [0-9.]+ (B|KiB) received, [0-9.]+ (B|KiB) sent$" <<<"$text"
check "text: keepalive" grep -qxF "  persistent keepalive: every 15 seconds" <<<"$text"
check "text: second peer's allowed ips" grep -qxF "  allowed ips: 10.202.0.0/16" <<<"$text"
check_fails "text: never the private key" grep -qF "$A_priv" <<<"$text"
check_fails "text: never the PSK" grep -qF "$PSK" <<<"$text"

# ---- JSON, checked against wg show dump ----------------------------------------
json=$("$WGJAIL" show --json "$IFA" 2>&1); rc=$?
check_eq "show --json: exit 0" 0 "$rc"
check_fails "json: never the private key" grep -qF "$A_priv" <<<"$json"
check_fails "json: never the PSK" grep -qF "$PSK" <<<"$json"
nsx a wg show "$IFA" dump >"$T_TMP/dump"
printf '%s' "$json" >"$T_TMP/json"
check "json: matches wg show dump (schema, keys, port, fwmark, peers, endpoints, allowed ips, handshake, transfer, keepalive)" \
	python3 - "$T_TMP/json" "$T_TMP/dump" "$IFA" <<'PY'
import json, sys, time
doc = json.load(open(sys.argv[1]))
dump = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
assert list(doc) == ["interfaces"], doc.keys()
assert len(doc["interfaces"]) == 1
i = doc["interfaces"][0]
assert set(i) == {"name", "public_key", "listen_port", "fwmark", "peers"}, i.keys()
dev = dump[0]
assert i["name"] == sys.argv[3]
assert i["public_key"] == dev[1], (i["public_key"], dev[1])
assert i["listen_port"] == int(dev[2])
assert i["fwmark"] == (0 if dev[3] == "off" else int(dev[3], 16))
assert len(i["peers"]) == len(dump) - 1
now = time.time()
for p, d in zip(sorted(i["peers"], key=lambda p: p["public_key"]), sorted(dump[1:])):
    assert set(p) == {"public_key", "preshared_key", "endpoint", "allowed_ips", "latest_handshake",
                      "latest_handshake_age", "rx_bytes", "tx_bytes", "persistent_keepalive"}, p.keys()
    assert p["public_key"] == d[0]
    assert p["preshared_key"] is (d[1] != "(none)")
    assert p["endpoint"] == (None if d[2] == "(none)" else d[2])
    assert ",".join(p["allowed_ips"]) == ("" if d[3] == "(none)" else d[3]), (p["allowed_ips"], d[3])
    assert p["latest_handshake"] == int(d[4])
    if int(d[4]):
        assert 0 <= p["latest_handshake_age"] <= now - int(d[4]) + 2
    else:
        assert p["latest_handshake_age"] is None
    assert isinstance(p["rx_bytes"], int) and isinstance(p["tx_bytes"], int)
    assert abs(p["rx_bytes"] - int(d[5])) < 1000 and abs(p["tx_bytes"] - int(d[6])) < 1000
    assert p["persistent_keepalive"] == (0 if d[7] == "off" else int(d[7]))
b = [p for p in i["peers"] if p["latest_handshake"]]
assert len(b) == 1 and b[0]["rx_bytes"] > 0 and b[0]["tx_bytes"] > 0
PY

# ---- all interfaces ---------------------------------------------------------------
all=$("$WGJAIL" show 2>/dev/null)
check "show (all): lists a" grep -qxF "interface: $IFA" <<<"$all"
check "show (all): lists b" grep -qxF "interface: $IFB" <<<"$all"
alljson=$("$WGJAIL" show --json 2>/dev/null)
check "show --json (all): valid JSON listing both" python3 -c '
import json, sys
names = [i["name"] for i in json.loads(sys.stdin.read())["interfaces"]]
assert sys.argv[1] in names and sys.argv[2] in names, names
assert names == sorted(names)' "$IFA" "$IFB" <<<"$alljson"

# ---- errors -----------------------------------------------------------------------
out=$("$WGJAIL" show "u4$$none" 2>&1); rc=$?
check_eq "show missing IFACE: exit 1" 1 "$rc"
check "show missing IFACE: says so" grep -q "no such WireGuard interface" <<<"$out"
"$WGJAIL" show a b >/dev/null 2>&1; check_eq "show with two arguments: usage error" 2 "$?"
"$WGJAIL" show --bogus >/dev/null 2>&1; check_eq "show --bogus: usage error" 2 "$?"
done_testing
