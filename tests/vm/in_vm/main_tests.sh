# The VM test suite: one boot, every scenario.
. /tests/lib.sh

# Before the module is loaded: the errors must say so.
check_fails_with "without wireguard.ko: creating a link says the module is not loaded" \
	"module is not loaded" "$WJVM" create wgnomod
check_fails_with "without wireguard.ko: reading a device says the module is not loaded" \
	"wgnomod: the wireguard kernel module is not loaded" "$WJVM" kget wgnomod
if load_modules; then ok "wireguard.ko and the test modules load"; else
	notok "wireguard.ko and the test modules load"; return 0 2>/dev/null || exit 0; fi
"$IP" link set lo up

for s in /tests/scn_*.sh; do
	echo "WJTAP # scenario $(basename "$s")"
	. "$s"
done
echo "WJTAP # $T_N tests, $T_FAILED failed"
