#!/bin/bash
# Inside the jail: FreeBSD's real rc.d/netif start (and rc.d/routing for
# the WireGuard uplink) on the files `wgjail provision` writes -- the
# jail's rc.conf, start_if.IF and IF.conf -- for both uplinks and for
# every way the interface can (not) be configured: wgjail installed in the
# jail, only wg(8), neither, wgjail failing (wg(8) takes over), both
# failing.  Each run's whole report (console output, exit status, the
# exact command log, the interfaces left) is compared with
# tests/freebsd/golden/netif-*.  The Linux build of wgjail writes the files.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/rc_lib.sh"
need_rc_kit
[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL (make test-bins)"

CONF=$T_TMP/conf
IMG=$T_TMP/img
mkdir -p "$IMG"
wj() { "$WGJAIL" -c "$CONF" "$@"; }
check "create vpn1 (bridge uplink, IPv4 only)" wj create vpn1 --no-ipv6 --id 1 --bridge bridge0 --jail-address 192.0.2.10/24 \
	--gateway 192.0.2.1 --address 10.8.0.1/24 --listen-port 51820 --root /usr/local/jails/vpn1 \
	--hostname vpn1.example.org
check "create vpn2 (WireGuard uplink, IPv4 and IPv6)" wj create vpn2 --id 2 --uplink wireguard \
	--address 10.9.0.1/24 --address fd00:9::1/64 --listen-port 51821 --root /usr/local/jails/vpn2
check "provision vpn1 into an image" wj provision --root "$IMG" vpn1
check "provision vpn2 into an image" wj provision --root "$IMG" vpn2
J1=$IMG/usr/local/jails/vpn1
J2=$IMG/usr/local/jails/vpn2
check "vpn1's jail has rc.conf, start_if.wg0, wg0.conf" test -f "$J1/etc/rc.conf" -a -f "$J1/etc/start_if.wg0" -a -f "$J1/etc/wg0.conf"
check "vpn2's jail has rc.conf, start_if.wgj2, wgj2.conf" test -f "$J2/etc/rc.conf" -a -f "$J2/etc/start_if.wgj2" -a -f "$J2/etc/wgj2.conf"

# Behaviour scripts (-S): a wgjail that fails, a wg that fails.
FAILJ=$T_TMP/wgjail-fails
FAILB=$T_TMP/both-fail
mkdir -p "$FAILJ" "$FAILB"
printf 'echo "wgjail: wg0: cannot apply /etc/wg0.conf: Operation not permitted" >&2\nexit 1\n' >"$FAILJ/wgjail"
cp "$FAILJ/wgjail" "$FAILB/wgjail"
printf 'echo "Unable to modify interface: Operation not permitted" >&2\nexit 1\n' >"$FAILB/wg"

# netif CASE DESC ROOT IFACES STUBS [-S DIR]: netif start in the jail, compared
# with golden/netif-CASE.
netif() {
	local case=$1 desc=$2 root=$3 ifs=$4 stubs=$5; shift 5
	rc_golden "$desc" "netif-$case" -j -i "$ifs" "$@" "$root" "$stubs" netif start
}

# ---- bridge uplink: start_if creates wg0 in the jail ------------------------------------
netif bridge-wgjail "bridge, wgjail in the jail: wg0 created, wgjail sync, then the address" \
	"$J1" "lo0 epair1b" "ifconfig route wgjail wg logger"
netif bridge-wg "bridge, only wg(8): wg syncconf" \
	"$J1" "lo0 epair1b" "ifconfig route wg logger"
netif bridge-none "bridge, neither: logged and on the console, wg0 left down without its address" \
	"$J1" "lo0 epair1b" "ifconfig route logger"
netif bridge-wgjail-fails "bridge, wgjail fails: wg(8) takes over" \
	"$J1" "lo0 epair1b" "ifconfig route wgjail wg logger" -S "$FAILJ"
netif bridge-both-fail "bridge, wgjail and wg(8) fail: logged, wg0 left down without its address" \
	"$J1" "lo0 epair1b" "ifconfig route wgjail wg logger" -S "$FAILB"
netif bridge-restart "bridge, netif start again with wg0 there (service netif restart): not created twice" \
	"$J1" "lo0 epair1b wg0" "ifconfig route wgjail wg logger"

# ---- WireGuard uplink: the host made wgj2 and moved it in ---------------------------------
netif wgonly-wgjail "wireguard uplink, wgjail in the jail: never created here, wgjail sync" \
	"$J2" "lo0 wgj2" "ifconfig route wgjail wg logger"
netif wgonly-wg "wireguard uplink, only wg(8): wg syncconf" \
	"$J2" "lo0 wgj2" "ifconfig route wg logger"
netif wgonly-none "wireguard uplink, neither: logged, wgj2 left down without its addresses" \
	"$J2" "lo0 wgj2" "ifconfig route logger"
netif wgonly-missing "wireguard uplink, wgj2 not moved in: reported" \
	"$J2" "lo0" "ifconfig route wgjail wg logger"
rc_golden "wireguard uplink: rc.d/routing routes the default through the tunnel" routing-wgonly \
	-j -i "lo0 wgj2" "$J2" "ifconfig route" routing start

# The same reports from dash as from bash (FreeBSD's sh is neither).
for c in bridge-both-fail wgonly-none; do
	case $c in bridge-*) r=$J1 i="lo0 epair1b" ;; *) r=$J2 i="lo0 wgj2" ;; esac
	s=; [ "$c" = bridge-both-fail ] && s="-S $FAILB"
	rc_golden "dash: $c" "netif-$c" -b dash -j -i "$i" $s "$r" \
		"ifconfig route $([ "$c" = bridge-both-fail ] && echo wgjail wg) logger" netif start
done

done_testing
