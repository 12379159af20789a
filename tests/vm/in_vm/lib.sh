# Helpers for the in-VM scripts (busybox sh).  Busybox applets shadow
# same-named programs, so the real ones are called by full path.
IP=/usr/sbin/ip
WG=/usr/bin/wg
WGJAIL=/usr/local/bin/wgjail
WJVM=/usr/local/bin/wjvm
T_N=0
T_FAILED=0
W=/tmp/wjt
mkdir -p "$W"

ok()    { T_N=$((T_N + 1)); echo "WJTAP ok $T_N - $*"; }
notok() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "WJTAP not ok $T_N - $*"; }
diag()  { sed 's/^/WJTAP # /'; }
# check DESC CMD...: passes when CMD succeeds; its output shown otherwise.
check() {
	desc=$1; shift
	if "$@" >"$W/out" 2>&1; then ok "$desc"; else notok "$desc"; tail -15 "$W/out" | diag; fi
}
# check_fails_with DESC NEEDLE CMD...: CMD fails and says NEEDLE.
check_fails_with() {
	desc=$1 needle=$2; shift 2
	if "$@" >"$W/out" 2>&1; then notok "$desc (it succeeded)"; cat "$W/out" | diag
	elif grep -q -- "$needle" "$W/out"; then ok "$desc"
	else notok "$desc"; { echo "expected: $needle"; cat "$W/out"; } | diag; fi
}
# same_files DESC A B
same_files() {
	if cmp -s "$2" "$3"; then ok "$1"; else notok "$1"; diff "$2" "$3" | head -20 | diag; fi
}
# nsx NS CMD...: run in network namespace NS.
nsx() { ns=$1; shift; "$IP" netns exec "$ns" "$@"; }
# wait_until SECONDS CMD...: poll CMD every 0.2 s.
wait_until() {
	n=$(($1 * 5)); shift
	while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; n=$((n - 1)); done
	return 1
}
load_modules() {
	while read -r m; do insmod "$m" || return 1; done </etc/modules.order
}
# key files: genkey NAME -> $W/NAME.key (private), $W/NAME.pub
genkey() {
	umask 077
	"$WG" genkey >"$W/$1.key"
	"$WG" pubkey <"$W/$1.key" >"$W/$1.pub"
}
# canon_wg NS IF: `wg show IF dump` canonical (sorted) form
canon_wg() { nsx "$1" "$WG" show "$2" dump | "$WJVM" canon; }
canon_wjvm() { nsx "$1" "$WJVM" dump "$2" | "$WJVM" canon; }

# ---- configuring interfaces --------------------------------------------
# The tunnel scenarios configure interfaces only with `wgjail sync` from a
# wg0.conf (keys in files, mode 0600).

# conf_iface FILE KEYNAME PORT: start a wg0.conf
conf_iface() {
	umask 077
	printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n' "$(cat "$W/$2.key")" "$3" >"$1"
}
# conf_peer FILE PEERNAME ENDPOINT AIPS [KEEPALIVE]
conf_peer() {
	printf '\n[Peer]\nPublicKey = %s\n' "$(cat "$W/$2.pub")" >>"$1"
	[ -n "$3" ] && printf 'Endpoint = %s\n' "$3" >>"$1"
	[ -n "$4" ] && printf 'AllowedIPs = %s\n' "$4" >>"$1"
	[ -n "${5:-}" ] && printf 'PersistentKeepalive = %s\n' "$5" >>"$1"
	return 0
}
# sync NS IF FILE
sync_if() { nsx "$1" "$WGJAIL" sync "$2" "$3"; }
# wg_configure NS IF KEYNAME PORT PEERNAME ENDPOINT AIPS
wg_configure() {
	conf_iface "$W/$2.conf" "$3" "$4"
	conf_peer "$W/$2.conf" "$5" "$6" "$7"
	sync_if "$1" "$2" "$W/$2.conf"
}
# churn_add NS IF: add peers x0..x39 (the interface's own peer stays)
churn_add() {
	cp "$W/$2.conf" "$W/$2.base"
	i=0
	while [ $i -lt 40 ]; do
		conf_peer "$W/$2.conf" "x$i" "192.168.77.200:$((1000 + i))" "10.78.$i.0/24" 25
		i=$((i + 1))
	done
	sync_if "$1" "$2" "$W/$2.conf"
}
# churn_change NS IF: remove x0..x19, change x20..x39 (endpoint, allowed
# IPs, keepalive off)
churn_change() {
	cp "$W/$2.base" "$W/$2.conf"
	i=20
	while [ $i -lt 40 ]; do
		conf_peer "$W/$2.conf" "x$i" "192.168.77.201:$((2000 + i))" "10.79.$i.0/24,fd79::$i/128"
		i=$((i + 1))
	done
	sync_if "$1" "$2" "$W/$2.conf"
}
