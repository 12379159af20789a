# Two namespaces, two kernel WireGuard interfaces configured only by
# wgjail: handshake and ping across, IPv4 and IPv6; then the no-disruption
# scenario: other peers added, removed, changed while the session lives.
#
#   [ns a] va 192.168.77.1 ---- veth ---- vb 192.168.77.2 [ns b]
#          wga 10.77.0.1/24, fd77::1/64   wgb 10.77.0.2/24, fd77::2/64
"$IP" netns add a
"$IP" netns add b
nsx a "$IP" link set lo up
nsx b "$IP" link set lo up
"$IP" link add va netns a type veth peer name vb netns b
nsx a "$IP" addr add 192.168.77.1/24 dev va
nsx b "$IP" addr add 192.168.77.2/24 dev vb
nsx a "$IP" link set va up
nsx b "$IP" link set vb up
genkey ta; genkey tb
# configure NS IF KEY PORT ADDR4 ADDR6 PEERPUB PEERENDPOINT PEERAIPS
configure() {
	wg_configure "$@"
}
check "create wga in namespace a" nsx a "$WJVM" create wga
check "create wgb in namespace b" nsx b "$WJVM" create wgb
check "configure wga" configure a wga ta 51001 tb 192.168.77.2:51002 10.77.0.2/32,fd77::2/128
check "configure wgb" configure b wgb tb 51002 ta 192.168.77.1:51001 10.77.0.1/32,fd77::1/128
nsx a "$IP" addr add 10.77.0.1/24 dev wga
nsx a "$IP" -6 addr add fd77::1/64 dev wga nodad
nsx b "$IP" addr add 10.77.0.2/24 dev wgb
nsx b "$IP" -6 addr add fd77::2/64 dev wgb nodad
nsx a "$IP" link set wga up
nsx b "$IP" link set wgb up
check "IPv4 ping through the tunnel" wait_until 10 nsx a ping -c1 -W1 10.77.0.2
check "IPv6 ping through the tunnel" wait_until 10 nsx a ping -6 -c1 -W1 fd77::2
# handshake_of NS IF PEERNAME: latest handshake (seconds) of that peer
handshake_of() { nsx "$1" "$WJVM" dump "$2" | awk -v k="$(cat "$W/$3.pub")" '$1 == k {print $5}'; }
hs=$(handshake_of a wga tb)
if [ -n "$hs" ] && [ "$hs" -gt 0 ]; then ok "a handshake happened (read by the kernel backend)"; else
	notok "a handshake happened (read by the kernel backend): '$hs'"; fi
nsx a "$WG" show wga latest-handshakes | awk '{print $2}' >"$W/hs.wg"
[ "$(cat "$W/hs.wg")" = "$hs" ] && ok "wg reads the same handshake time" || notok "wg reads the same handshake time"

# No disruption: many changes to other peers, the session untouched.
sleep 1
i=0
while [ $i -lt 40 ]; do genkey "x$i"; i=$((i + 1)); done
check "add 40 other peers" churn_add a wga
check "change and remove other peers" churn_change a wga
hs2=$(handshake_of a wga tb)
[ "$hs2" = "$hs" ] && ok "the live session's latest handshake is unchanged ($hs)" ||
	notok "the live session's latest handshake is unchanged ($hs -> $hs2)"
check "IPv4 ping still crosses" nsx a ping -c1 -W1 10.77.0.2
check "IPv6 ping still crosses" nsx a ping -6 -c1 -W1 fd77::2
hs3=$(handshake_of a wga tb)
[ "$hs3" = "$hs" ] && ok "no new handshake was needed" || notok "no new handshake was needed ($hs -> $hs3)"
nsx a "$WG" show wga peers | wc -l >"$W/npeers"
[ "$(cat "$W/npeers")" -eq 21 ] && ok "21 peers remain (1 + 40 added - 20 removed)" ||
	notok "21 peers remain: $(cat "$W/npeers")"
"$IP" netns del a
"$IP" netns del b
