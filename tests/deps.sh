#!/bin/sh
# Install every Debian package the build and the tests need.
# Idempotent and quick when everything is present: dpkg is asked first,
# apt-get runs only for what is missing.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libsodium-dev libmnl-dev libnftables-dev libinih-dev libcmocka-dev libqrencode-dev libpng-dev zbar-tools
nftables tcpdump
wireguard-tools wireguard-go iproute2 iputils-ping procps psmisc dash
cppcheck mandoc python3 python3-prometheus-client qemu-system-x86 busybox-static cpio kmod gzip util-linux bmake strace"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run 'make deps' as root to install them" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
