# Links over rtnetlink and the backend choice, errors naming the interface.
"$IP" netns add l
check "create a kernel wireguard link" nsx l "$WJVM" create wgl0
check "creating it again is success" nsx l "$WJVM" create wgl0
nsx l "$IP" -o link show wgl0 >"$W/l.link" 2>&1
if grep -q wgl0 "$W/l.link"; then ok "ip sees the link"; else notok "ip sees the link"; diag <"$W/l.link"; fi
nsx l "$IP" -d link show wgl0 2>&1 | grep -q wireguard && ok "ip says it is a wireguard link" ||
	notok "ip says it is a wireguard link"
nsx l "$WJVM" has wgl0 >"$W/has" 2>&1
[ "$(cat "$W/has")" = kernel ] && ok "the kernel backend drives it" || { notok "the kernel backend drives it"; diag <"$W/has"; }
nsx l "$IP" link add wgl1 type wireguard
nsx l "$IP" link add vl0 type veth peer name vl1
nsx l "$WJVM" list >"$W/list" 2>&1
printf 'wgl0\nwgl1\n' >"$W/list.want"
same_files "list names the wireguard links only" "$W/list.want" "$W/list"
check_fails_with "a veth of that name: create refuses" "not a WireGuard link" nsx l "$WJVM" create vl0
check_fails_with "a veth is no WireGuard interface" "vl0: no such WireGuard interface" nsx l "$WJVM" dump vl0
check_fails_with "an unknown name is no WireGuard interface" "nosuch0: no such WireGuard interface" \
	nsx l "$WJVM" dump nosuch0
check_fails_with "kernel backend, unknown name: ENODEV names the interface" "nosuch0: no such interface" \
	nsx l "$WJVM" kget nosuch0
check_fails_with "kernel backend, a veth: not a WireGuard interface" "vl0: not a WireGuard interface" \
	nsx l "$WJVM" kget vl0
nsx l "$WG" show wgl0 dump | "$WJVM" canon >"$W/e.wg"
canon_wjvm l wgl0 >"$W/e.wj"
same_files "an empty device reads as wg reads it" "$W/e.wg" "$W/e.wj"
check "delete a link" nsx l "$WJVM" delete wgl1
check "deleting a missing link is success" nsx l "$WJVM" delete wgl1
nsx l "$IP" link show wgl1 >/dev/null 2>&1 && notok "the link is gone" || ok "the link is gone"
"$IP" netns del l
