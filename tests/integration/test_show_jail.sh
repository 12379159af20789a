#!/bin/bash
# wgjail show JAIL: the jail's interface, read inside the jail's namespace
# through its private UAPI socket (wireguard-go), text and JSON.
#
#   test namespace "h" (host side, where wgjail runs)
#     $HV 10.69.0.1/24 ==veth== eth0 10.69.0.2/24 [namespace p]
#                                     $PW 10.79.0.2/24 (wireguard-go, port 51841)
#   jail $J: wg0 10.79.0.1/24 (WireGuard-only uplink, wireguard-go)
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd python3

J=s1j$$ HV=s1hv$$ PW=s1qw$$
wgjail_host "$J"
ns_new p

host_uplink "$HV" 10.69.0

out=$(W create "$J" --uplink wireguard --address 10.79.0.1/24 --listen-port 51840 2>&1)
check_eq "create a jail" 0 "$?"
pub_j=$(printf '%s\n' "$out" | sed -n 's/^public key: //p')
check "create printed the jail's public key" test -n "$pub_j"

out=$(W show "$J" 2>&1)
check_eq "show JAIL before up: exit 1" 1 "$?"
check "  ... and says the jail is not running, and how to start it" grep -q "jail $J is not running here (start it with: wgjail up $J)" <<<"$out"

remote_peer "$J" "$pub_j" 10.79.0.2/32 10.69.0.2:51841 "$PW" 10.79.0.2/24 10.79.0.1/32

check "up" W up "$J"
check "the tunnel works" wait_until 15 ip netns exec "$J" ping -c1 -W1 10.79.0.2

out=$(W show "$J" 2>&1)
check_eq "show JAIL: exit 0" 0 "$?"
check "  names the interface as the jail sees it (wg0)" grep -q "^interface: wg0" <<<"$out"
check "  shows the jail's public key" grep -qF "public key: $pub_j" <<<"$out"
check "  hides the private key" grep -q "private key: (hidden)" <<<"$out"
check "  lists the peer with its endpoint" grep -qF "10.69.0.2:51841" <<<"$out"
check "  shows a completed handshake" grep -q "latest handshake" <<<"$out"
priv_j=$(sed -n 's/^PrivateKey *= *//p' "$CONF/$J/wg0.conf")
check_fails "  never prints the private key" grep -qF "$priv_j" <<<"$out"

json=$(W show --json "$J")
check "show --json JAIL is valid JSON with the peer" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
i = d["interfaces"][0]
assert i["name"] == "wg0", i["name"]
assert i["public_key"] == sys.argv[2]
p = [p for p in i["peers"] if p["public_key"] == sys.argv[3]]
assert p and p[0]["latest_handshake"] > 0, p
' "$json" "$pub_j" "$p_pub"

# The same path serves peer add on a jail brought up by `up` (wireguard-go
# behind the jail's private socket directory): the new peer is live.
keypair q
out=$(W peer add "$J" --public-key "$q_pub" --allowed-ips 10.79.0.9/32 2>&1)
check_eq "peer add on the running jail: exit 0" 0 "$?"
check "  the new peer is on the live interface (show JAIL)" grep -qF "peer: $q_pub" <<<"$(W show "$J")"
check "  the first peer's session is still there" wait_until 5 ip netns exec "$J" ping -c1 -W1 10.79.0.2

out=$(W show nosuch$$ 2>&1)
check_eq "show of something that is neither an interface nor a jail: exit 1" 1 "$?"
check "  says so" grep -q "no interface or jail 'nosuch$$'" <<<"$out"

check "down" W down "$J"
done_testing
