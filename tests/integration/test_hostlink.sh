#!/bin/bash
# Issue 17: a host link into a WireGuard-only jail.
#
#   test namespace "h" (host side; wgjail and the jail's wireguard-go run here)
#     $HV 10.68.0.1/24 ==veth== eth0 10.68.0.2/24 [namespace p]
#                                     $PW 10.79.0.2/24 (wireguard-go, port 51841)
#     wjhID 169.254.77.1/30 ==veth== host0 169.254.77.2/30 [jail $J]
#   jail $J: lo, wg0 10.79.0.1/24 (default route), host0; host_allow tcp:8080
#
# The host opens the listed port in the jail, an unlisted one is refused;
# with the tunnel up and with it down, nothing the jail initiates leaves
# over the host link, nor in clear over the host's uplink (captured with
# tcpdump on both).
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd nft
need_cmd tcpdump

J=h17$$ HV=h17hv$$ PW=h17pw$$
wgjail_host "$J"
ns_new p
JX() { ip netns exec "$J" "$@"; }
set_key() { sed -i "/^\[jail\]/a $2 = $3" "$CONF/$1/jail.conf"; }

host_uplink "$HV" 10.68.0

out=$(W create "$J" --uplink wireguard --id 7 --address 10.79.0.1/24 --listen-port 51840 \
	--host-link 169.254.77.1/30 --host-allow tcp:8080 2>&1)
check_eq "create a wireguard-uplink jail with a host link" 0 "$?"
out2=$(W create "${J}x" --uplink wireguard --host-link 169.254.77.1/24 2>&1)
check "create: a host link that is no link network is refused" \
	grep -q "host_link = 169.254.77.1/24: expected a /30 or /31" <<<"$out2"
pub_j=$(printf '%s\n' "$out" | sed -n 's/^public key: //p')
keyfiles p
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 0.0.0.0/0\nEndpoint = 10.68.0.2:51841\n' "$p_pub" >>"$CONF/$J/wg0.conf"
wg_go p "$PW"
wg set "$PW" private-key "$T_TMP/p.key" listen-port 51841 peer "$pub_j" allowed-ips 10.79.0.1/32
ip -n "$(ns p)" addr add 10.79.0.2/24 dev "$PW"
ip -n "$(ns p)" link set "$PW" up

out=$(W up -n "$J" 2>&1)
check "up -n prints the jail's table" grep -q 'iifname "host0" ip saddr 169.254.77.1 tcp dport 8080 ct state new accept' <<<"$out"
check "up -n prints the veth" grep -q "would: host: create veth pair wjh7 <-> host0" <<<"$out"
check_fails "up -n made no link" ip -n "$(ns h)" link show wjh7

out=$(W up "$J" 2>&1)
check_eq "up" 0 "$?"
printf '%s\n' "$out" | diag
links=$(JX ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
check_eq "the jail holds lo, wg0 and the host link" "host0 lo wg0 " "$links"
check "the jail's end has the other address" grep -q "169.254.77.2/30" <<<"$(JX ip -br addr show host0)"
check "the host's end has the spec's address" grep -q "169.254.77.1/30" <<<"$(ip -n "$(ns h)" -br addr show wjh7)"
check "the default route stays the tunnel" grep -q "^default dev wg0" <<<"$(JX ip route)"
check_fails "no default route over the host link" grep -q "default.*host0" <<<"$(JX ip route)"
check "the tunnel works" wait_until 15 JX ping -c1 -W1 10.79.0.2

# Listeners in the jail: 8080 (allowed) and 8081 (not).  `ip netns exec`
# itself, not the function JX: $! must be the listener (ip execs python),
# not a subshell whose kill would leave the listener running.
for port in 8080 8081; do
	ip netns exec "$J" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(4)
while True:
    c, _a = s.accept(); c.sendall(b"jail\n"); c.close()' "$port" &
	T_PIDS+=("$!")
done
# A listener on the host's end, for the jail to try.
ip netns exec "$(ns h)" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9999)); s.listen(4)
while True:
    c, _a = s.accept(); c.sendall(b"host\n"); c.close()' &
T_PIDS+=("$!")
listening() { "$@" ss -Hltn | grep -c -E ':(8080|8081|9999) ' | grep -qx "$N_LISTEN"; }
N_LISTEN=2 wait_until 10 listening JX
N_LISTEN=1 wait_until 10 listening H
get() { python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2); print(c.recv(16).decode().strip())' "$@"; }
check_eq "the host reaches the listed port in the jail" "jail" "$(H python3 -c '
import socket, sys
c = socket.create_connection(("169.254.77.2", 8080), timeout=2); print(c.recv(16).decode().strip())' 2>&1)"
check_fails "an unlisted port is refused" H python3 -c '
import socket
socket.create_connection(("169.254.77.2", 8081), timeout=2)'
check_fails "the host cannot ping the jail over the link (not listed)" H ping -c1 -W1 169.254.77.2

# capture IFACE-in-NS FILE: tcpdump in the background; stop_capture counts.
capture() {
	ip netns exec "$(ns h)" tcpdump -i "$1" -nn -U -w "$2" 'ip or ip6' 2>"$2.err" &
	CAP_PID=$!
	T_PIDS+=("$CAP_PID")
	wait_until 5 grep -q "listening on" "$2.err"
}
stop_capture() { sleep 0.5; kill "$CAP_PID"; wait "$CAP_PID" 2>/dev/null; }
# count FILE FILTER: packets in FILE matching FILTER
count() { tcpdump -nn -r "$1" "$2" 2>/dev/null | wc -l; }

# The jail tries everything it can toward the host and the host's side.
jail_tries() {
	JX ping -c1 -W1 169.254.77.1
	JX ping -c1 -W1 10.68.0.1
	JX ping -c1 -W1 10.68.0.2
	JX timeout 2 python3 -c '
import socket
socket.create_connection(("169.254.77.1", 9999), timeout=1)'
	JX timeout 2 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x", ("169.254.77.1", 9999)); s.sendto(b"x", ("10.68.0.1", 53))'
	JX ping -c1 -W1 -I host0 169.254.77.1
	JX ping -c1 -W1 -I host0 10.68.0.1
}

out=$(W up "$J" 2>&1)
check "up again: nothing changed (the host link's table as loaded)" grep -q "up to date, nothing changed" <<<"$out"
printf '%s\n' "$out" | diag

js=$(W show --json "$J")
check_eq "show --json: host_link, no nat, nothing published" \
	'{"addresses": [{"host": "169.254.77.1/30", "jail": "169.254.77.2/30"}], "allow": [{"proto": "tcp", "port": 8080}]} null []' \
	"$(python3 -c 'import json,sys; j=json.load(sys.stdin)["jail"]; print(json.dumps(j["host_link"]), json.dumps(j["nat"]), j["published"])' <<<"$js" 2>&1)"

for state in up down; do
	if [ "$state" = down ]; then
		JX ip link set wg0 down
	fi
	capture wjh7 "$T_TMP/link-$state.pcap"
	capture "$HV" "$T_TMP/wan-$state.pcap"
	LINK_PID=${T_PIDS[-2]}
	jail_tries >/dev/null 2>&1
	H ping -c1 -W1 169.254.77.2 >/dev/null 2>&1     # seen: the captures work
	[ "$state" = up ] && JX ping -c1 -W1 10.79.0.2 >/dev/null 2>&1 # through the tunnel
	stop_capture; CAP_PID=$LINK_PID; stop_capture
	check_eq "tunnel $state: nothing the jail initiates leaves over the host link" 0 \
		"$(count "$T_TMP/link-$state.pcap" 'src host 169.254.77.2')"
	# (the two ends' own IPv6 link-local chatter, router solicitations,
	# is theirs: the jail has no address there)
	clear='not (udp port 51840 or udp port 51841) and not (ip6 and src net fe80::/10)'
	check_eq "tunnel $state: nothing leaves over the uplink except WireGuard" 0 \
		"$(count "$T_TMP/wan-$state.pcap" "$clear")"
	tcpdump -nn -r "$T_TMP/wan-$state.pcap" "$clear" 2>/dev/null | diag
done
check "the link capture saw the host's ping (it captures)" test "$(count "$T_TMP/link-down.pcap" 'src host 169.254.77.1')" -ge 1
check "the uplink capture saw the tunnel's packets (it captures)" test "$(count "$T_TMP/wan-up.pcap" 'udp port 51841')" -ge 1
JX ip link set wg0 up
check_eq "tunnel down and up again: the host still reaches the listed port" "jail" "$(H python3 -c '
import socket
c = socket.create_connection(("169.254.77.2", 8080), timeout=2); print(c.recv(16).decode().strip())' 2>&1)"

check "down" W down "$J"
check_fails "after down: the host end is gone" ip -n "$(ns h)" link show wjh7
check_fails "after down: no namespace" test -e "/run/netns/$J"
done_testing
