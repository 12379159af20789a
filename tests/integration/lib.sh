# Shared helpers for the integration suites (bash).  Source it first thing:
#
#   . "$(dirname "$0")/lib.sh"
#   need_root_netns            # skips the whole suite loudly when impossible
#   ns_new a; ns_new b          # namespaces "a" and "b", unique per run
#   veth a va b vb              # veth pair va (in a) <-> vb (in b)
#   wg_go a wga                 # wireguard-go interface wga inside a
#   wgjail_host J; ns_new p     # a host "h" running wgjail (W ...) for jail J
#   host_uplink hv 10.71.0      # the host's uplink to "p"
#   remote_peer J "$pub" ...    # J's peer behind wireguard-go in "p"
#   check "ping crosses" nsx a ping -c1 -W1 10.0.0.2
#   done_testing
#
# Output is TAP: tests/run.sh counts "ok", "not ok" and "# SKIP".  All that a
# suite creates is registered and removed on exit, whether it passed or not.

set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
WGJAIL=${WGJAIL:-$TOP/build/wgjail-san}
T_N=0
T_FAILED=0
T_ID="wjt$$"
T_TMP=$(mktemp -d "/tmp/wgjail-test.XXXXXX")
T_NS=()
T_PIDS=()
T_LINKS=()
T_CLEANUPS=()

t_cleanup() {
	local i
	for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${T_CLEANUPS[$i]}" >/dev/null 2>&1 || true
	done
	for pid in "${T_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${T_PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
	done
	for l in "${T_LINKS[@]}"; do ip link del "$l" 2>/dev/null; done
	for ns in "${T_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# on_exit CMD: run CMD (a string) at exit, in reverse order of registration.
on_exit() { T_CLEANUPS+=("$1"); }

t_ok()   { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
t_fail() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
t_skip() { T_N=$((T_N + 1)); echo "ok $T_N - ${1} # SKIP ${2:-}"; }
diag()   { sed 's/^/# /'; }

# check DESC CMD...: one test that passes when CMD succeeds; its output is
# shown as a TAP comment when it fails.
check() {
	local desc=$1 out; shift
	if out=$("$@" 2>&1); then t_ok "$desc"; else
		t_fail "$desc"; printf '%s\n' "$out" | tail -20 | diag; fi
}
# check_fails DESC CMD...: passes when CMD fails.
check_fails() {
	local desc=$1 out; shift
	if out=$("$@" 2>&1); then
		t_fail "$desc (succeeded, should have failed)"; printf '%s\n' "$out" | tail -20 | diag
	else t_ok "$desc"; fi
}
# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else
		t_fail "$1"; { echo "expected: $2"; echo "actual:   $3"; } | diag; fi
}

# skip_all REASON: the suite cannot run here.  Said loudly, counted as skipped.
skip_all() {
	echo "# SKIPPED SUITE $(basename "$0"): $*" >&2
	echo "ok 1 - $(basename "$0" .sh) # SKIP $*"
	exit 0
}

need_root_netns() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces)"
	ip netns add "${T_ID}probe" 2>/dev/null || skip_all "cannot create network namespaces here"
	ip netns del "${T_ID}probe"
	[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL (run make test-bins)"
}
need_wireguard_go() {
	command -v wireguard-go >/dev/null || skip_all "wireguard-go is not installed (make deps)"
	[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
}
need_cmd() { command -v "$1" >/dev/null || skip_all "$1 is not installed (make deps)"; }

# ns NAME: the real name of the test namespace NAME.
ns() { echo "${T_ID}$1"; }
ns_new() {
	local n; n=$(ns "$1")
	ip netns add "$n" || return 1
	T_NS+=("$n")
	ip -n "$n" link set lo up
}
# nsx NAME CMD...: run CMD inside namespace NAME.
nsx() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }

# veth NS1 IF1 NS2 IF2: a veth pair with IF1 in NS1 and IF2 in NS2 (either
# namespace may be "-" for the host), both up.
veth() {
	local n1=$1 i1=$2 n2=$3 i2=$4
	ip link add "$i1" type veth peer name "$i2" || return 1
	T_LINKS+=("$i1")
	if [ "$n1" != - ]; then ip link set "$i1" netns "$(ns "$n1")"; ip -n "$(ns "$n1")" link set "$i1" up
	else ip link set "$i1" up; fi
	if [ "$n2" != - ]; then ip link set "$i2" netns "$(ns "$n2")"; ip -n "$(ns "$n2")" link set "$i2" up
	else ip link set "$i2" up; fi
}

# wg_go NS IFACE: start wireguard-go for IFACE inside namespace NS (host if
# "-"), in the foreground under our control, and wait for its UAPI socket.
# UAPI sockets live in /var/run/wireguard for every namespace: use unique
# interface names.
wg_go() {
	local n=$1 ifc=$2 log="$T_TMP/wg-go-$2.log"
	rm -f "/var/run/wireguard/$ifc.sock"
	if [ "$n" = - ]; then
		WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifc" >"$log" 2>&1 &
	else
		WG_PROCESS_FOREGROUND=1 ip netns exec "$(ns "$n")" wireguard-go -f "$ifc" >"$log" 2>&1 &
	fi
	T_PIDS+=("$!")
	wait_until 10 test -S "/var/run/wireguard/$ifc.sock" || { cat "$log" >&2; return 1; }
}

# wgjail_host JAIL...: a test namespace "h" plays the host where wgjail
# runs: H CMD... runs CMD there, W ARGS... runs wgjail there with the
# suite's CONF ($T_TMP/conf; WGJAIL_STATEDIR is $T_TMP/run).  Each JAIL is
# taken down and its namespace removed at exit.
wgjail_host() {
	export WGJAIL_STATEDIR=$T_TMP/run
	CONF=$T_TMP/conf
	ns_new h || return 1
	H() { nsenter --net="/run/netns/$(ns h)" "$@"; }
	W() { H "$WGJAIL" -c "$CONF" "$@"; }
	local j
	for j in "$@"; do on_exit "W down $j; ip netns del $j"; done
}

# jail_wg JAIL ARGS...: wg(8) on JAIL's userspace interface: its
# wireguard-go socket is in the jail's own directory, seen as
# /var/run/wireguard in a private mount namespace.
jail_wg() {
	local j=$1; shift
	nsenter --net="/run/netns/$j" unshare -m sh -c \
		'mount --bind "$0" /var/run/wireguard && exec wg "$@"' "$WGJAIL_STATEDIR/jails/$j/wireguard-go" "$@"
}

# keyfiles NAME...: keypair NAME, and NAME_priv in $T_TMP/NAME.key (0600).
keyfiles() {
	local n v
	for n in "$@"; do
		keypair "$n" || return 1
		v=${n}_priv
		printf '%s\n' "${!v}" >"$T_TMP/$n.key" && chmod 600 "$T_TMP/$n.key" || return 1
	done
}

# host_uplink HV NET: the host's uplink, veth HV in "h" (NET.1/24) whose
# other end is eth0 in namespace "p" (NET.2/24), both up.
host_uplink() {
	ip link add "$1" type veth peer name eth0 netns "$(ns p)" || return 1
	ip link set "$1" netns "$(ns h)"
	ip -n "$(ns h)" addr add "$2.1/24" dev "$1"
	ip -n "$(ns h)" link set "$1" up
	ip -n "$(ns p)" addr add "$2.2/24" dev eth0
	ip -n "$(ns p)" link set eth0 up
}

# remote_peer JAIL JAILPUB ALLOWED ENDPOINT PW ADDR JAILIP: the jail's
# remote peer in namespace "p": a key pair p (p_priv, p_pub; the private
# key in $T_TMP/p.key) added to JAIL's wg0.conf as a [Peer] with ALLOWED
# and ENDPOINT (HOST:PORT), and wireguard-go PW in "p" listening on PORT
# with address ADDR, whose one peer is the jail (JAILPUB, allowed JAILIP).
remote_peer() {
	local j=$1 pub=$2 allowed=$3 ep=$4 pw=$5 addr=$6 jip=$7
	keyfiles p || return 1
	printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\nEndpoint = %s\n' "$p_pub" "$allowed" "$ep" \
		>>"$CONF/$j/wg0.conf"
	wg_go p "$pw" || return 1
	wg set "$pw" private-key "$T_TMP/p.key" listen-port "${ep##*:}" peer "$pub" allowed-ips "$jip"
	ip -n "$(ns p)" addr add "$addr" dev "$pw"
	ip -n "$(ns p)" link set "$pw" up
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds; fail
# after SECONDS.
wait_until() {
	local limit=$1 i=0; shift
	local n=$((limit * 10))
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1)); [ "$i" -ge "$n" ] && return 1
		sleep 0.1
	done
}

# keypair VAR: sets VAR_priv and VAR_pub with wgjail's own key tools.
keypair() {
	local priv pub
	priv=$("$WGJAIL" genkey) || return 1
	pub=$(printf '%s\n' "$priv" | "$WGJAIL" pubkey) || return 1
	printf -v "${1}_priv" '%s' "$priv"
	printf -v "${1}_pub" '%s' "$pub"
}

done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}

# sorted_showconf: `wg showconf` on stdin -> one line per section, keys
# sorted, allowed IPs sorted, peers sorted (wireguard-go lists them in map
# order): two devices in the same state print the same text.
sorted_showconf() {
	python3 -c '
import sys
blocks, cur = [], None
for line in sys.stdin.read().splitlines():
    line = line.strip()
    if line.startswith("["):
        cur = [line]; blocks.append(cur)
    elif line and cur is not None:
        k, v = [x.strip() for x in line.split("=", 1)]
        if k == "AllowedIPs":
            v = ",".join(sorted(x.strip() for x in v.split(",")))
        cur.append(k + "=" + v)
head = [b for b in blocks if b[0] == "[Interface]"]
peers = sorted(" ".join(sorted(b[1:])) for b in blocks if b[0] == "[Peer]")
print(" ".join(sorted(head[0][1:])) if head else "")
print("\n".join(peers))'
}
