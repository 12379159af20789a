#!/bin/bash
# wgjail exec JAIL [--] COMMAND: COMMAND runs inside the jail's network
# stack and sees the jail's WireGuard interface as wg(8) looks for it, even
# where wireguard-go runs behind the jail's private UAPI socket directory
# (where `ip netns exec JAIL wg show` finds nothing); its exit status is
# COMMAND's.
#
#   test namespace "h" (host side, where wgjail runs)
#     $HV 10.71.0.1/24 ==veth== eth0 10.71.0.2/24 [namespace p]
#                                     $PW 10.81.0.2/24 (wireguard-go, port 51861)
#   jail $J: wg0 10.81.0.1/24 (WireGuard-only uplink, wireguard-go)
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd wg
need_cmd findmnt

J=x1j$$ HV=x1hv$$ PW=x1qw$$
wgjail_host "$J"
ns_new p

host_uplink "$HV" 10.71.0

out=$(W create "$J" --uplink wireguard --implementation userspace --address 10.81.0.1/24 --listen-port 51860 2>&1)
check_eq "create a jail" 0 "$?"
pub_j=$(printf '%s\n' "$out" | sed -n 's/^public key: //p')

out=$(W exec "$J" true 2>&1)
check_eq "exec in a jail that is not running: exit 1" 1 "$?"
check "  ... says so and how to start it" grep -qF "jail $J is not running here (start it with: wgjail up $J)" <<<"$out"

remote_peer "$J" "$pub_j" 10.81.0.2/32 10.71.0.2:51861 "$PW" 10.81.0.2/24 10.81.0.1/32
check "up" W up "$J"

# What `ip netns exec` cannot do: wireguard-go's socket is not in the
# jail's view of /var/run/wireguard for it.
out=$(ip netns exec "$J" wg show wg0 2>&1)
check_fails "ip netns exec JAIL wg show wg0 does not find the interface (why exec exists)" test "$?" -eq 0

out=$(W exec "$J" wg show 2>&1)
check_eq "exec JAIL wg show: exit 0" 0 "$?"
check "  wg(8) finds the jail's interface under its name in the jail" grep -q "^interface: wg0" <<<"$out"
check "  with the jail's public key" grep -qF "public key: $pub_j" <<<"$out"
check "  and its peer" grep -qF "peer: $p_pub" <<<"$out"
out=$(W exec "$J" -- wg show interfaces 2>&1)
check_eq "  only the jail's interfaces, not the host's wireguard-go ($PW)" "wg0" "$out"
check_eq "exec JAIL -- wg show wg0 public-key" "$pub_j" "$(W exec "$J" -- wg show wg0 public-key 2>&1)"

check "exec JAIL ping the peer through the tunnel" wait_until 15 W exec "$J" ping -c1 -W1 10.81.0.2
out=$(W exec "$J" ip -o link show 2>&1 | awk -F': ' '{print $2}' | sort | tr '\n' ' ')
check_eq "  the jail's links: lo and wg0" "lo wg0 " "$out"
check "  /sys is the jail's (/sys/class/net/wg0 exists)" W exec "$J" test -e /sys/class/net/wg0

W exec "$J" sh -c 'exit 7'
check_eq "exit status is the command's (7)" 7 "$?"
W exec "$J" -- false
check_eq "exit status is the command's (false: 1)" 1 "$?"
out=$(W exec "$J" sh -c 'kill -TERM $$' 2>&1)
check_eq "killed by a signal: 128+15, as a shell says" 143 "$?"
check_eq "stdin and stdout pass through" "hello" "$(echo hello | W exec "$J" cat)"
out=$(W exec "$J" no-such-program-$$ 2>&1)
check_eq "a command that does not exist: exit 127" 127 "$?"
check "  names it" grep -qF "no-such-program-$$" <<<"$out"
printf 'not a program\n' >"$T_TMP/notexec"; chmod 644 "$T_TMP/notexec"
out=$(W exec "$J" "$T_TMP/notexec" 2>&1)
check_eq "a file that cannot be run: exit 126" 126 "$?"

out=$(W exec "../$J" true 2>&1)
check_eq "a bad jail name: usage error (2)" 2 "$?"
check "  quotes the name" grep -qF "jail name '../$J'" <<<"$out"
out=$(W exec "$J" 2>&1)
check_eq "no command: usage error (2)" 2 "$?"
out=$(W exec nosuch$$ true 2>&1)
check_eq "a jail that does not exist: exit 1" 1 "$?"
check "  says it is not running" grep -qF "jail nosuch$$ is not running here" <<<"$out"

check_fails "nothing was mounted on the host's /var/run/wireguard" findmnt -n /run/wireguard
check "down" W down "$J"
done_testing
