#!/bin/bash
# wgjail up/down, bridge uplink, with wireguard-go.
#
#   test namespace "h" (the host side; wgjail runs there via nsenter)
#   bridge $BR 10.66.0.1/24
#     |-- wj0 ==veth== eth0 [jail $JA 10.66.0.2/24]  wg0 10.77.0.1/24 --.
#     |-- wj1 ==veth== eth0 [jail $JB 10.66.0.3/24]  wg0 10.77.1.1/24   | tunnel
#     `-- $PV ==veth== eth0 [namespace p 10.66.0.9/24] $PW 10.77.0.2/24 <-'
#
# Two jails on one bridge reach each other and the host; jail A's tunnel to
# the peer namespace handshakes and passes pings; `up` again changes
# nothing; `down` leaves no namespace, link or process behind.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter

JA=j6a$$ JB=j6b$$ BR=j6br$$ PV=j6pv$$ PW=j6pw$$
wgjail_host
ns_new p
# alive PID: running (a zombie waiting for init to reap it is gone).
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; case $st in Z*) return 1 ;; esac; }
on_exit "W down $JA; W down $JB; ip netns del $JA; ip netns del $JB; ip netns del ${JA}x"

out=$(W create "$JA" --bridge "$BR" --jail-address 10.66.0.2/24 --gateway 10.66.0.1 \
	--jail-address fd66::2/64 --gateway fd66::1 \
	--address 10.77.0.1/24 --listen-port 51820 2>&1)
check_eq "create jail A" 0 "$?"
pub_a=$(printf '%s\n' "$out" | sed -n 's/^public key: //p')
check "create printed A's public key" test -n "$pub_a"
check "create jail B" W create "$JB" --bridge "$BR" --jail-address 10.66.0.3/24 --gateway 10.66.0.1 \
	--address 10.77.1.1/24
check_eq "ids: lowest unused" "id = 1" "$(grep '^id' "$CONF/$JB/jail.conf")"

# The remote peer's key, and A's peer section (peer management is another
# command: the file is edited directly here).
keyfiles p
cat >>"$CONF/$JA/wg0.conf" <<EOC

[Peer]
PublicKey = $p_pub
AllowedIPs = 10.77.0.2/32, 10.88.0.0/24
Endpoint = 10.66.0.9:51821
EOC

out=$(W up -n "$JA" 2>&1)
check "up -n reports the plan" grep -q "would: host: create network namespace $JA" <<<"$out"
check_fails "up -n created no namespace" test -e "/run/netns/$JA"
check_fails "up -n created no bridge" ip -n "$(ns h)" link show "$BR"

# Another configuration directory, a jail with the same id 0: its host
# link name is taken once A is up; refused, and A's link left alone.
check "a jail with the same id elsewhere: create" H "$WGJAIL" -c "$T_TMP/conf2" create "${JA}x" \
	--bridge "$BR" --jail-address 10.66.0.7/24

check "up jail A" W up "$JA"
out=$(H "$WGJAIL" -c "$T_TMP/conf2" up "${JA}x" 2>&1)
check "a jail with the same id elsewhere: up refused" grep -q "link wj0 exists on the host and is not this jail's" <<<"$out"
H "$WGJAIL" -c "$T_TMP/conf2" down "${JA}x" >/dev/null 2>&1
check "A's host link survived the other jail's up and down" ip -n "$(ns h)" link show wj0
check "up jail B" W up "$JB"
check "ip netns exec works in jail A" ip netns exec "$JA" true
check "A reaches the host (gateway)" ip netns exec "$JA" ping -c1 -W2 10.66.0.1
check "A reaches the host over IPv6" ip netns exec "$JA" ping -6 -c1 -W2 fd66::1
check "A's IPv6 default route is via the IPv6 gateway" \
	grep -q "default via fd66::1 dev eth0" <<<"$(ip -n "$JA" -6 route)"
check "the bridge holds both gateways" \
	grep -q "10.66.0.1/24 fd66::1/64" <<<"$(ip -n "$(ns h)" -br addr show "$BR")"
check "A reaches B over the bridge" ip netns exec "$JA" ping -c1 -W2 10.66.0.3
check "B reaches A over the bridge" ip netns exec "$JB" ping -c1 -W2 10.66.0.2
check "A's default route is via the gateway" \
	grep -q "default via 10.66.0.1 dev eth0" <<<"$(ip -n "$JA" route)"
check "A's wg0 is up with its tunnel address" \
	grep -q "10.77.0.1/24" <<<"$(ip -n "$JA" -br addr show wg0)"
check "A's wg0 is up" grep -q ",UP" <<<"$(ip -n "$JA" link show wg0)"
check "A's wg0 has MTU 1420" grep -q "mtu 1420" <<<"$(ip -n "$JA" link show wg0)"
check "route for the peer's AllowedIPs via wg0" \
	grep -q "10.88.0.0/24 dev wg0" <<<"$(ip -n "$JA" route)"
check "no extra route where the tunnel prefix covers AllowedIPs" \
	test -z "$(ip -n "$JA" route show 10.77.0.2/32)"

# Both jails call their interface wg0 under wireguard-go: each has its own
# UAPI directory, and each answers with its own key.
showpub() { ip netns exec "$1" env WGJAIL_UAPI_DIR="$WGJAIL_STATEDIR/jails/$1/wireguard" "$WGJAIL" show wg0 |
	sed -n 's/^ *public key: //p' | head -1; }
pub_b=$(sed -n 's/^PrivateKey = //p' "$CONF/$JB/wg0.conf" | "$WGJAIL" pubkey)
check_eq "A's wg0 answers with A's key (own UAPI directory)" "$pub_a" "$(showpub "$JA")"
check_eq "B's wg0 answers with B's key (own UAPI directory)" "$pub_b" "$(showpub "$JB")"

# The peer namespace, on the same bridge.
ip link add "$PV" type veth peer name eth0 netns "$(ns p)"
ip link set "$PV" netns "$(ns h)"
ip -n "$(ns h)" link set "$PV" master "$BR" up
ip -n "$(ns p)" addr add 10.66.0.9/24 dev eth0
ip -n "$(ns p)" link set eth0 up
wg_go p "$PW"
wg set "$PW" private-key "$T_TMP/p.key" listen-port 51821 peer "$pub_a" allowed-ips 10.77.0.1/32
ip -n "$(ns p)" addr add 10.77.0.2/24 dev "$PW"
ip -n "$(ns p)" link set "$PW" up

check "tunnel: A pings the peer's tunnel address" wait_until 15 ip netns exec "$JA" ping -c1 -W1 10.77.0.2
hs=$(wg show "$PW" latest-handshakes | awk '{print $2}')
check "tunnel: the peer saw a completed handshake (wg show)" test "${hs:-0}" -gt 0
check "tunnel: the peer pings A back" ip netns exec "$(ns p)" ping -c1 -W2 10.77.0.1

out=$(W up "$JA" 2>&1)
check "up again: nothing changed" grep -q "up to date, nothing changed" <<<"$out"
printf '%s\n' "$out" | grep -v "nothing changed" | diag

out=$(W up -n "$JA" 2>&1)
check "up -n on a running jail: nothing would change" grep -q "up to date, nothing changed" <<<"$out"

# Reconcile: a peer added to the file is added (and routed) without
# touching the live session; removed again, its route goes too.
keypair x
cp "$CONF/$JA/wg0.conf" "$T_TMP/a.conf.saved"
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.89.0.0/24\n' "$x_pub" >>"$CONF/$JA/wg0.conf"
hs_before=$(wg show "$PW" latest-handshakes | awk '{print $2}')
out=$(W up "$JA" 2>&1)
check "up after adding a peer: 1 added" grep -q "1 added, 0 removed, 0 changed" <<<"$out"
check "up after adding a peer: its route" grep -q "10.89.0.0/24 dev wg0" <<<"$(ip -n "$JA" route)"
check "up after adding a peer: nothing else changed" test "$(grep -vc "^wg0:\|^add \|^jail: add route 10.89\|^jail $JA: up" <<<"$out")" -eq 0
cp "$T_TMP/a.conf.saved" "$CONF/$JA/wg0.conf"
out=$(W up "$JA" 2>&1)
check "up after removing it: 1 removed" grep -q "0 added, 1 removed, 0 changed" <<<"$out"
check_fails "up after removing it: its route is gone" grep -q "10.89.0.0/24" <<<"$(ip -n "$JA" route)"
check "the live session was not disturbed (same handshake, still pings)" \
	test "$(wg show "$PW" latest-handshakes | awk '{print $2}')" = "$hs_before"
check "the tunnel still passes pings" ip netns exec "$JA" ping -c1 -W2 10.77.0.2

# A full tunnel (AllowedIPs 0.0.0.0/0) in a bridge jail: both halves of the
# address space via wg0, the peer's endpoint via the gateway, and the
# bridge's own subnet still on the link.
cp "$CONF/$JB/wg0.conf" "$T_TMP/b.conf.saved"
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 0.0.0.0/0\nEndpoint = 192.0.2.7:51821\n' "$x_pub" >>"$CONF/$JB/wg0.conf"
check "full tunnel: up" W up "$JB"
rt=$(ip -n "$JB" route)
check "full tunnel: 0.0.0.0/1 via wg0" grep -q "^0.0.0.0/1 dev wg0" <<<"$rt"
check "full tunnel: 128.0.0.0/1 via wg0" grep -q "^128.0.0.0/1 dev wg0" <<<"$rt"
check "full tunnel: the endpoint via the gateway" grep -q "^192.0.2.7 via 10.66.0.1 dev eth0" <<<"$rt"
check "full tunnel: the default route stays" grep -q "^default via 10.66.0.1 dev eth0" <<<"$rt"
check "full tunnel: B still reaches A on the bridge" ip netns exec "$JB" ping -c1 -W2 10.66.0.2
cp "$T_TMP/b.conf.saved" "$CONF/$JB/wg0.conf"
check "full tunnel removed: up" W up "$JB"
rt=$(ip -n "$JB" route)
check_fails "full tunnel removed: no half routes" grep -q "/1 dev wg0" <<<"$rt"
check_fails "full tunnel removed: no endpoint route" grep -q "192.0.2.7" <<<"$rt"
check "full tunnel removed: the default route stays" grep -q "^default via 10.66.0.1 dev eth0" <<<"$rt"

pid_a=$(sed -n 's/^wggo_pid=//p' "$WGJAIL_STATEDIR/jails/$JA/state")
pid_b=$(sed -n 's/^wggo_pid=//p' "$WGJAIL_STATEDIR/jails/$JB/state")
check "wireguard-go of A runs" alive "${pid_a:-0}"

ino_a=$(stat -L -c %i "/run/netns/$JA")
kept() { ls "$WGJAIL_STATEDIR/endpoints" "$WGJAIL_STATEDIR/applied" 2>/dev/null | grep -c "^$1-"; }
check "A's endpoint memory is kept while it is up" test "$(kept "$ino_a")" -ge 1
check "down jail A" W down "$JA"
check_eq "after down: nothing kept about A's interface (endpoints, records)" 0 "$(kept "$ino_a")"
check "bridge kept while B uses it" ip -n "$(ns h)" link show "$BR"
ip -n "$(ns h)" link set "$PV" nomaster
check "down jail B" W down "$JB"
check "down again: nothing to do" W down "$JA"
check_fails "after down: no namespace A" test -e "/run/netns/$JA"
check_fails "after down: no namespace B" test -e "/run/netns/$JB"
links=$(ip -n "$(ns h)" -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
check_eq "after down: host links (bridge made by wgjail gone, veths gone)" "$PV lo " "$links"
check_fails "after down: A's wireguard-go is gone" alive "${pid_a:-1}"
check_fails "after down: B's wireguard-go is gone" alive "${pid_b:-1}"
check_fails "after down: no state left" test -e "$WGJAIL_STATEDIR/jails/$JA"
done_testing
