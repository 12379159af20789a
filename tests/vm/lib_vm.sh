# Host side of the VM suite and the VM benchmark (bash): prerequisites,
# the test driver, the kernel, the initramfs, one boot.
#   vm_prepare         sets VM_SKIP (a reason) or VM_KERNEL and VM_INITRD
#   vm_boot MODE LOG   boots with wjvm.mode=MODE, console into LOG
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VM_DIR=${VM_DIR:-"$TOP/build/vm"}
VM_TIMEOUT=${VM_TIMEOUT:-300}
VM_MEM=${VM_MEM:-1024}
VM_SKIP=""

vm_objs() {
	local f
	for f in "$TOP"/agent/*.c "$TOP"/util/*.c "$TOP"/wg/*.c "$TOP"/keys/*.c "$TOP"/netconf/*.c "$TOP"/rc/*.c; do
		[ -f "$f" ] || continue
		case $f in */agent/main.c | *_freebsd.c) continue ;; esac
		f=${f#"$TOP"/}
		echo "$TOP/build/obj/${f%.c}.o"
	done
}

# vm_prepare [EXTRA_DIR]
vm_prepare() {
	local t kv
	for t in qemu-system-x86_64 busybox cpio gzip depmod modprobe apt-get apt-cache dpkg ip wg cc; do
		command -v "$t" >/dev/null 2>&1 || { VM_SKIP="$t is not installed (make deps)"; return 0; }
	done
	if ldd "$(command -v busybox)" >/dev/null 2>&1; then
		VM_SKIP="busybox is not static (install busybox-static)"
		return 0
	fi
	mkdir -p "$VM_DIR"
	# The program as shipped (not sanitized: faster under emulation) and
	# the test driver linked with the same library objects.
	if ! make -C "$TOP" -s wgjail >"$VM_DIR/build.log" 2>&1; then
		VM_SKIP=""; VM_ERROR="building wgjail failed: $(tail -3 "$VM_DIR/build.log")"
		return 1
	fi
	# shellcheck disable=SC2046
	if ! cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$TOP" -O2 -o "$VM_DIR/wjvm" "$TOP/tests/vm/wjvm.c" \
		$(vm_objs) $(pkg-config --libs libsodium libmnl inih libqrencode libnftables libpng 2>/dev/null || echo -lsodium -lmnl -linih -lqrencode -lnftables -lpng) \
		>"$VM_DIR/wjvm.log" 2>&1; then
		VM_ERROR="building tests/vm/wjvm.c failed: $(head -5 "$VM_DIR/wjvm.log")"
		return 1
	fi
	if ! kv=$(sh "$TOP/tests/vm/setup_kernel.sh" 2>"$VM_DIR/kernel.log"); then
		VM_SKIP="cannot fetch Debian's kernel: $(tail -2 "$VM_DIR/kernel.log" | tr '\n' ' ')"
		return 0
	fi
	VM_KVER=${kv%% *}
	VM_KROOT=${kv#* }
	VM_KERNEL="$VM_KROOT/boot/vmlinuz-$VM_KVER"
	VM_INITRD=${VM_INITRD:-"$VM_DIR/initrd.gz"}
	if ! sh "$TOP/tests/vm/mkinitramfs.sh" "$VM_KVER" "$VM_KROOT" "$VM_INITRD" "$TOP/wgjail" "$VM_DIR/wjvm" \
		"${1:-}" >"$VM_DIR/initrd.log" 2>&1; then
		VM_ERROR="building the initramfs failed: $(tail -3 "$VM_DIR/initrd.log")"
		return 1
	fi
	return 0
}

# vm_boot MODE LOG: one boot under TCG with a hard timeout.
vm_boot() {
	timeout "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m "$VM_MEM" -smp 1 -nographic -no-reboot \
		-kernel "$VM_KERNEL" -initrd "$VM_INITRD" \
		-append "console=ttyS0 panic=-1 loglevel=4 wjvm.mode=$1" </dev/null >"$2" 2>&1
}
