#!/bin/bash
# Issue 16: `up` is a list of steps walked forwards; when the `up` of a
# jail that was not up fails half-way, the steps it went through are
# walked backwards (as `down` does), so it leaves nothing behind: no
# namespace, no state, nothing added to the host's bridge, and nobody
# else's link touched.  A reconcile that fails leaves the running jail as
# it was, and `down` still removes all of it.
#
#   test namespace "h" (the host side; wgjail runs there via nsenter)
#   $BR: a bridge the host made (down, no address)
#   wj7: a link of someone else's with the name jail A's veth would take
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter

JA=unw$$ BR=unwbr$$
wgjail_host "$JA"
IH() { ip -n "$(ns h)" "$@"; }
addrs() { IH -o addr show dev "$1" scope global | awk '{print $4}' | sort | tr '\n' ' '; }
is_up() { IH -o link show dev "$1" | grep -q '[<,]UP[,>]'; }

IH link add "$BR" type bridge
check "create A on the host's bridge, id 7" W create "$JA" --bridge "$BR" --id 7 --jail-address 10.95.0.2/24 \
	--gateway 10.95.0.1 --address 10.96.0.1/24 --implementation userspace

# ---- a failure after the namespace and the bridge were changed -----------
IH link add wj7 type veth peer name wj7p
out=$(W up "$JA" 2>&1)
check_eq "up fails: the veth's name is taken" 1 "$?"
check "... saying so" grep -q "link wj7 exists on the host and is not this jail's" <<<"$out"
check "... it had created the namespace" grep -q "host: create network namespace $JA" <<<"$out"
check "... and said it removed it again" grep -q "host: delete network namespace $JA" <<<"$out"
check_fails "... no namespace is left" test -e "/run/netns/$JA"
check_fails "... no state is left" test -e "$WGJAIL_STATEDIR/jails/$JA/state"
check_eq "... the gateway it added to the bridge is gone" "" "$(addrs "$BR")"
check_fails "... the bridge is down again, as the host had it" is_up "$BR"
check "... the other link is untouched" IH link show wj7
out=$(W down "$JA" 2>&1)
check "down then has nothing to do" grep -q "not up (no state" <<<"$out"
IH link del wj7

# ---- a reconcile that fails leaves the jail running -------------------------
check "up A" W up "$JA"
check_eq "the gateway was added" "10.95.0.1/24 " "$(addrs "$BR")"
IH addr del 10.95.0.1/24 dev "$BR"
IH addr add 10.95.0.1/16 dev "$BR"
out=$(W up "$JA" 2>&1)
check_eq "up again, with the bridge's gateway changed under it, fails" 1 "$?"
check "... naming both" grep -q "holds 10.95.0.1/16, the spec's gateway wants 10.95.0.1/24" <<<"$out"
check_fails "... and takes nothing down" grep -q "delete" <<<"$out"
check "... the jail is still there" test -e "/run/netns/$JA"
check "... with its state" test -e "$WGJAIL_STATEDIR/jails/$JA/state"
check "... and its veth" IH link show wj7
check "... and its wireguard-go" ip netns exec "$JA" ip link show wg0
IH addr del 10.95.0.1/16 dev "$BR"
check "down" W down "$JA"
check_fails "... no namespace left" test -e "/run/netns/$JA"
check_fails "... the veth is gone" IH link show wj7
check_fails "... no wireguard-go of the jail left" pgrep -f "wireguard-go.*$WGJAIL_STATEDIR/jails/$JA/"
done_testing
