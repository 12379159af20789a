#!/bin/bash
# wgjail up/down, WireGuard-only uplink, with wireguard-go.
#
#   test namespace "h" (host side; wgjail and the jail's wireguard-go run here)
#     $HV 10.67.0.1/24 ==veth== eth0 10.67.0.2/24 [namespace p]
#                                     $PW 10.78.0.2/24 (wireguard-go, port 51831)
#   jail $J: lo + wg0 10.78.0.1/24 only, default route via wg0; wg0 was
#   born in "h", so its encrypted packets leave from there.
#
# The jail reaches the peer's tunnel address; once the peer is gone, nothing
# the jail sends reaches any address of the host side: no leak.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter

J=j6w$$ HV=j6hv$$ PW=j6qw$$
wgjail_host "$J"
ns_new p
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; case $st in Z*) return 1 ;; esac; }

host_uplink "$HV" 10.67.0

out=$(W create "$J" --uplink wireguard --address 10.78.0.1/24 --listen-port 51830 --mtu 1400 2>&1)
check_eq "create a wireguard-uplink jail" 0 "$?"
pub_j=$(printf '%s\n' "$out" | sed -n 's/^public key: //p')
remote_peer "$J" "$pub_j" 0.0.0.0/0 10.67.0.2:51831 "$PW" 10.78.0.2/24 10.78.0.1/32

check "up" W up "$J"
links=$(ip -n "$J" -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
check_eq "the jail holds exactly lo and wg0" "lo wg0 " "$links"
check "wg0 has the spec's MTU" grep -q "mtu 1400" <<<"$(ip -n "$J" link show wg0)"
check "default route via wg0" grep -q "^default dev wg0" <<<"$(ip -n "$J" route)"
check "its UDP socket listens in the host side" grep -q ":51830" <<<"$(H ss -lun)"
check_fails "and not in the jail" grep -q ":51830" <<<"$(ip netns exec "$J" ss -lun)"
check "the jail reaches the peer's tunnel address" wait_until 15 ip netns exec "$J" ping -c1 -W1 10.78.0.2
hs=$(wg show "$PW" latest-handshakes | awk '{print $2}')
check "the peer saw a completed handshake (wg show)" test "${hs:-0}" -gt 0
out=$(W up "$J" 2>&1)
check "up again: nothing changed" grep -q "up to date, nothing changed" <<<"$out"

# The peer goes away: nothing may leave the jail in clear.
ip -n "$(ns p)" link del "$PW"
# Every address of the host side that is not its loopback (the jail's own
# 127.0.0.1 is its own), plus the peer namespace's underlay address.
host_addrs=$(ip -n "$(ns h)" -o addr show scope global | awk '{print $4}' | sed 's@/.*@@')
host_addrs="$host_addrs $(ip -n "$(ns h)" -o addr show scope link | awk '{print $4}' | sed 's@/.*@@' | sed "s/\$/%wg0/")"
host_addrs="$host_addrs 10.67.0.2"
for a in $host_addrs; do
	check_fails "peer gone: no packet from the jail reaches $a" ip netns exec "$J" ping -c1 -W1 "$a"
done
check_fails "peer gone: no TCP either (host side 10.67.0.1:22)" \
	ip netns exec "$J" timeout 2 bash -c 'exec 3<>/dev/tcp/10.67.0.1/22'

pid=$(sed -n 's/^wggo_pid=//p' "$WGJAIL_STATEDIR/jails/$J/state")
out=$("$WGJAIL" -c "$CONF" down "$J" 2>&1)
check "down from another namespace is refused" grep -q "brought up from another network namespace" <<<"$out"
check "and removed nothing" test -e "/run/netns/$J"
check "down" W down "$J"
check_fails "after down: no namespace" test -e "/run/netns/$J"
check_fails "after down: wireguard-go gone" alive "${pid:-1}"
hl=$(ip -n "$(ns h)" -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
check_eq "after down: host side links untouched" "$HV lo " "$hl"
check_fails "after down: no state left" test -e "$WGJAIL_STATEDIR/jails/$J"
done_testing
