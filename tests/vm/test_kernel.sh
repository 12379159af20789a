#!/bin/bash
# The kernel backend on a real kernel: Debian's linux-image-amd64 booted
# under qemu (software emulation) with wireguard.ko, once for every
# scenario in tests/vm/in_vm/scn_*.sh.  The in-VM TAP lines (prefixed
# "WJTAP " on the console) are relayed here, renumbered, so tests/run.sh
# counts each one.  Where qemu or the kernel cannot be had, the suite is
# skipped loudly - never passed.
set -u
. "$(dirname "$0")/lib_vm.sh"

VM_ERROR=""
if ! vm_prepare; then
	echo "not ok 1 - VM set-up: $VM_ERROR"
	exit 1
fi
if [ -n "$VM_SKIP" ]; then
	echo "ok 1 - kernel WireGuard VM suite # SKIP $VM_SKIP"
	echo "# SKIPPED: the kernel backend was NOT tested on a real kernel: $VM_SKIP" >&2
	exit 0
fi
log="$VM_DIR/console.log"
start=$(date +%s)
vm_boot tests "$log"
rc=$?
echo "# VM ran $(($(date +%s) - start)) s (qemu status $rc), kernel $VM_KVER, console in $log"

n=0
failed=0
while IFS= read -r line; do
	line=${line%$'\r'}
	case $line in *"WJTAP "*) line=${line#*WJTAP } ;; *) continue ;; esac
	case $line in
	"ok "*) n=$((n + 1)); echo "ok $n - ${line#ok * - }" ;;
	"not ok "*) n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - ${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$log"
if ! grep -q "WJTAP END" "$log"; then
	n=$((n + 1))
	echo "not ok $n - the VM ran to the end (timeout ${VM_TIMEOUT}s or crash; qemu status $rc)"
	grep -v WJTAP "$log" | tail -20 | sed 's/^/# /'
	exit 1
fi
echo "1..$n"
[ "$failed" -eq 0 ]
