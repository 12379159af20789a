#!/bin/bash
# Issue 13, item 12: `up` checks the bridge before touching it, and `down`
# removes from a bridge exactly what `up` added to it, once no jail is on
# it any more (the host's own addresses and state are never touched).
#
#   test namespace "h" (the host side; wgjail runs there via nsenter)
#   $VE: a veth link named as the jail's --bridge: refused, unchanged
#   $BR: a bridge the host made (down, no address): two jails on it
#   $BX: a bridge holding the gateway address already (the host's)
#   $BY: a bridge holding the gateway with another prefix: refused
#   and (item 18) the bridge marker and wireguard-go's log are never
#   opened through a symbolic link planted in their place
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter

JA=b12a$$ JB=b12b$$ VE=b12v$$ BR=b12br$$ BX=b12bx$$ BY=b12by$$
wgjail_host
IH() { ip -n "$(ns h)" "$@"; }
on_exit "W down $JA; W down $JB; ip netns del $JA; ip netns del $JB"
addrs() { IH -o addr show dev "$1" scope global | awk '{print $4}' | sort | tr '\n' ' '; }
is_up() { IH -o link show dev "$1" | grep -q '[<,]UP[,>]'; }

mk() { # JAIL BRIDGE ID LAST-OCTET
	W create "$1" --bridge "$2" --id "$3" --jail-address "10.91.0.$4/24" --gateway 10.91.0.1 \
		--address "10.92.$3.1/24" --implementation userspace >/dev/null
}

# ---- a link that is not a bridge -------------------------------------------
IH link add "$VE" type veth peer name "${VE}p"
mk "$JA" "$VE" 1 2
out=$(W up "$JA" 2>&1)
check_eq "up with --bridge naming a veth link fails" 1 "$?"
check "... saying it is not a bridge" grep -q "$VE exists on the host and is not a bridge" <<<"$out"
check_eq "... no address was added to it" "" "$(addrs "$VE")"
check_fails "... it was not set up" is_up "$VE"
check "down after the failed up" W down "$JA"
check_eq "... the veth is still as it was" "" "$(addrs "$VE")"
check "... and still there" IH link show "$VE"

# ---- a bridge the host made: what up adds, down removes ---------------------
IH link add "$BR" type bridge
mk "$JA" "$BR" 1 2
mk "$JB" "$BR" 2 3
check "up A on the host's bridge" W up "$JA"
check_eq "the gateway was added" "10.91.0.1/24 " "$(addrs "$BR")"
check "the bridge was set up" is_up "$BR"
check "up B on the same bridge" W up "$JB"
check "down A" W down "$JA"
check_eq "B is still on the bridge: the gateway stays" "10.91.0.1/24 " "$(addrs "$BR")"
check "B still reaches the gateway" ip netns exec "$JB" ping -c1 -W2 10.91.0.1
check "down B" W down "$JB"
check_eq "the last jail gone: the gateway wgjail added is removed" "" "$(addrs "$BR")"
check_fails "... the bridge is down again, as the host had it" is_up "$BR"
check "... and the host's bridge still exists" IH link show "$BR"

# ---- a bridge that holds the gateway already --------------------------------
IH link add "$BX" type bridge
IH addr add 10.91.0.1/24 dev "$BX"
IH link set "$BX" up
mk "$JA" "$BX" 1 2
check "up A on a bridge holding the gateway" W up "$JA"
check "down A" W down "$JA"
check_eq "the host's own gateway address stays" "10.91.0.1/24 " "$(addrs "$BX")"
check "... and the bridge stays up" is_up "$BX"

# ---- a gateway with another prefix length: refused before any change -------
IH link add "$BY" type bridge
IH addr add 10.91.0.1/16 dev "$BY"
mk "$JA" "$BY" 1 2
out=$(W up "$JA" 2>&1)
check_eq "up on a bridge holding the gateway as /16 fails" 1 "$?"
check "... naming both" grep -q "holds 10.91.0.1/16, the spec's gateway wants 10.91.0.1/24" <<<"$out"
check_eq "... the host's address is untouched" "10.91.0.1/16 " "$(addrs "$BY")"
check_fails "... the bridge was not set up" is_up "$BY"
W down "$JA" >/dev/null 2>&1

# ---- item 18: files of the state directory are never opened through a link -
BN=b12bn$$
mkdir -p -m 700 "$WGJAIL_STATEDIR/bridges" "$WGJAIL_STATEDIR/jails/$JA"
ln -s "$T_TMP/victim-marker" "$WGJAIL_STATEDIR/bridges/$BN"
ln -s "$T_TMP/victim-log" "$WGJAIL_STATEDIR/jails/$JA/wireguard-go.log"
mk "$JA" "$BN" 1 2
check "up, creating a bridge, with links planted in the state directory" W up "$JA"
check_fails "the bridge marker was not written through the link" test -e "$T_TMP/victim-marker"
check_fails "wireguard-go's log was not written through the link" test -e "$T_TMP/victim-log"
W down "$JA" >/dev/null 2>&1
IH link del "$BN" 2>/dev/null
done_testing
