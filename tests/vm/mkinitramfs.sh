#!/bin/sh
# Build the VM's initramfs: busybox (applet links), the real ip, wg,
# wireguard-go and wgjail programs with their libraries at the paths ldd names, the test
# driver wjvm, the kernel modules WireGuard and the tests need (in
# dependency order, as modprobe on the host resolves them), the in-VM
# scripts, and /init.
#   mkinitramfs.sh KVER KROOT OUT.gz WGJAIL WJVM [EXTRA_DIR]
# EXTRA_DIR (optional) is copied to /extra (the benchmark uses it).
set -eu
KVER=$1 KROOT=$2 OUT=$3 WGJAIL_BIN=$4 WJVM_BIN=$5 EXTRA=${6:-}
HERE=$(cd "$(dirname "$0")" && pwd)
MODULES="wireguard veth bridge tun"

stage=$(mktemp -d "${TMPDIR:-/tmp}/wgjail-initrd.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/bin "$stage"/sbin "$stage"/usr/bin "$stage"/usr/sbin "$stage"/usr/local/bin \
	"$stage"/proc "$stage"/sys "$stage"/dev "$stage"/tmp "$stage"/run "$stage"/etc "$stage"/tests \
	"$stage"/var "$stage"/mnt "$stage/lib/modules/$KVER"
ln -s ../run "$stage/var/run"

bb=$(command -v busybox)
if ldd "$bb" >/dev/null 2>&1; then
	echo "mkinitramfs: $bb is not static (install busybox-static)" >&2
	exit 1
fi
cp "$bb" "$stage/bin/busybox"
for a in $("$bb" --list); do
	[ -e "$stage/bin/$a" ] || ln -s busybox "$stage/bin/$a"
done

# copy_prog SRC DEST: a program and its libraries (at ldd's paths).
copy_prog() {
	cp -L "$1" "$stage$2"
	ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\//{print $1}' | while read -r lib; do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}
copy_prog "$(command -v ip)" /usr/sbin/ip
copy_prog "$(command -v wg)" /usr/bin/wg
# wireguard-go (optional): for the backend-choice scenario.
if command -v wireguard-go >/dev/null 2>&1; then copy_prog "$(command -v wireguard-go)" /usr/bin/wireguard-go; fi
copy_prog "$WGJAIL_BIN" /usr/local/bin/wgjail
copy_prog "$WJVM_BIN" /usr/local/bin/wjvm

# Modules: exactly those the four need, loaded in this order by /init.
: >"$stage/etc/modules.order"
for m in $MODULES; do
	modprobe -S "$KVER" -d "$KROOT" --show-depends "$m" | while read -r cmd path _; do
		[ "$cmd" = insmod ] || continue
		rel=${path#"$KROOT"}
		if [ ! -e "$stage$rel" ]; then
			mkdir -p "$stage$(dirname "$rel")"
			cp "$path" "$stage$rel"
			echo "$rel" >>"$stage/etc/modules.order"
		fi
	done
done
[ -s "$stage/etc/modules.order" ] || { echo "mkinitramfs: no modules found for $MODULES" >&2; exit 1; }

cp "$HERE/init" "$stage/init"
chmod 755 "$stage/init"
cp "$HERE"/in_vm/*.sh "$stage/tests/"
if [ -n "$EXTRA" ]; then
	mkdir -p "$stage/extra"
	cp -r "$EXTRA/." "$stage/extra/"
fi
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT"
