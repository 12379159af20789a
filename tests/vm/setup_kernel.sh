#!/bin/sh
# Fetch and unpack the kernel of Debian's linux-image-amd64 for the VM
# suite (reference: kernel-vm.md).  The package is large: it is cached in
# $WGJAIL_VM_CACHE (default /var/cache/wgjail-vm), outside the repository,
# and reused.  Prints one line: "VERSION ROOT" (ROOT holds boot/vmlinuz-*
# and lib/modules/VERSION with a modules.dep).  Exits non-zero with a
# reason on stderr when it cannot.
set -eu
CACHE=${WGJAIL_VM_CACHE:-/var/cache/wgjail-vm}
mkdir -p "$CACHE"
cd "$CACHE"

# The version behind the meta-package, looked up, not hard-coded.
dep() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1; }
pkg=$(dep)
if [ -z "$pkg" ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(dep)
fi
[ -n "$pkg" ] || { echo "setup_kernel: apt-cache knows no linux-image-amd64" >&2; exit 1; }
ver=${pkg#linux-image-}
root="$CACHE/root-$ver"

if [ ! -f "$root/.done" ]; then
	deb=$(ls "$CACHE"/"${pkg}"_*.deb 2>/dev/null | head -1 || true)
	if [ -z "$deb" ]; then
		apt-get download "$pkg" >"$CACHE/download.log" 2>&1 ||
			{ echo "setup_kernel: apt-get download $pkg failed:" >&2; tail -3 "$CACHE/download.log" >&2; exit 1; }
		deb=$(ls "$CACHE"/"${pkg}"_*.deb | head -1)
	fi
	rm -rf "$root"
	mkdir -p "$root"
	dpkg -x "$deb" "$root"
	depmod -b "$root" "$ver"
	touch "$root/.done"
fi
echo "$ver $root"
