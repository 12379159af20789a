#!/bin/bash
# `wgjail up` run under `ip netns exec`: that command's private mount
# namespace would keep the jail's name to itself, so up must refuse, say
# why, and leave nothing behind; under `nsenter --net=` it works.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter

J=ipn$$
export WGJAIL_STATEDIR=$T_TMP/run
CONF=$T_TMP/conf
ns_new h
on_exit "nsenter --net=/run/netns/$(ns h) $WGJAIL -c $CONF down $J; ip netns del $J"

check "create" "$WGJAIL" -c "$CONF" create "$J" --uplink wireguard --address 10.93.0.1/24
out=$(ip netns exec "$(ns h)" "$WGJAIL" -c "$CONF" up "$J" 2>&1)
check_eq "up under ip netns exec: exit 1" 1 "$?"
check "  the message names the cause and the way out" grep -q "ip netns exec.*nsenter --net=" <<<"$out"
check_fails "  no namespace of the jail is left" test -e "/run/netns/$J"
check_fails "  no state of the jail is left" test -e "$WGJAIL_STATEDIR/jails/$J/state"
check_eq "  no wireguard-go was started" "" "$(pgrep -f "wireguard-go.*wjw" | xargs -r ps -o args= -p | grep -F "$WGJAIL_STATEDIR" || true)"
check "up under nsenter --net works" nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" up "$J"
check "  and the jail's namespace is usable by name" ip netns exec "$J" ip link show wg0
check "down" nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" down "$J"
check_fails "  nothing left" test -e "/run/netns/$J"
done_testing
