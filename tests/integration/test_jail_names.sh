#!/bin/bash
# Hostile jail names are refused by create and up, with a clear message,
# and nothing is created: no file, no namespace, no state.
. "$(dirname "$0")/lib.sh"
need_root_netns

export WGJAIL_STATEDIR=$T_TMP/run
CONF=$T_TMP/conf
long=$(printf 'j%.0s' $(seq 1 40))

for name in 'a;b' '../x' "$long" '' 'a b' '-x' 'a/b' '$(id)'; do
	q=$(printf '%q' "$name")
	out=$("$WGJAIL" -c "$CONF" create --address 10.9.0.1/24 -- "$name" 2>&1); rc=$?
	check_eq "create $q fails" 1 "$rc"
	check "create $q: message names the jail name" grep -q "jail name" <<<"$out"
	out=$("$WGJAIL" -c "$CONF" up -- "$name" 2>&1); rc=$?
	check_eq "up $q fails" 1 "$rc"
	check "up $q: message names the jail name" grep -q "jail name" <<<"$out"
	out=$("$WGJAIL" -c "$CONF" down -- "$name" 2>&1); rc=$?
	check_eq "down $q fails" 1 "$rc"
done
check_fails "nothing written in the configuration directory" test -n "$(ls -A "$CONF" 2>/dev/null)"
check_fails "no runtime state" test -e "$WGJAIL_STATEDIR"
# (Other suites may create namespaces meanwhile: look for ours by name.)
for f in 'a;b' x "$long" 'a b' -- -x a '$(id)'; do
	check_fails "no namespace /run/netns/$(printf '%q' "$f")" test -e "/run/netns/$f"
done
check_fails "no namespace above /run/netns" test -e /run/x
check_fails "nothing outside the confdir either" test -e "$T_TMP/x"

# Bad option values are refused the same way.
out=$("$WGJAIL" -c "$CONF" create j6n$$ --bridge 'br;rm' 2>&1)
check "create: hostile bridge name refused, quoted" grep -q "bridge 'br;rm'" <<<"$out"
out=$("$WGJAIL" -c "$CONF" create j6n$$ --interface 'wg0000000000000000' 2>&1)
check "create: too-long interface name refused" grep -q "at most 15" <<<"$out"
out=$("$WGJAIL" -c "$CONF" create j6n$$ --jail-address 10.0.0.300/24 2>&1)
check "create: bad address refused, quoted" grep -q "10.0.0.300/24" <<<"$out"
check_fails "create: nothing written after refused options" test -e "$CONF/j6n$$"
out=$("$WGJAIL" -c "$CONF" create j6n$$ --gateway 10.0.0.1 2>&1)
check "create: a gateway without a jail address of its family is refused" grep -q "gateway" <<<"$out"
check_fails "create: nothing left after a refused spec" test -e "$CONF/j6n$$/jail.conf"
done_testing
