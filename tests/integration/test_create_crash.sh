#!/bin/bash
# Issue 13, acceptance: commands that write keys, killed with SIGKILL at
# random moments.  After every kill, once the jail's lock has been taken
# again (any command does: it finishes or undoes what the killed one left,
# agent/jailtx.h), the jail's private key is the one it had or a new one
# that the next boot puts on the device, never lost; every file parses;
# the state is the one before the command or the one it asked for.
#
#   A  create --interface wg0|wg1 and --listen-port, in any combination
#      (no device): key K0 always, one main file, spec and ListenPort
#      agree, every peer still listed, no journal or temporary file left;
#   B  export --generate-remote-key (no device): the peer appears once,
#      under its old key or a new one, never twice;
#   C  boot on a running jail: its key and the device's never change;
#   D  first boot, by `boot` and by the agent: "generate" or a new key,
#      and a completed boot puts exactly that key on the device.
# It uses the non-sanitized ./wgjail when present (WGJAIL_FAST overrides).
. "$(dirname "$0")/lib.sh"
[ -x "${WGJAIL_FAST:-$TOP/wgjail}" ] && WGJAIL=${WGJAIL_FAST:-$TOP/wgjail}
. "$(dirname "$0")/peer_lib.sh"
. "$(dirname "$0")/crash_lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
RUNS=${CREATE_CRASH_RUNS:-200}

J=cc$$ E=ce$$ R=cr$$ G=cg$$
export WGJAIL_STATEDIR=$T_TMP/run WGJAIL_RUNDIR=$T_TMP/status
export WGJAIL_DEBOUNCE_MS=50 WGJAIL_STATUS_INTERVAL_MS=100
ns_new h
# A and B (no device) in CONF, C and D (jails up, `boot` acts on every
# jail of its directory) in a directory of their own.
CONFD=$T_TMP/confd
H() { nsenter --net="/run/netns/$(ns h)" "$@"; }
W() { H "$WGJAIL" -c "$CONFD" "$@"; }
on_exit "W down $R; W down $G; ip netns del $R; ip netns del $G"
nap() { read -t "$1" -u "$NAP_FD"; }
# values FILE REGEX [1]: the (.*) of each line of FILE that matches
# ^REGEX(.*) (with 1: of the first only); nothing if FILE is missing.  In
# bash: these run several times after each kill, and a sed and a head
# cost ~8 ms here.
values() {
	local l
	[ -r "$1" ] || return 0
	while IFS= read -r l || [ -n "$l" ]; do
		[[ $l =~ ^$2(.*)$ ]] || continue
		printf '%s\n' "${BASH_REMATCH[1]}"
		[ "${3:-}" = 1 ] && return 0
	done <"$1"
}
key_of() { values "$1" 'PrivateKey *= *' 1; }
spec_if() { values "$CONF/$1/jail.conf" 'interface = '; }
spec_port() { values "$CONF/$1/jail.conf" 'listen_port = '; }
file_port() { values "$1" 'ListenPort *= *' 1; }
devpub() { W show "$1" 2>/dev/null | awk '$1 == "public" && $2 == "key:" { print $3; exit }'; }
# holders JAIL AIP: the keys of the peers whose allowed IPs hold AIP.
holders() {
	wj peer list "$1" | awk -v a="$2" '$1 == "peer:" { k = $2 }
		$1 == "allowed" { for (i = 3; i <= NF; i++) { x = $i; sub(/,$/, "", x); if (x == a) print k } }'
}
pubof() { printf '%s\n' "$1" | "$WGJAIL" pubkey 2>/dev/null; }
# every_file_parses DIR: each *.conf of a jail's directory DIR and its
# drop-ins ("PrivateKey = generate", a first boot's to-do, read as a key).
every_file_parses() {
	local f
	for f in "$1"/*.conf "$1"/*.peers/*.conf; do
		[ -e "$f" ] || continue
		if grep -qx "PrivateKey = generate" "$f"; then
			sed "s@^PrivateKey = generate\$@PrivateKey = $K0@" "$f" >"$T_TMP/parse.conf"
			"$WGJAIL" check "$T_TMP/parse.conf" >/dev/null 2>&1 || { echo "$f does not parse"; return 1; }
		else
			"$WGJAIL" check "$f" >/dev/null 2>&1 || { echo "$f does not parse"; return 1; }
		fi
	done
}
part() { echo "# $(date +%T) $*"; }
# kill_at CMD...: run CMD, SIGKILL it within the kill window (A and B
# measure theirs: a create or an export takes some 10 to 60 ms here,
# most of it in fsync).
kill_at() {
	"$@" >/dev/null 2>&1 &
	local pid=$!
	nap_us "$KILL_US"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# ---- A: create ----------------------------------------------------------------
part A
check "create" wj create "$J" --address 10.94.0.1/24 --listen-port 51940
K0=$(key_of "$CONF/$J/wg0.conf")
printf '\n# by hand\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.94.1.1/32\n' "$("$WGJAIL" genkey | "$WGJAIL" pubkey)" \
	>>"$CONF/$J/wg0.conf"
for i in 2 3; do
	keypair p
	wj peer add "$J" --public-key "$p_pub" --allowed-ips "10.94.1.$i/32" >/dev/null || skip_all "peer add fails"
done
peers0=$(wj peer list "$J" | grep '^peer:' | sort)
times=()
for a in "--listen-port 51941" "--interface wg1" "--listen-port 51940" "--interface wg0"; do
	# shellcheck disable=SC2086 # (two words)
	time_bg "$WGJAIL" -c "$CONF" create "$J" $a; times+=("$BG_US")
done
kill_window "${times[@]}"
bad=0 lost=0 mixed=0 leftovers=0 n_before=0 n_after=0
for ((i = 0; i < RUNS; i++)); do
	ifc=$(spec_if "$J") port=$(spec_port "$J")
	want_if=$ifc want_port=$port
	case $((RANDOM % 3)) in
	0) want_if=$([ "$ifc" = wg0 ] && echo wg1 || echo wg0) ;;
	1) want_port=$((port == 51940 ? 51941 : 51940)) ;;
	2) want_if=$([ "$ifc" = wg0 ] && echo wg1 || echo wg0); want_port=$((port == 51940 ? 51941 : 51940)) ;;
	esac
	kill_at "$WGJAIL" -c "$CONF" create "$J" --interface "$want_if" --listen-port "$want_port"
	# Any command takes the lock, which finishes or undoes the change.
	list=$(wj peer list "$J" 2>&1 | grep '^peer:' | sort)
	now_if=$(spec_if "$J") now_port=$(spec_port "$J")
	main=$CONF/$J/$now_if.conf
	if [ "$(key_of "$main")" != "$K0" ]; then
		lost=$((lost + 1)); echo "run $i: $main does not hold K0" | diag; break
	fi
	if [ "$list" != "$peers0" ]; then
		bad=$((bad + 1)); echo "run $i: peers differ after the kill" | diag; break
	fi
	if [ "$now_if:$now_port" = "$ifc:$port" ]; then n_before=$((n_before + 1))
	elif [ "$now_if:$now_port" = "$want_if:$want_port" ]; then n_after=$((n_after + 1))
	else mixed=$((mixed + 1)); echo "run $i: $now_if:$now_port is neither $ifc:$port nor $want_if:$want_port" | diag; break; fi
	if [ "$(file_port "$main")" != "$now_port" ]; then
		mixed=$((mixed + 1)); echo "run $i: spec port $now_port, file port $(file_port "$main")" | diag; break
	fi
	other=$([ "$now_if" = wg0 ] && echo wg1 || echo wg0)
	left=$(cd "$CONF/$J" && ls -A | grep -E "^($other\\.conf|$other\\.peers|\\.create.*|.*\\.tmp......)$")
	if [ -n "$left" ]; then
		leftovers=$((leftovers + 1)); echo "run $i: left behind: $left" | diag; break
	fi
	((i % 10)) || every_file_parses "$CONF/$J" | diag
done
echo "# A: $RUNS kills of create: $n_before left the state before, $n_after the state asked for"
check_eq "A: the key was always K0" 0 "$lost"
check_eq "A: every peer always listed" 0 "$bad"
check_eq "A: spec and file always the state before or after, and agreeing" 0 "$mixed"
check_eq "A: no journal, staged file, old main file or temporary file left" 0 "$leftovers"
check "A: both outcomes seen" test "$n_before" -gt 0 -a "$n_after" -gt 0
check "A: every file parses" every_file_parses "$CONF/$J"

# ---- B: export --generate-remote-key --------------------------------------------
part B
wj create "$E" --address 10.94.0.1/24 >/dev/null
KE=$(key_of "$CONF/$E/wg0.conf")
keypair x
wj peer add "$E" --public-key "$x_pub" --allowed-ips 10.94.2.1/32 >/dev/null
keypair y
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.94.2.2/32\n' "$y_pub" >>"$CONF/$E/wg0.conf"
cur=$x_pub ycur=$y_pub twice=0 gone=0 changed=0
times=()
for i in 1 2 3; do
	time_bg "$WGJAIL" -c "$CONF" export --generate-remote-key "$E" "$cur"; times+=("$BG_US")
	cur=$(holders "$E" 10.94.2.1/32)
done
kill_window "${times[@]}"
for ((i = 0; i < RUNS / 2; i++)); do
	# the peer in a drop-in, and one written by hand in the main file
	kill_at "$WGJAIL" -c "$CONF" export --generate-remote-key "$E" "$cur"
	h=$(holders "$E" 10.94.2.1/32)
	n=$(printf '%s' "$h" | grep -c .)
	if [ "$n" != 1 ]; then
		[ "$n" = 0 ] && gone=$((gone + 1)) || twice=$((twice + 1))
		echo "run $i: $n peers hold 10.94.2.1/32" | diag; break
	fi
	new=$h
	[ "$new" != "$cur" ] && changed=$((changed + 1))
	cur=$new
	((i % 10)) || every_file_parses "$CONF/$E" | diag
	kill_at "$WGJAIL" -c "$CONF" export --generate-remote-key "$E" "$ycur"
	hy=$(holders "$E" 10.94.2.2/32)
	if [ "$(printf '%s' "$hy" | grep -c .)" != 1 ]; then
		twice=$((twice + 1)); echo "run $i: the hand-written peer is not there once" | diag; break
	fi
	ycur=$hy
done
echo "# B: $((RUNS / 2)) kills of export --generate-remote-key, the key replaced $changed times"
check_eq "B: the peer never appeared twice" 0 "$twice"
check_eq "B: the peer never vanished" 0 "$gone"
check_eq "B: the jail's own key never changed" "$KE" "$(key_of "$CONF/$E/wg0.conf")"
check "B: every file parses" every_file_parses "$CONF/$E"

# ---- C: boot on a running jail ---------------------------------------------------
part C
check "C: create R" W create "$R" --uplink wireguard --implementation userspace --address 10.95.0.1/24 --listen-port 51950
check "C: up R" W up "$R"
KR=$(key_of "$CONFD/$R/wg0.conf")
PR=$(pubof "$KR")
moved=0
for ((i = 0; i < RUNS / 10; i++)); do
	nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONFD" boot >/dev/null 2>&1 &
	pid=$!
	nap "0.0$((RANDOM % 10))$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	if [ "$(key_of "$CONFD/$R/wg0.conf")" != "$KR" ]; then
		moved=$((moved + 1)); echo "run $i: R's key changed" | diag; break
	fi
done
W boot >/dev/null 2>&1
check_eq "C: boot killed $((RUNS / 10)) times: R's key never changed" 0 "$moved"
check_eq "C: ... and the device has it" "$PR" "$(devpub "$R")"
check "C: every file parses" every_file_parses "$CONFD/$R"

# ---- D: first boot (boot and the agent), killed ---------------------------------
part D
W create "$G" --uplink wireguard --implementation userspace --id 7 --address 10.96.0.1/24 --listen-port 51960 >/dev/null
first_boot_file() { printf '[Interface]\nPrivateKey = generate\nListenPort = 51960\n' >"$CONFD/$G/wg0.conf"; rm -f "$CONFD/$G/.pubkey"; }
lostd=0 made=0 mism=0
for ((i = 0; i < RUNS / 10; i++)); do
	W down "$G" >/dev/null 2>&1
	first_boot_file
	if ((i % 2)); then
		nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONFD" agent -f >/dev/null 2>&1 &
	else
		nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONFD" boot >/dev/null 2>&1 &
	fi
	pid=$!
	nap "0.$((RANDOM % 2))$((RANDOM % 10))$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	k=$(key_of "$CONFD/$G/wg0.conf")
	case $k in
	generate) ;;
	????????????????????????????????????????????) made=$((made + 1)) ;;
	*) lostd=$((lostd + 1)); echo "run $i: wg0.conf holds '${k:0:4}...'" | diag; break ;;
	esac
	every_file_parses "$CONFD/$G" | diag
	W boot >/dev/null 2>&1
	k2=$(key_of "$CONFD/$G/wg0.conf")
	if [ "$k" != generate ] && [ "$k2" != "$k" ]; then
		lostd=$((lostd + 1)); echo "run $i: the key made before the kill was replaced" | diag; break
	fi
	if [ "$(devpub "$G")" != "$(pubof "$k2")" ]; then
		mism=$((mism + 1)); echo "run $i: the device does not have the file's key" | diag; break
	fi
done
echo "# D: $((RUNS / 10)) kills of a first boot, $made of them after the key was written"
check_eq "D: a key, once written, was never replaced nor lost" 0 "$lostd"
check_eq "D: a completed boot always put the file's key on the device" 0 "$mism"
check "D: every file parses" every_file_parses "$CONFD/$G"
part end
done_testing
