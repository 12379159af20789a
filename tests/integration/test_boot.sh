#!/bin/bash
# wgjail boot, from an empty state, over three jail specs written by hand
# (as an image builder would): A's wg0.conf says "PrivateKey = generate",
# B has a wg0.conf without PrivateKey, C's spec is broken.  Boot generates
# both keys (0600, before use), brings A and B up (handshakes and pings to
# a remote namespace), reports C with file:line, and exits 1.
#
#   test namespace "h" (host side; wgjail runs there through nsenter)
#   bridge $BR 10.61.0.1/24
#     |-- veth -- [jail $JA 10.61.0.2]  wg0 10.71.0.1/24 --.
#     |-- veth -- [jail $JB 10.61.0.3]  wg0 10.71.1.1/24 --+-- tunnels
#     `-- $PV  -- [namespace p 10.61.0.9] $PA 10.71.0.2 (51831), $PB 10.71.1.2 (51832)
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter

JA=a9ba$$ JB=a9bb$$ JC=a9bc$$ BR=a9bbr$$ PV=a9bpv$$ PA=a9bpa$$ PB=a9bpb$$
export WGJAIL_RUNDIR=$T_TMP/status
wgjail_host
ns_new p
on_exit "W down $JA; W down $JB; ip netns del $JA; ip netns del $JB; ip netns del $JC"

keyfiles pa pb

mkdir -p "$CONF/$JA" "$CONF/$JB" "$CONF/$JC"
spec() { # NAME ID JAILADDR TUNADDR
	cat >"$CONF/$1/jail.conf" <<EOC
[jail]
id = $2
uplink = bridge
bridge = $BR
address = $3/24
gateway = 10.61.0.1

[wireguard]
interface = wg0
address = $4/24
EOC
}
spec "$JA" 1 10.61.0.2 10.71.0.1
spec "$JB" 2 10.61.0.3 10.71.1.1
cat >"$CONF/$JA/wg0.conf" <<EOC
# written by the image builder
[Interface]
PrivateKey = generate
ListenPort = 51841

[Peer]
PublicKey = $pa_pub
AllowedIPs = 10.71.0.2/32
Endpoint = 10.61.0.9:51831
EOC
cat >"$CONF/$JB/wg0.conf" <<EOC
[Interface]
ListenPort = 51842
EOC
# B's peer is a drop-in, as `wgjail peer add` writes it: boot reads both.
mkdir -m 700 "$CONF/$JB/wg0.peers"
(umask 077; cat >"$CONF/$JB/wg0.peers/$(printf '%s' "$pb_pub" | base64 -d | od -An -v -tx1 | tr -d ' \n').conf" <<EOC
# remote B
[Peer]
PublicKey = $pb_pub
AllowedIPs = 10.71.1.2/32
Endpoint = 10.61.0.9:51832
EOC
)
chmod 644 "$CONF/$JA/wg0.conf" "$CONF/$JB/wg0.conf" # boot must leave them 0600
printf '[jail]\nid = 3\nuplink = sideways\n' >"$CONF/$JC/jail.conf"

# The remote side, on the bridge once boot has made it.
ip link add "$PV" type veth peer name eth0 netns "$(ns p)"
ip link set "$PV" netns "$(ns h)"
ip -n "$(ns p)" addr add 10.61.0.9/24 dev eth0
ip -n "$(ns p)" link set eth0 up

out=$(W boot 2>&1)
rc=$?
printf '%s\n' "$out" | diag
check_eq "boot exits 1 (one jail failed)" 1 "$rc"
check "table: A up" grep -Eq "^$JA +bridge +wg0 +up " <<<"$out"
check "table: B up" grep -Eq "^$JB +bridge +wg0 +up " <<<"$out"
check "table: C failed, naming file:line and the value" \
	grep -Eq "^$JC +\\? +\\? +failed .*$JC/jail.conf:3.*sideways" <<<"$out"
check "table has a header" grep -Eq "^JAIL +UPLINK +INTERFACE +STATE +MESSAGE" <<<"$out"

for j in "$JA" "$JB"; do
	f=$CONF/$j/wg0.conf
	check_eq "$j: wg0.conf is 0600" 600 "$(stat -c %a "$f")"
	check "$j: a real private key was written" grep -Eq '^PrivateKey = [A-Za-z0-9+/]{43}=$' "$f"
	check_fails "$j: no secret in the boot output" grep -qF "$(sed -n 's/^PrivateKey = //p' "$f")" <<<"$out"
done
check "A: the builder's comment is kept" grep -q "^# written by the image builder" "$CONF/$JA/wg0.conf"
pub() { sed -n 's/^PrivateKey = //p' "$CONF/$1/wg0.conf" | "$WGJAIL" pubkey; }
pub_a=$(pub "$JA")
pub_b=$(pub "$JB")
check "the keys differ" test "$pub_a" != "$pub_b"

ip -n "$(ns h)" link set "$PV" master "$BR" up
wg_go p "$PA"
wg_go p "$PB"
wg set "$PA" private-key "$T_TMP/pa.key" listen-port 51831 peer "$pub_a" allowed-ips 10.71.0.1/32
wg set "$PB" private-key "$T_TMP/pb.key" listen-port 51832 peer "$pub_b" allowed-ips 10.71.1.1/32
ip -n "$(ns p)" addr add 10.71.0.2/24 dev "$PA"
ip -n "$(ns p)" addr add 10.71.1.2/24 dev "$PB"
ip -n "$(ns p)" link set "$PA" up
ip -n "$(ns p)" link set "$PB" up

check "A's tunnel: ping" wait_until 15 ip netns exec "$JA" ping -c1 -W1 10.71.0.2
check "B's tunnel (peer in a drop-in): ping" wait_until 15 ip netns exec "$JB" ping -c1 -W1 10.71.1.2
hs_a=$(wg show "$PA" latest-handshakes | awk '{print $2}')
hs_b=$(wg show "$PB" latest-handshakes | awk '{print $2}')
check "A: handshake seen by the remote (wg show)" test "${hs_a:-0}" -gt 0
check "B: handshake seen by the remote (wg show)" test "${hs_b:-0}" -gt 0
check_fails "C: no namespace" test -e "/run/netns/$JC"

# Second boot: keys kept, nothing else changes, still exit 1 for C.
key_before=$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf")
out=$(W boot 2>&1)
check_eq "second boot still exits 1" 1 "$?"
check_eq "second boot keeps A's key" "$key_before" "$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf")"
check "second boot: A still up" grep -Eq "^$JA +bridge +wg0 +up " <<<"$out"

# Without the broken jail, boot exits 0.
rm -r "${CONF:?}/$JC"
check "boot without the broken jail exits 0" W boot
done_testing
