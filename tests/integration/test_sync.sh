#!/bin/bash
# wgjail sync against real wireguard-go, `wg` as the oracle.
#
#   namespace a                                namespace b
#   +------------------------+   veth          +------------------------+
#   | IFA  10.100.0.1/24     |  10.99.0.1/24   | IFB  10.100.0.2/24     |
#   |      (peers B,C,D,E..) |  fd99::1/64 ----| fd99::2/64             |
#   | IFA6 fd10::1/64        |                 | IFB6 fd10::2/64        |
#   +------------------------+                 +------------------------+
#   IFA<->IFB over IPv4 endpoints, IFA6<->IFB6 over IPv6 endpoints; every
#   WireGuard setting is made by `wgjail sync` only.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd wg
need_cmd ss

export WGJAIL_STATEDIR="$T_TMP/state" WGJAIL_RESOLVE_RETRIES=0 WGJAIL_RESOLVE_DELAY_MS=10
IFA="u4$$a" IFB="u4$$b" IFA6="u4$$a6" IFB6="u4$$b6"
on_exit "rm -f /var/run/wireguard/$IFA.sock /var/run/wireguard/$IFB.sock /var/run/wireguard/$IFA6.sock /var/run/wireguard/$IFB6.sock"

ns_new a && ns_new b || { t_fail "namespaces"; done_testing; exit; }
veth a "u4$$va" b "u4$$vb"
nsx a ip addr add 10.99.0.1/24 dev "u4$$va"
nsx b ip addr add 10.99.0.2/24 dev "u4$$vb"
nsx a ip addr add fd99::1/64 dev "u4$$va" nodad
nsx b ip addr add fd99::2/64 dev "u4$$vb" nodad
for x in "a $IFA 10.100.0.1/24" "b $IFB 10.100.0.2/24" "a $IFA6 fd10::1/64" "b $IFB6 fd10::2/64"; do
	set -- $x
	wg_go "$1" "$2" || { t_fail "wireguard-go $2 starts"; done_testing; exit; }
	case $3 in *:*) nsx "$1" ip addr add "$3" dev "$2" nodad ;; *) nsx "$1" ip addr add "$3" dev "$2" ;; esac
	nsx "$1" ip link set "$2" up
done
for k in A B A6 B6 C D E F G; do keypair "$k"; done
PSK=$("$WGJAIL" genpsk)

conf() { umask 077; cat >"$T_TMP/$1"; }
iface() { printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n' "$1" "$2"; }
peer() { printf '\n[Peer]\nPublicKey = %s\n' "$1"; shift; for l in "$@"; do printf '%s\n' "$l"; done; }
field() { nsx a wg show "$IFA" "$1" | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
peers() { nsx a wg show "$IFA" peers | sort | tr '\n' ' '; }
sorted() { printf '%s\n' "$@" | sort | tr '\n' ' '; }
# wg showconf with the peers sorted (wireguard-go lists them in map order)
showconf() { nsx a wg showconf "$IFA" | awk '/^\[Peer\]/ { printf "\n" } NF { printf "%s ", $0 } END { printf "\n" }' | sort; }
udp_inodes() { nsx a ss -Hlunpe "sport = :51820" 2>/dev/null | grep -o 'ino:[0-9]*' | sort | tr '\n' ' '; }

{ iface "$B_priv" 51820; peer "$A_pub" "AllowedIPs = 10.100.0.1/32" "Endpoint = 10.99.0.1:51820"; } | conf b.conf
{ iface "$B6_priv" 51821; peer "$A6_pub" "AllowedIPs = fd10::1/128" "Endpoint = [fd99::1]:51821"; } | conf b6.conf
{ iface "$A6_priv" 51821; peer "$B6_pub" "AllowedIPs = fd10::2/128" "Endpoint = [fd99::2]:51821"; } | conf a6.conf
# a1: B (real), D and E (placeholders), plus wg-quick keys that sync ignores
{ iface "$A_priv" 51820; echo "Address = 10.100.0.1/24"; echo "MTU = 1420"
  peer "$B_pub" "AllowedIPs = 10.100.0.2/32" "Endpoint = 10.99.0.2:51820"
  peer "$D_pub" "AllowedIPs = 10.200.4.0/24"
  peer "$E_pub" "AllowedIPs = 10.200.5.0/24" "PresharedKey = $PSK" "PersistentKeepalive = 25"; } | conf a1.conf
# a2: adds C, removes D, changes E's allowed IPs and drops its PSK and keepalive
{ iface "$A_priv" 51820
  peer "$B_pub" "AllowedIPs = 10.100.0.2/32" "Endpoint = 10.99.0.2:51820"
  peer "$C_pub" "AllowedIPs = 10.200.3.0/24" "Endpoint = 192.0.2.3:51820"
  peer "$E_pub" "AllowedIPs = 10.200.6.1/24, 10.200.5.0/24"; } | conf a2.conf

# ---- IPv4 and IPv6: configured by wgjail sync alone ----------------------
check "sync b" "$WGJAIL" sync "$IFB" "$T_TMP/b.conf"
out=$("$WGJAIL" sync "$IFA" "$T_TMP/a1.conf" 2>&1); rc=$?
check_eq "sync a: exit 0" 0 "$rc"
check_eq "sync a: reports 3 added" "$IFA: 3 added, 0 removed, 0 changed, interface changed" "$(printf '%s\n' "$out" | tail -1)"
check "IPv4: handshake and ping through the tunnel" wait_until 10 nsx a ping -c1 -W1 10.100.0.2
check_eq "wg sees the listen port" 51820 "$(nsx a wg show "$IFA" listen-port)"
check_eq "wg sees the peers" "$(sorted "$B_pub" "$D_pub" "$E_pub")" "$(peers)"
check_eq "E's PSK is set" "$PSK" "$(field preshared-keys "$E_pub")"
check_eq "E's keepalive is set" 25 "$(field persistent-keepalive "$E_pub")"
check "sync b6" "$WGJAIL" sync "$IFB6" "$T_TMP/b6.conf"
check "sync a6" "$WGJAIL" sync "$IFA6" "$T_TMP/a6.conf"
check "IPv6: handshake and ping through the tunnel (IPv6 endpoints)" wait_until 10 nsx a ping -6 -c1 -W1 fd10::2
check_eq "IPv6 endpoint as wg sees it" "[fd99::2]:51821" \
	"$(nsx a wg show "$IFA6" endpoints | awk '{print $2}')"

# ---- no disruption: add C, remove D, change E during a ping --------------
hs_before=$(field latest-handshakes "$B_pub")
nsx a ping -i 0.1 -c 40 -W 1 10.100.0.2 >"$T_TMP/ping.log" 2>&1 &
ping_pid=$!
sleep 1
out=$("$WGJAIL" sync "$IFA" "$T_TMP/a2.conf" 2>&1); rc=$?
wait "$ping_pid"
check_eq "sync a2: exit 0" 0 "$rc"
check_eq "sync a2: one line per peer and a summary" \
	"$(sorted "add    $C_pub: endpoint 192.0.2.3:51820, allowed ips 10.200.3.0/24" \
		"remove $D_pub" \
		"change $E_pub: allowed ips 10.200.5.0/24,10.200.6.0/24, preshared key removed, keepalive off" \
		"$IFA: 1 added, 1 removed, 1 changed")" \
	"$(printf '%s\n' "$out" | sort | tr '\n' ' ')"
check_eq "A's latest handshake with B unchanged" "$hs_before" "$(field latest-handshakes "$B_pub")"
check "the ping running through the sync lost nothing" grep -q ' 40 received, 0% packet loss' "$T_TMP/ping.log"
check_eq "peers after: B, C, E" "$(sorted "$B_pub" "$C_pub" "$E_pub")" "$(peers)"
check_eq "E's allowed IPs replaced" "10.200.5.0/24 10.200.6.0/24" \
	"$(field allowed-ips "$E_pub" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "E's PSK removed" "(none)" "$(field preshared-keys "$E_pub")"
check_eq "E's keepalive removed" "off" "$(field persistent-keepalive "$E_pub")"
check_eq "B untouched: endpoint" "10.99.0.2:51820" "$(field endpoints "$B_pub")"

# ---- the same file again sends nothing --------------------------------------
ino_before=$(udp_inodes)
check "the UDP sockets are visible" test -n "$ino_before"
check_eq "sync -n: no change" "$IFA: no change (dry run)" "$("$WGJAIL" sync -n "$IFA" "$T_TMP/a2.conf" 2>&1)"
check_eq "sync: no change" "$IFA: no change" "$("$WGJAIL" sync "$IFA" "$T_TMP/a2.conf" 2>&1)"
check_eq "listen_port not re-sent: the same UDP sockets (no rebind)" "$ino_before" "$(udp_inodes)"
nsx a wg set "$IFA" listen-port 51820
check_fails "(control) wg set with the same port does rebind: the check above can fail" \
	test "$ino_before" = "$(udp_inodes)"

# ---- a roamed peer is not pulled back; a changed endpoint is sent -----------
nsx a wg set "$IFA" peer "$C_pub" endpoint 192.0.2.33:4444
check_eq "roamed C: no change" "$IFA: no change" "$("$WGJAIL" sync "$IFA" "$T_TMP/a2.conf" 2>&1)"
check_eq "roamed C stays where it is" "192.0.2.33:4444" "$(field endpoints "$C_pub")"
sed "s/192.0.2.3:51820/192.0.2.4:51820/" "$T_TMP/a2.conf" | conf a3.conf
check "endpoint changed in the file" "$WGJAIL" sync "$IFA" "$T_TMP/a3.conf"
check_eq "C's new endpoint is sent" "192.0.2.4:51820" "$(field endpoints "$C_pub")"

# ---- dry run with secrets: keys hidden, nothing changed ---------------------
{ cat "$T_TMP/a3.conf"; peer "$G_pub" "AllowedIPs = 10.200.7.0/24" "PresharedKey = $PSK"; } | conf a4.conf
conf_before=$(showconf)
out=$("$WGJAIL" sync -n "$IFA" "$T_TMP/a4.conf" 2>&1)
check_eq "dry run shows the plan, PSK hidden" \
	"add    $G_pub: allowed ips 10.200.7.0/24, preshared key (hidden)" "$(printf '%s\n' "$out" | head -1)"
check_fails "dry run never prints the PSK" grep -qF "$PSK" <<<"$out"
check_fails "dry run never prints the private key" grep -qF "$A_priv" <<<"$out"
check_eq "dry run changed nothing" "$conf_before" "$(showconf)"

# ---- unresolvable endpoints: skipped, the rest applied, exit 1 --------------
{ iface "$A_priv" 51820
  peer "$B_pub" "AllowedIPs = 10.100.0.2/32, 10.100.9.0/24" "Endpoint = u4-nonexistent-b.invalid:51820"
  peer "$C_pub" "AllowedIPs = 10.200.3.0/24" "Endpoint = 192.0.2.4:51820"
  peer "$E_pub" "AllowedIPs = 10.200.5.0/24"
  peer "$F_pub" "AllowedIPs = 10.200.8.0/24" "Endpoint = u4-nonexistent-f.invalid:51820"
  peer "$G_pub" "AllowedIPs = 10.200.7.0/24"; } | conf a5.conf
out=$(nsx a "$WGJAIL" sync "$IFA" "$T_TMP/a5.conf" 2>&1); rc=$?
check_eq "unresolvable: exit 1" 1 "$rc"
check "unresolvable: F named with its host" grep -q "skip   $F_pub: endpoint 'u4-nonexistent-f.invalid:51820' does not resolve" <<<"$out"
check "unresolvable: summary on stderr" grep -q "2 peers skipped" <<<"$out"
check_eq "the others applied: G added, F not" "$(sorted "$B_pub" "$C_pub" "$E_pub" "$G_pub")" "$(peers)"
check_eq "the others applied: E changed" "10.200.5.0/24" "$(field allowed-ips "$E_pub")"
check_eq "an existing unresolvable peer (B) is left as it was" "10.100.0.2/32" "$(field allowed-ips "$B_pub")"
check "and keeps working" nsx a ping -c1 -W1 10.100.0.2

# ---- a malformed file changes nothing -----------------------------------------
conf_before=$(showconf)
{ iface "$A_priv" 51822; peer "$D_pub" "AllowedIPs = 10.200.4.0/24"; printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.300/32\n' "$C_pub"; } | conf bad.conf
out=$("$WGJAIL" sync "$IFA" "$T_TMP/bad.conf" 2>&1); rc=$?
check_eq "malformed: exit 1" 1 "$rc"
check "malformed: the error names file:line and the value" grep -q "bad.conf:10: AllowedIPs.*10.0.0.300" <<<"$out"
check_eq "malformed: the device is unchanged" "$conf_before" "$(showconf)"

# ---- differential: wgjail sync and wg syncconf end in the same state -------
# (steps without PSK/keepalive removal: wg 1.0.20210914 leaves those behind)
IFX="u4$$x" IFY="u4$$y"
on_exit "rm -f /var/run/wireguard/$IFX.sock /var/run/wireguard/$IFY.sock"
if wg_go a "$IFX" && wg_go b "$IFY"; then  # apart: same port, same key
	# showconf in a canonical order: peers by key, allowed IPs sorted
	sorted_conf() { wg showconf "$1" | sorted_showconf; }
	keypair X
	PSK2=$("$WGJAIL" genpsk)
	{ iface "$X_priv" 51850; echo "FwMark = 0x42"
	  peer "$B_pub" "AllowedIPs = 10.1.0.0/16, fd01::/64" "Endpoint = 192.0.2.1:1"
	  peer "$C_pub" "AllowedIPs = 10.2.0.0/16" "PresharedKey = $PSK" "PersistentKeepalive = 10"
	  peer "$D_pub" "AllowedIPs = 10.3.0.0/16" "Endpoint = [2001:db8::3]:3"; } | conf d1.conf
	{ iface "$X_priv" 51851; echo "FwMark = 0x42"
	  peer "$B_pub" "AllowedIPs = 10.1.0.0/16, 10.9.0.0/16" "Endpoint = 192.0.2.11:1"
	  peer "$C_pub" "AllowedIPs = 10.2.0.0/16" "PresharedKey = $PSK2" "PersistentKeepalive = 20"
	  peer "$E_pub" "AllowedIPs = 10.3.0.0/16" "Endpoint = 192.0.2.5:5"; } | conf d2.conf
	{ iface "$X_priv" 51851; echo "FwMark = 0"
	  peer "$E_pub" "AllowedIPs = 10.3.0.0/16, 10.1.0.0/16" "Endpoint = 192.0.2.5:6"
	  peer "$C_pub" "AllowedIPs = 10.2.0.0/24" "PresharedKey = $PSK2" "PersistentKeepalive = 20"; } | conf d3.conf
	for step in d1 d2 d3 d1; do
		"$WGJAIL" sync "$IFX" "$T_TMP/$step.conf" >/dev/null 2>&1
		wg syncconf "$IFY" "$T_TMP/$step.conf"
		check_eq "same state as wg syncconf after $step" "$(sorted_conf "$IFY")" "$(sorted_conf "$IFX")"
	done
	check "the differential compared real states (peers, port, fwmark)" \
		grep -qF "AllowedIPs=10.3.0.0/16 Endpoint=[2001:db8::3]:3 PublicKey=$D_pub" <<<"$(sorted_conf "$IFX")"
	# where they differ on purpose: a file without ListenPort and FwMark
	grep -v "^ListenPort\|^FwMark" "$T_TMP/d1.conf" | conf d4.conf
	"$WGJAIL" sync "$IFX" "$T_TMP/d4.conf" >/dev/null 2>&1
	wg syncconf "$IFY" "$T_TMP/d4.conf"
	check_eq "omitted ListenPort/FwMark: wgjail leaves them" "51850 0x42" \
		"$(wg show "$IFX" listen-port) $(wg show "$IFX" fwmark)"
	check_fails "(control) wg syncconf zeroes them" test "$(wg show "$IFY" fwmark)" = 0x42
else
	t_fail "wireguard-go for the differential test"
fi

# ---- usage --------------------------------------------------------------------
"$WGJAIL" sync "$IFA" >/dev/null 2>&1; check_eq "one argument: usage error" 2 "$?"
"$WGJAIL" sync "bad/name" "$T_TMP/a2.conf" >/dev/null 2>&1; check_eq "bad interface name: usage error" 2 "$?"
out=$("$WGJAIL" sync "u4$$none" "$T_TMP/a2.conf" 2>&1); rc=$?
check_eq "missing interface: exit 1" 1 "$rc"
check "missing interface: says so" grep -q "no such WireGuard interface" <<<"$out"

done_testing
