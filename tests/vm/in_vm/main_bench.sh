# The VM benchmark (bench/bench_vm.sh): `wgjail sync` against
# `wg syncconf` on the kernel device, for each /extra/peersN.conf (and its
# one-change variant peersN.change.conf): a full apply to a new empty
# device, then the one change to that device (which holds exactly the
# file after the full apply).  Prints
#   WJBENCH N CASE TOOL SECONDS
. /tests/lib.sh
load_modules || { echo "WJTAP not ok 1 - modules load"; exit 0; }
"$IP" link set lo up
[ -f /extra/env ] && . /extra/env
ROUNDS=${ROUNDS:-3}
# now: uptime in hundredths of a second
now() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
# timed N CASE TOOL CMD...: run CMD, print its duration
timed() {
	n=$1 c=$2 t=$3; shift 3
	s=$(now)
	if "$@" >/dev/null 2>"$W/err"; then
		e=$(now)
		d=$((e - s))
		echo "WJBENCH $n $c $t $((d / 100)).$(printf '%02d' $((d % 100)))"
	else
		echo "WJTAP not ok - $t failed for $n peers ($c)"; diag <"$W/err"
	fi
}
for conf in /extra/peers*.conf; do
	case $conf in *.change.conf) continue ;; esac
	n=${conf##*/peers}; n=${n%.conf}
	change=/extra/peers$n.change.conf
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		for tool in wgjail wg; do
			# A fresh device per measurement: deleting or resetting one
			# with tens of thousands of peers takes the 6.1 kernel
			# minutes under emulation (a flush per removed peer).
			dev=wgb$r$tool
			"$IP" link add "$dev" type wireguard
			if [ $tool = wgjail ]; then
				timed "$n" full wgjail "$WGJAIL" sync "$dev" "$conf"
				timed "$n" one-change wgjail "$WGJAIL" sync "$dev" "$change"
			else
				timed "$n" full wg "$WG" syncconf "$dev" "$conf"
				timed "$n" one-change wg "$WG" syncconf "$dev" "$change"
			fi
			"$WG" showconf "$dev" | grep -q 172.31.255.0/24 ||
				echo "WJTAP not ok - $tool did not apply the change ($n peers)"
		done
		r=$((r + 1))
	done
done
# (No final `ip link del`: removing tens of thousands of peers takes the
# 6.1 kernel minutes under emulation - a flush per peer - and the VM is
# about to power off anyway.)
echo "WJTAP ok 1 - benchmark ran"
