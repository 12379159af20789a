#!/bin/bash
# peer add/remove/list and rotate on a jail that is up, with wireguard-go
# and `wg` as the oracle.
#
#        ns b                         ns j = jail J                      ns c
#   p8<pid>b 10.8.0.2  -- veth --  p8<pid>j 10.8.0.1/24  -- veth --  p8<pid>c 10.8.0.3
#   192.168.81.2:51821   (.81.1)    listen 51820          (.82.1)    192.168.82.2:51822
#
# The jail's name is the test namespace's name, so /run/netns/J exists and
# wgjail finds the jail up, as after `wgjail up`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peer_lib.sh"
need_root_netns
need_wireguard_go
need_cmd wg
need_cmd unshare
export WGJAIL_STATEDIR="$T_TMP/state"   # where `wgjail up` keeps a jail's runtime state

ns_new j && ns_new b && ns_new c || skip_all "cannot create namespaces"
J=$(ns j)
IJ="p8$$j" IB="p8$$b" IC="p8$$c"
veth j "p8$$vjb" b "p8$$vbj" && veth j "p8$$vjc" c "p8$$vcj" || skip_all "cannot create veth pairs"
nsx j ip addr add 192.168.81.1/24 dev "p8$$vjb"; nsx b ip addr add 192.168.81.2/24 dev "p8$$vbj"
nsx j ip addr add 192.168.82.1/24 dev "p8$$vjc"; nsx c ip addr add 192.168.82.2/24 dev "p8$$vcj"

mkjail "$J" "$IJ" 10.8.0.1/24 51820 192.168.81.1:51820 || skip_all "cannot make a jail spec"
OLD_PUB=$JAIL_PUB
F="$CONF/$J/$IJ.conf"
keypair b; keypair c
(umask 077; echo "$b_priv" >"$T_TMP/b.key"; echo "$c_priv" >"$T_TMP/c.key"; echo "$JAIL_PRIV" >"$T_TMP/j.key")

# "wgjail up" by hand: the jail's interface from its config
wg_go j "$IJ" && wg_go b "$IB" && wg_go c "$IC" || skip_all "wireguard-go does not start"
nsx j wg setconf "$IJ" "$F"
nsx j ip addr add 10.8.0.1/24 dev "$IJ"; nsx j ip link set "$IJ" up
nsx b wg set "$IB" private-key "$T_TMP/b.key" listen-port 51821 \
	peer "$OLD_PUB" endpoint 192.168.81.1:51820 allowed-ips 10.8.0.0/24
nsx b ip addr add 10.8.0.2/24 dev "$IB"; nsx b ip link set "$IB" up
nsx c wg set "$IC" private-key "$T_TMP/c.key" listen-port 51822 \
	peer "$OLD_PUB" endpoint 192.168.82.1:51820 allowed-ips 10.8.0.0/24
nsx c ip addr add 10.8.0.3/24 dev "$IC"; nsx c ip link set "$IC" up

hs() { nsx "$1" wg show "$2" latest-handshakes | awk -v k="$3" '$1 == k { print $2 }'; }

# ---- a second peer, live -----------------------------------------------
out=$(wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.2/32 --endpoint 192.168.81.2:51821 2>&1)
check "peer add b applies live" grep -q "applied to $IJ" <<<"$out"
check "b reaches the jail" wait_until 5 nsx b ping -c1 -W1 10.8.0.1
hs_b=$(hs j "$IJ" "$b_pub")
check "b has a handshake" test "${hs_b:-0}" -gt 0

# ---- a hostname endpoint is resolved by wgjail (UAPI takes addresses only) -----
keypair h
check "peer add with a hostname endpoint" wj peer add "$J" --public-key "$h_pub" --allowed-ips 10.8.0.40/32 \
	--endpoint localhost:5555
check_eq "the device has the resolved endpoint" "127.0.0.1:5555" \
	"$(nsx j wg show "$IJ" endpoints | awk -v k="$h_pub" '$1 == k { print $2 }')"
check "and the drop-in keeps the name" grep -qx "Endpoint = localhost:5555" "$(dropin "$J" "$IJ" "$h_pub")"
check "remove it" wj peer remove "$J" "$h_pub"

# ---- a third peer while b pings: b undisturbed, c handshakes at once -------
nsx b ping -i 0.05 -c 80 -W 1 10.8.0.1 >"$T_TMP/ping-b" 2>&1 &
ping_pid=$!
sleep 0.5
out=$(wj peer add "$J" --public-key "$c_pub" --allowed-ips 10.8.0.3/32 --endpoint 192.168.82.2:51822 --keepalive 25 2>&1)
check "peer add c applies live" grep -q "applied to $IJ" <<<"$out"
check "the device has c with its allowed IP and keepalive" bash -c \
	"ip netns exec $J wg show $IJ dump | awk -v k='$c_pub' '\$1==k && \$4==\"10.8.0.3/32\" && \$8==25' | grep -q ."
check "c handshakes at once" nsx c ping -c1 -W2 10.8.0.1
json=$(wj peer list --json "$J")
check "peer list shows live handshakes" python3 -c '
import json,sys
d=json.loads(sys.argv[1]); assert d["up"] is True, d
p={x["public_key"]:x for x in d["peers"]}
assert p[sys.argv[2]]["latest_handshake"] > 0 and p[sys.argv[3]]["latest_handshake"] > 0, p
assert p[sys.argv[3]]["rx_bytes"] > 0, p
' "$json" "$b_pub" "$c_pub"
sleep 0.5
check "peer remove c applies live" wj peer remove "$J" "$c_pub"
check_eq "the device has only b" "$b_pub" "$(nsx j wg show "$IJ" peers)"
check_fails "c no longer reaches the jail" nsx c ping -c1 -W1 10.8.0.1
wait "$ping_pid"
check "b's ping lost nothing during add and remove" grep -q " 0% packet loss" "$T_TMP/ping-b"
check_eq "b's latest handshake unchanged" "$hs_b" "$(hs j "$IJ" "$b_pub")"
tail -3 "$T_TMP/ping-b" | diag

# ---- concurrency: two writers, 200 peers each --------------------------------
python3 - "$T_TMP" <<'PY'
import base64, os, sys
for w in (1, 2):
    with open(f"{sys.argv[1]}/keys{w}", "w") as f:
        for i in range(200):
            f.write(f"{base64.b64encode(os.urandom(32)).decode()} 10.{100 + w}.{i // 250}.{i % 250 + 1}/32\n")
PY
adder() { while read -r k a; do "$WGJAIL" -c "$CONF" peer add "$J" --public-key "$k" --allowed-ips "$a" >/dev/null || echo "FAILED $k"; done <"$1"; }
start=$SECONDS
adder "$T_TMP/keys1" >"$T_TMP/add1.log" 2>&1 &
p1=$!
adder "$T_TMP/keys2" >"$T_TMP/add2.log" 2>&1 &
p2=$!
wait "$p1" "$p2"
echo "# 400 concurrent adds took $((SECONDS - start)) s"
check_eq "no add failed" "" "$(cat "$T_TMP/add1.log" "$T_TMP/add2.log")"
want=$( (cut -d' ' -f1 "$T_TMP/keys1" "$T_TMP/keys2"; echo "$b_pub") | sort)
check_eq "all 400 in the config (drop-ins)" "$want" "$(all_peers "$J" "$IJ")"
check_eq "all 400 on the device" "$want" "$(nsx j wg show "$IJ" peers | sort)"
check_eq "every allowed IP on the device" 401 "$(nsx j wg show "$IJ" allowed-ips | awk 'NF==2' | wc -l)"
check "b still reaches the jail" nsx b ping -c1 -W1 10.8.0.1

# ---- rotate ----------------------------------------------------------------------
# c comes back as a peer but keeps the jail's old public key: after the
# rotation its handshakes must fail; b gets the new key and must work.
wj peer add "$J" --public-key "$c_pub" --allowed-ips 10.8.0.3/32 >/dev/null
new_pub=$(wj rotate "$J" 2>"$T_TMP/rotate.err")
check "rotate applies live" grep -q "applied to $IJ" "$T_TMP/rotate.err"
check_eq "the device runs the printed public key" "$new_pub" "$(nsx j wg show "$IJ" public-key)"
check "the printed key is not the old one" test "$new_pub" != "$OLD_PUB"
nsx b wg set "$IB" peer "$OLD_PUB" remove
nsx b wg set "$IB" peer "$new_pub" endpoint 192.168.81.1:51820 allowed-ips 10.8.0.0/24
check "b, given the new key, re-handshakes and traffic flows" wait_until 5 nsx b ping -c1 -W1 10.8.0.1
check "b has a handshake with the new key" test "$(hs b "$IB" "$new_pub")" -gt 0
nsx c wg set "$IC" peer "$OLD_PUB" remove
nsx c wg set "$IC" peer "$OLD_PUB" endpoint 192.168.82.1:51820 allowed-ips 10.8.0.0/24
check_fails "c, still on the old key, gets no traffic through" nsx c ping -c3 -i0.5 -W1 10.8.0.1
check_eq "c's handshake with the old key never completes" 0 "$(hs c "$IC" "$OLD_PUB")"

# rotate --peer: new PSK for b; b given the printed line keeps working
line=$(wj rotate "$J" --peer "$b_pub" 2>/dev/null)
check "the device has the new PSK for b" bash -c \
	"ip netns exec $J wg show $IJ preshared-keys | grep -qF '$b_pub	${line#PresharedKey = }'"
(umask 077; echo "${line#PresharedKey = }" >"$T_TMP/b.psk")
nsx b wg set "$IB" peer "$new_pub" preshared-key "$T_TMP/b.psk"
sleep 0.2
# force a new handshake so the PSK is used: drop b's session
nsx b wg set "$IB" peer "$new_pub" remove
nsx b wg set "$IB" peer "$new_pub" endpoint 192.168.81.1:51820 allowed-ips 10.8.0.0/24 preshared-key "$T_TMP/b.psk"
check "b with the new PSK re-handshakes and traffic flows" wait_until 5 nsx b ping -c1 -W1 10.8.0.1


# ---- export: onboarding c with one command -----------------------------------
# c gets a new key pair from the export (--generate-remote-key) and the
# jail's current key and endpoint from it; Address is set by hand, as
# wg-quick would.
exp=$(wj export --generate-remote-key "$J" "$c_pub" 2>"$T_TMP/export.err")
check "export --generate-remote-key applies live" grep -q "applied live" "$T_TMP/export.err"
check "export names the jail's current key and endpoint" bash -c \
	"grep -qx 'PublicKey = $new_pub' <<<\"\$1\" && grep -qx 'Endpoint = 192.168.81.1:51820' <<<\"\$1\"" _ "$exp"
(umask 077; grep -v -e '^Address' -e '^#' <<<"$exp" >"$T_TMP/c-export.conf")
nsx c ip route add 192.168.81.0/24 via 192.168.82.1
check "c takes the exported config" nsx c wg setconf "$IC" "$T_TMP/c-export.conf"
check "c, configured from the export alone, reaches the jail" wait_until 5 nsx c ping -c1 -W1 10.8.0.1

# ---- up, but no interface: the file is saved, the failure is reported ---------
ns_new x || skip_all "cannot create namespaces"
JX=$(ns x)
mkjail "$JX" "p8$$x" 10.7.0.1/24 || skip_all "cannot make a jail spec"
out=$(wj peer add "$JX" --public-key "$b_pub" 2>&1)
check_eq "peer add on an up jail without its interface exits 1" 1 "$?"
case $out in *"saved, but"*"p8$$x"*) t_ok "the message says the file was saved and names the interface";;
	*) t_fail "the message says the file was saved and names the interface"; echo "$out" | diag;; esac
check_eq "the peer is in the config" "$b_pub" "$(all_peers "$JX" "p8$$x")"

# ---- a jail as `wgjail up` leaves it with wireguard-go: private socket dir -----
# up runs wireguard-go with its own socket directory
# (STATEDIR/jails/J/wireguard-go, bind-mounted on /var/run/wireguard for it,
# the socket named after the interface wireguard-go created) and gives the
# jail's UAPI directory (STATEDIR/jails/J/wireguard) a symbolic link named
# after the jail's interface: the layout of start_wggo in jail_linux.c.
ns_new u || skip_all "cannot create namespaces"
JU=$(ns u)
IU="p8$$u" HU="p8$$h"
mkjail "$JU" "$IU" 10.9.0.1/24 51830 || skip_all "cannot make a jail spec"
UD="$WGJAIL_STATEDIR/jails/$JU/wireguard"
GD="$WGJAIL_STATEDIR/jails/$JU/wireguard-go"
mkdir -p "$UD" "$GD"
printf 'netns_created=1\nuplink=wireguard\nimpl=userspace\nifname=%s\nuapi_name=%s\n' "$IU" "$HU" \
	>"$WGJAIL_STATEDIR/jails/$JU/state"
WG_PROCESS_FOREGROUND=1 ip netns exec "$JU" unshare -m sh -c \
	"mount --bind '$GD' /var/run/wireguard && exec wireguard-go -f '$HU'" >"$T_TMP/wg-go-u.log" 2>&1 &
T_PIDS+=("$!")
wait_until 10 test -S "$GD/$HU.sock" || skip_all "wireguard-go with a private socket dir does not start"
ln -s "../wireguard-go/$HU.sock" "$UD/$IU.sock"
uwg() { ip netns exec "$JU" unshare -m sh -c "mount --bind '$GD' /var/run/wireguard && wg $*"; }
keypair e
check "peer add reaches wireguard-go in the jail's private socket dir" \
	wj peer add "$JU" --public-key "$e_pub" --allowed-ips 10.9.0.5/32
check_eq "the device has the peer" "$e_pub" "$(uwg show "$HU" peers)"
check "peer list reads it live" bash -c "\"$WGJAIL\" -c \"$CONF\" peer list --json \"$JU\" | grep -q '\"up\":true'"
check "peer remove too" wj peer remove "$JU" "$e_pub"
check_eq "the device has no peer" "" "$(uwg show "$HU" peers)"

done_testing
