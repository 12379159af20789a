#!/bin/bash
# Issue 17: a bridge-uplink jail behind a host, reached from a WAN.
#
#   namespace "wan": w0 203.0.113.1/24 2001:db8:17::1/64
#       $PW  wireguard-go, tunnel 10.77.7.2/24, reaches the jail at 203.0.113.2:51820
#       $PW6 wireguard-go, tunnel 10.77.7.3/24, at [2001:db8:17::2]:51820
#   namespace "h" (the host; wgjail runs there): up0 203.0.113.2/24 2001:db8:17::2/64,
#       default routes via the WAN; bridge $BR 10.66.7.1/24 fd66:7::1/64
#   jail $J: 10.66.7.2/24 fd66:7::2/64 on the bridge, wg0 10.77.7.1/24 port 51820,
#       nat = yes (the WireGuard port published), publish = tcp:8080:80
#
# The WAN has no route to the jail's private addresses: every packet that
# crosses does so through the host's NAT and forwarded port.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd nft

J=n17a$$ J2=n17b$$ BR=n17br$$ PW=n17pw$$ PW6=n17p6$$
export WGJAIL_STATEDIR=$T_TMP/run
CONF=$T_TMP/conf
ns_new h
ns_new wan
H() { nsenter --net="/run/netns/$(ns h)" "$@"; }
W() { H "$WGJAIL" -c "$CONF" "$@"; }
NH() { ip netns exec "$(ns h)" nft "$@"; }
on_exit "W down $J; W down $J2; ip netns del $J; ip netns del $J2"
# set_key JAIL KEY VALUE: a line in the spec's [jail] section
set_key() { sed -i "/^\[jail\]/a $2 = $3" "$CONF/$1/jail.conf"; }

ip link add up0 netns "$(ns h)" type veth peer name w0 netns "$(ns wan)"
ip -n "$(ns h)" addr add 203.0.113.2/24 dev up0
ip -n "$(ns h)" addr add 2001:db8:17::2/64 dev up0 nodad
ip -n "$(ns wan)" addr add 203.0.113.1/24 dev w0
ip -n "$(ns wan)" addr add 2001:db8:17::1/64 dev w0 nodad
ip -n "$(ns h)" link set up0 up
ip -n "$(ns wan)" link set w0 up
ip -n "$(ns h)" route add default via 203.0.113.1
ip -n "$(ns h)" -6 route add default via 2001:db8:17::1
H sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0

# Someone else's table, with a forward chain that drops by default: it
# must come out of `up` and `down` byte-for-byte as it went in.
NH -f - <<'EON'
table inet hostfw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
	}
}
EON
fw_before=$(NH list table inet hostfw)
# and a table with a forward chain that accepts by default: never touched
NH -f - <<'EON'
table ip other {
	chain fwd {
		type filter hook forward priority filter + 5; policy accept;
		ip saddr 192.0.2.0/24 counter drop
	}
}
EON
other_before=$(NH list table ip other)

check "create the jail" W create "$J" --bridge "$BR" --jail-address 10.66.7.2/24 --gateway 10.66.7.1 \
	--jail-address fd66:7::2/64 --gateway fd66:7::1 --address 10.77.7.1/24 --listen-port 51820 \
	--implementation userspace --nat --publish tcp:8080:80
check "create wrote nat and publish into the spec" grep -q "^publish = tcp:8080:80" "$CONF/$J/jail.conf"
pub_j=$(sed -n 's/^PrivateKey = //p' "$CONF/$J/wg0.conf" | "$WGJAIL" pubkey)
keypair p
keypair q
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.7.2/32\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.7.3/32\n' \
	"$p_pub" "$q_pub" >>"$CONF/$J/wg0.conf"

# ---- -n prints the exact ruleset, loads nothing ----------------------------
out=$(W up -n "$J" 2>&1)
check "up -n names the NAT interface (the default route's)" grep -q "NAT out of up0" <<<"$out"
check "up -n prints the masquerade rule" grep -q 'oifname "up0" ip saddr 10.66.7.2 masquerade' <<<"$out"
check "up -n prints the forwarded WireGuard port" \
	grep -q 'iifname "up0" fib daddr type local udp dport 51820 dnat ip to 10.66.7.2:51820' <<<"$out"
check "up -n prints the published port, IPv6" \
	grep -q 'tcp dport 8080 dnat ip6 to \[fd66:7::2\]:80' <<<"$out"
check "up -n: forwarding would be enabled" grep -q "would: host: enable net.ipv4.ip_forward" <<<"$out"
check_fails "up -n loaded nothing" NH list table inet wgjail
check_eq "up -n left forwarding off" 0 "$(H sysctl -n net.ipv4.ip_forward)"

# ---- up -----------------------------------------------------------------------
out=$(W up "$J" 2>&1)
check_eq "up" 0 "$?"
printf '%s\n' "$out" | diag
check "up says it enabled IPv4 forwarding" grep -q "host: enable net.ipv4.ip_forward" <<<"$out"
check "up says it enabled IPv6 forwarding" grep -q "host: enable net.ipv6.conf.all.forwarding" <<<"$out"
check "up names the host's drop-policy forward chain and the rule it appends" \
	grep -q "host: table inet hostfw, chain forward drops forwarded packets by default: append for jail $J: meta mark & 0x00100000 == 0x00100000 accept comment \"wgjail $J\"" <<<"$out"
check_eq "forwarding is on" 1 "$(H sysctl -n net.ipv4.ip_forward)"
check "the table inet wgjail exists" NH list table inet wgjail
# the drop-policy chain: exactly its own rules, then wgjail's one rule
check_eq "the host's drop-policy chain got exactly one rule, appended after its own" \
	"$(printf '%s\n' "$fw_before" | sed '$d' | sed '$d'; printf '\t\tmeta mark & 0x00100000 == 0x00100000 accept comment "wgjail %s"\n\t}\n}' "$J")" \
	"$(NH list table inet hostfw)"
check_eq "a table whose forward chain accepts by default is unchanged by up" "$other_before" "$(NH list table ip other)"

# ---- the WAN peers reach the jail through the forwarded port ----------------
wg_go wan "$PW"
printf '%s\n' "$p_priv" >"$T_TMP/p.key"; printf '%s\n' "$q_priv" >"$T_TMP/q.key"; chmod 600 "$T_TMP"/*.key
wg set "$PW" private-key "$T_TMP/p.key" peer "$pub_j" allowed-ips 10.77.7.1/32 endpoint 203.0.113.2:51820
ip -n "$(ns wan)" addr add 10.77.7.2/24 dev "$PW"
ip -n "$(ns wan)" link set "$PW" up
check "WAN peer pings the jail over the tunnel (IPv4 forwarded port)" \
	wait_until 15 ip netns exec "$(ns wan)" ping -c1 -W1 10.77.7.1
hs=$(wg show "$PW" latest-handshakes | awk '{print $2}')
check "WAN peer completed a handshake" test "${hs:-0}" -gt 0
wg_go wan "$PW6"
wg set "$PW6" private-key "$T_TMP/q.key" peer "$pub_j" allowed-ips 10.77.7.1/32 endpoint "[2001:db8:17::2]:51820"
ip -n "$(ns wan)" addr add 10.77.7.3/24 dev "$PW6"
ip -n "$(ns wan)" link set "$PW6" up
check "second WAN peer pings the jail over the tunnel (IPv6 forwarded port)" \
	wait_until 15 ip netns exec "$(ns wan)" ping -c1 -W1 -I "$PW6" 10.77.7.1
hs=$(wg show "$PW6" latest-handshakes | awk '{print $2}')
check "second WAN peer completed a handshake over IPv6" test "${hs:-0}" -gt 0
check "the jail pings back across the tunnel" ip netns exec "$J" ping -c1 -W2 10.77.7.2

# ---- the jail reaches the WAN through NAT ---------------------------------------
check "the jail reaches a WAN address (IPv4, masqueraded)" ip netns exec "$J" ping -c1 -W2 203.0.113.1
check "the jail reaches a WAN address (IPv6, ULA masqueraded)" ip netns exec "$J" ping -6 -c1 -W2 2001:db8:17::1
# a published TCP port: a listener in the jail, a connection from the WAN
ip netns exec "$J" python3 -c '
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 80)); s.listen(4)
for _ in range(2):
    c, _a = s.accept(); c.sendall(b"jail\n"); c.close()' &
T_PIDS+=("$!")
wait_until 10 bash -c "ip netns exec $J ss -Hltn | grep -q ':80 '"
tcp_get() { ip netns exec "$(ns wan)" python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], 8080), timeout=3); print(c.recv(16).decode().strip())' "$1"; }
check_eq "published tcp:8080 -> jail port 80 (IPv4)" "jail" "$(tcp_get 203.0.113.2 2>&1)"
check_eq "published tcp:8080 -> jail port 80 (IPv6)" "jail" "$(tcp_get 2001:db8:17::2 2>&1)"

# The appended rule is what the drop-policy chain lets through: without
# it, a new connection from the jail is dropped; the next `up` puts it back.
fw_up=$(NH list table inet hostfw)
h=$(NH -a list chain inet hostfw forward | sed -n "s/.*comment \"wgjail $J\" # handle \([0-9]*\)/\1/p")
NH delete rule inet hostfw forward handle "$h"
check_fails "without wgjail's rule the host's drop policy drops the jail's new traffic" \
	ip netns exec "$J" ping -c1 -W1 -s 77 203.0.113.1
out=$(W up "$J" 2>&1)
check "up appends the rule someone removed" grep -q "chain forward drops forwarded packets by default: append for jail $J" <<<"$out"
check_eq "... and the chain is as after the first up" "$fw_up" "$(NH list table inet hostfw)"
check "with the rule back, the jail's new traffic passes again" ip netns exec "$J" ping -c1 -W2 -s 78 203.0.113.1

# ---- show --json JAIL ------------------------------------------------------------
js=$(W show --json "$J")
check_eq "show --json: nat, published" \
	'{"interface": "up0", "ipv6_masquerade": true} [{"proto": "tcp", "host_port": 8080, "jail_port": 80}, {"proto": "udp", "host_port": 51820, "jail_port": 51820}] None' \
	"$(python3 -c 'import json,sys; j=json.load(sys.stdin)["jail"]; print(json.dumps(j["nat"]), json.dumps(j["published"]), j["host_link"])' <<<"$js" 2>&1)"

# ---- idempotency --------------------------------------------------------------
wgt=$(NH list table inet wgjail)
out=$(W up "$J" 2>&1)
check "second up: nothing changed" grep -q "up to date, nothing changed" <<<"$out"
check_fails "second up: loaded nothing" grep -q "load nftables" <<<"$out"
check_eq "second up: the table is as it was" "$wgt" "$(NH list table inet wgjail)"
check_eq "second up: the host's chain is as it was" "$fw_up" "$(NH list table inet hostfw)"
# A failed load changes nothing: the kernel refuses the last statement of
# the transaction (the test hook WGJAIL_TEST_NFT_FAIL appends one), so the
# deletion and re-creation of the jail's chains before it in the same
# transaction must not happen either.
held=$(NH list table inet wgjail)
set_key "$J" publish udp:5353
out=$(WGJAIL_TEST_NFT_FAIL=1 W up "$J" 2>&1)
check_eq "a ruleset the kernel refuses: up fails" 1 "$?"
check "... saying nftables refused it and nothing changed" grep -q "nftables: the jail's chains: loading failed, nothing changed" <<<"$out"
check_eq "... and the previous ruleset is in place, whole" "$held" "$(NH list table inet wgjail)"
check_fails "... without the new port" grep -q "dport 5353" <<<"$(NH list table inet wgjail)"
out=$(W up "$J" 2>&1)
check "the same up without the fault loads the new port" grep -q "udp dport 5353 dnat ip to 10.66.7.2:5353" <<<"$(NH list table inet wgjail)"
sed -i '/^publish = udp:5353/d' "$CONF/$J/jail.conf"
W up "$J" >/dev/null 2>&1
check_eq "with the spec as before, the ruleset is as before" "$held" "$(NH list table inet wgjail)"
# someone flushed the jail's chain: up reloads it
NH flush chain inet wgjail "post_$J"
out=$(W up "$J" 2>&1)
check "after a flush by hand: up reloads the chains" grep -q "host: load nftables rules for jail $J" <<<"$out"
check_eq "... and they are as before" "$wgt" "$(NH list table inet wgjail)"

# ---- bad input: clear errors, nothing loaded ------------------------------------
out=$(W create "$J2" --bridge "$BR" --jail-address 10.66.7.3/24 --gateway 10.66.7.1 \
	--address 10.77.8.1/24 --listen-port 51821 --implementation userspace --nat --publish tcp:8080 2>&1)
check_eq "create: a host port another jail publishes is refused" 1 "$?"
check "... naming the port and the other jail" grep -q "publish tcp:8080: jail $J publishes that host port already" <<<"$out"
check "create a second jail" W create "$J2" --bridge "$BR" --jail-address 10.66.7.3/24 --gateway 10.66.7.1 \
	--address 10.77.8.1/24 --listen-port 51821 --implementation userspace --nat=yes
set_key "$J2" publish tcp:8080
out=$(W up "$J2" 2>&1)
check_eq "a host port another jail publishes (the spec edited by hand): up fails" 1 "$?"
check "... naming the port and the other jail" grep -q "publish tcp:8080: jail $J publishes that host port already" <<<"$out"
check_fails "... and its chains were not loaded" NH list chain inet wgjail "pre_$J2"
W down "$J2" >/dev/null 2>&1
sed -i '/^publish/d' "$CONF/$J2/jail.conf"
set_key "$J2" nat_interface nosuch0
out=$(W up "$J2" 2>&1)
check_eq "a NAT interface that does not exist: up fails" 1 "$?"
check "... naming the key and value" grep -q "nat_interface = 'nosuch0': the host has no such interface" <<<"$out"
W down "$J2" >/dev/null 2>&1
sed -i '/^nat_interface/d' "$CONF/$J2/jail.conf"
set_key "$J2" address fd66:7::3/64
out=$(W up "$J2" 2>&1)
check_eq "NAT for an IPv6 address without an IPv6 gateway: up fails" 1 "$?"
check "... naming the address" grep -q "nat = yes: address = fd66:7::3/64 has no gateway of its family" <<<"$out"
check_fails "... and nothing was loaded for it" NH list chain inet wgjail "pre_$J2"
W down "$J2" >/dev/null 2>&1
sed -i '/^address = fd66:7::3/d' "$CONF/$J2/jail.conf"
set_key "$J2" publish tcp:70000
out=$(W up "$J2" 2>&1)
check_eq "a port out of range: up fails" 1 "$?"
check "... naming file, line, key and value" grep -q "jail.conf:[0-9]*: publish = 'tcp:70000': the host port is not a port from 1 to 65535" <<<"$out"
check_eq "the table holds only the first jail's chains" "$wgt" "$(NH list table inet wgjail)"
rm -rf "${CONF:?}/$J2"

# ---- down ---------------------------------------------------------------------------
out=$(W down "$J" 2>&1)
check_eq "down" 0 "$?"
check "down says it removed the chains" grep -q "remove nftables chains of jail $J" <<<"$out"
check_fails "after down: no table inet wgjail" NH list table inet wgjail
check_eq "after down: forwarding is off again (IPv4)" 0 "$(H sysctl -n net.ipv4.ip_forward)"
check_eq "after down: forwarding is off again (IPv6)" 0 "$(H sysctl -n net.ipv6.conf.all.forwarding)"
check "down says it removed its rule from the host's chain" \
	grep -q "host: remove jail $J's rule from table inet hostfw, chain forward" <<<"$out"
check_eq "the drop-policy table is byte for byte as before up" "$fw_before" "$(NH list table inet hostfw)"
check_eq "the accept-policy table is byte for byte as before up" "$other_before" "$(NH list table ip other)"

# A chain whose owner accepts the mark already gets nothing.
NH add rule inet hostfw forward meta mark '&' 0x00100000 == 0x00100000 accept
fw_own=$(NH list table inet hostfw)
out=$(W up "$J" 2>&1)
check_fails "the owner's own line there: up appends nothing" grep -q "append for jail" <<<"$out"
check_eq "... the chain is unchanged by up" "$fw_own" "$(NH list table inet hostfw)"
check "... and the jail's traffic passes" ip netns exec "$J" ping -c1 -W2 203.0.113.1
W down "$J" >/dev/null 2>&1
check_eq "... and by down" "$fw_own" "$(NH list table inet hostfw)"
NH delete table inet hostfw

# Forwarding that was on before `up` stays on after `down`.
H sysctl -qw net.ipv4.ip_forward=1
check "up again, forwarding already on" W up "$J"
check "down again" W down "$J"
check_eq "forwarding the host had on stays on" 1 "$(H sysctl -n net.ipv4.ip_forward)"
done_testing
