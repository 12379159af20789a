# wgjail up/down with kernel WireGuard (issue 6): the VM's own namespace is
# the host side.
#
#   bridge j6br 10.60.0.1/24 (host)
#     `-- wj0 ==veth== eth0 [jail ka 10.60.0.2]  wg0 10.61.0.1 (kernel, born in ka)
#   [jail kb]  lo + wg0 10.61.0.2 only (kernel, born in the host, moved in);
#              its UDP socket (port 51602) stays in the host namespace
J6C=/tmp/j6conf
WGJAIL_STATEDIR=/tmp/j6run
export WGJAIL_STATEDIR
j6() { "$WGJAIL" -c "$J6C" "$@"; }
j6pub() { sed -n 's/^PrivateKey = //p' "$J6C/$1/wg0.conf" | "$WG" pubkey; }

check "jail ka: create (bridge uplink, kernel)" j6 create ka --bridge j6br --jail-address 10.60.0.2/24 \
	--gateway 10.60.0.1 --address 10.61.0.1/24 --listen-port 51601 --implementation kernel
check "jail kb: create (wireguard uplink, kernel)" j6 create kb --uplink wireguard --address 10.61.0.2/24 \
	--listen-port 51602 --implementation kernel
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.61.0.2/32\nEndpoint = 10.60.0.1:51602\n' "$(j6pub kb)" \
	>>"$J6C/ka/wg0.conf"
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 0.0.0.0/0\nEndpoint = 10.60.0.2:51601\n' "$(j6pub ka)" \
	>>"$J6C/kb/wg0.conf"
check "jail ka: up" j6 up ka
check "jail kb: up" j6 up kb
"$IP" -n ka -d link show wg0 >"$W/j6ka" 2>&1
grep -q wireguard "$W/j6ka" && ok "ka: wg0 is a kernel WireGuard link" || { notok "ka: wg0 is a kernel WireGuard link"; diag <"$W/j6ka"; }
"$IP" -n kb -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ' >"$W/j6kb"
[ "$(cat "$W/j6kb")" = "lo wg0 " ] && ok "kb holds exactly lo and wg0" || notok "kb holds exactly lo and wg0: $(cat "$W/j6kb")"
check "ka pings kb through the tunnel" wait_until 10 nsx ka ping -c1 -W1 10.61.0.2
check "kb pings ka through the tunnel" nsx kb ping -c1 -W1 10.61.0.1
j6 up ka >"$W/j6up" 2>&1
grep -q "nothing changed" "$W/j6up" && ok "ka: up again changes nothing" || { notok "ka: up again changes nothing"; diag <"$W/j6up"; }
check "jail ka: down" j6 down ka
check "jail kb: down" j6 down kb
[ ! -e /run/netns/ka ] && [ ! -e /run/netns/kb ] && ok "after down: no jail namespace" || notok "after down: no jail namespace"
"$IP" -o link | grep -E "wj|j6br" >"$W/j6left"
[ ! -s "$W/j6left" ] && ok "after down: no link of the jails on the host" || { notok "after down: links left"; diag <"$W/j6left"; }
