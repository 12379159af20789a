#!/bin/bash
# Crash consistency: `peer add` / `peer remove` killed with SIGKILL at
# random moments, 500 times.  After every kill the merged config (the
# main file and every drop-in of IF.peers/) parses and is, byte for byte,
# either the state before the command or the state after it.  No
# device is involved (the jail is not up), so the loop is fast; it uses
# the non-sanitized ./wgjail when present (WGJAIL_FAST overrides).
#
#   S0 = 10 hand-written peers with comments in the main file, 10 peers
#        in drop-ins (added by wgjail), without peer K
#   S1 = S0 + K's drop-in (what `peer add` writes)
# A state is the main file followed by each drop-in, in name order,
# under its name (state below); the index .aip/ is derived data and not
# part of it, but every run checks that a conflict with a drop-in peer is
# still refused after the kill.
. "$(dirname "$0")/lib.sh"
[ -x "${WGJAIL_FAST:-$TOP/wgjail}" ] && WGJAIL=${WGJAIL_FAST:-$TOP/wgjail}
. "$(dirname "$0")/peer_lib.sh"
. "$(dirname "$0")/crash_lib.sh"
[ -x "$WGJAIL" ] || skip_all "no wgjail binary"
RUNS=${PEER_CRASH_RUNS:-500}

J=pc$$
IFC="p8$$c"
mkjail "$J" "$IFC" 10.8.0.1/24 || skip_all "cannot make a jail spec"
F="$CONF/$J/$IFC.conf"
D="$CONF/$J/$IFC.peers"
for i in $(seq 1 10); do
	keypair p
	printf '# peer %d\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.8.1.%d/32\n\n' "$i" "$p_pub" "$i" >>"$F"
done
for i in $(seq 11 20); do
	keypair p
	wj peer add "$J" --public-key "$p_pub" --allowed-ips "10.8.1.$i/32" >/dev/null || skip_all "peer add fails"
done
keypair k
keypair x
# state: the merged config as one text: each file under its name, byte
# for byte (one process: this runs after each of the RUNS kills)
state() {
	local f LC_ALL=C files=()
	for f in "$D"/*; do [[ ${f##*/} =~ ^[0-9a-f]{64}\.conf$ ]] && files+=("$f"); done
	tail -v -n +1 -- "$F" "${files[@]}"
}
ADD=(peer add "$J" --public-key "$k_pub" --allowed-ips "10.8.2.1/32, fd08::2:1/128" --endpoint 192.0.2.9:51820 --keepalive 25 --psk)
# The kills land anywhere from the start to past the end of a run:
# both commands timed uninterrupted, as the loop starts them.
times=()
for i in 1 2 3; do
	time_bg "$WGJAIL" -c "$CONF" "${ADD[@]}"; times+=("$BG_US")
	time_bg "$WGJAIL" -c "$CONF" peer remove "$J" "$k_pub"; times+=("$BG_US")
done
kill_window "${times[@]}"
# One add/remove cycle first: removing the last block also drops the
# blank lines before it, so S0 is the file as `peer remove` leaves it.
wj "${ADD[@]}" >/dev/null && wj peer remove "$J" "$k_pub" >/dev/null || { t_fail "add/remove"; done_testing; exit 1; }
state >"$T_TMP/S0"
wj "${ADD[@]}" >/dev/null || { t_fail "uninterrupted add"; done_testing; exit 1; }
state >"$T_TMP/S1"
wj peer remove "$J" "$k_pub" >/dev/null
check "uninterrupted remove returns to S0" bash -c "cmp '$T_TMP/S0' <($(declare -f state); F='$F' D='$D' state)"
# S1 carries a random PSK: every completed add writes a new one, so S1 is
# "S0 + this block with some PSK"; compare with the PSK line masked.
mask() { sed 's/^PresharedKey = .*/PresharedKey = X/' "$1"; }
mask "$T_TMP/S1" >"$T_TMP/S1m"

state=0 n_before=0 n_after=0 bad=0 unparsed=0 missed=0
for ((i = 0; i < RUNS; i++)); do
	# the binary itself in the background (not a function: $! must be wgjail)
	if [ $state = 0 ]; then "$WGJAIL" -c "$CONF" "${ADD[@]}" >/dev/null 2>&1 &
	else "$WGJAIL" -c "$CONF" peer remove "$J" "$k_pub" >/dev/null 2>&1 & fi
	pid=$!
	nap_us "$KILL_US"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	state >"$T_TMP/now"
	if cmp -s "$T_TMP/now" "$T_TMP/S0"; then now=0
	elif mask "$T_TMP/now" | cmp -s - "$T_TMP/S1m"; then now=1
	else
		bad=$((bad + 1)); echo "run $i: the config is neither the state before nor after" | diag
		diff "$T_TMP/S0" "$T_TMP/now" | head -10 | diag
		break
	fi
	"$WGJAIL" -c "$CONF" peer list "$J" >/dev/null 2>&1 || { unparsed=$((unparsed + 1)); echo "run $i: merged config does not parse" | diag; }
	# every 10th run: the index still knows the drop-in peers (a stale
	# link or a rebuilt index, never a lost entry)
	if ((i % 10 == 0)); then
		"$WGJAIL" -c "$CONF" peer add "$J" --public-key "$x_pub" --allowed-ips "10.8.1.$((11 + RANDOM % 10))/32" >/dev/null 2>&1 &&
			{ missed=$((missed + 1)); echo "run $i: a conflict with a drop-in peer was not seen" | diag; "$WGJAIL" -c "$CONF" peer remove "$J" "$x_pub" >/dev/null; }
		if [ $now = 1 ]; then
			"$WGJAIL" -c "$CONF" peer add "$J" --public-key "$x_pub" --allowed-ips 10.8.2.1/32 >/dev/null 2>&1 &&
				{ missed=$((missed + 1)); echo "run $i: a conflict with K was not seen" | diag; "$WGJAIL" -c "$CONF" peer remove "$J" "$x_pub" >/dev/null; }
		fi
	fi
	if [ $now = $state ]; then n_before=$((n_before + 1)); else n_after=$((n_after + 1)); fi
	state=$now
done
echo "# $RUNS kills: $n_before left the state before, $n_after the state after" 
check_eq "after $RUNS SIGKILLs the merged config was always the state before or after" 0 "$bad"
check_eq "... and always parsed" 0 "$unparsed"
check_eq "... and the index never missed a conflict" 0 "$missed"
check "kills landed before the write and after it (both outcomes seen)" test "$n_before" -gt 0 -a "$n_after" -gt 0
check "the final config parses" wj peer list "$J"
left=$(find "$CONF/$J" -name "*.conf.tmp*" | wc -l)
echo "# temporary files left by the last killed writer: $left"
wj peer remove "$J" "$k_pub" >/dev/null 2>&1
check_eq "the next edit removes killed writers' temporary files" 0 "$(find "$CONF/$J" -name "*.conf.tmp*" | wc -l)"
check_eq "the edit lock is free after the kills" 0 "$(flock -n "$CONF/$J/.lock" true; echo $?)"

done_testing
