# The backend choice (wg/backend.c): a UAPI socket for the name wins over
# a kernel link of that name, as with wg(8).  The socket directory is not
# per namespace, so wireguard-go in namespace c2 serves the name wgc0 that
# is a kernel link in c1.
if [ -x /usr/bin/wireguard-go ]; then
	"$IP" netns add c1
	"$IP" netns add c2
	nsx c1 "$IP" link add wgc0 type wireguard
	nsx c1 "$WJVM" has wgc0 >"$W/c.has" 2>&1
	[ "$(cat "$W/c.has")" = kernel ] && ok "a kernel link alone: the kernel backend" ||
		{ notok "a kernel link alone: the kernel backend"; diag <"$W/c.has"; }
	mkdir -p /var/run/wireguard
	nsx c2 env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 /usr/bin/wireguard-go -f wgc0 >"$W/wggo.log" 2>&1 &
	gopid=$!
	if wait_until 20 test -S /var/run/wireguard/wgc0.sock; then
		nsx c1 "$WJVM" has wgc0 >"$W/c.has" 2>&1
		[ "$(cat "$W/c.has")" = uapi ] && ok "a UAPI socket of the same name wins" ||
			{ notok "a UAPI socket of the same name wins"; diag <"$W/c.has"; }
		nsx c1 "$WJVM" list >"$W/c.list" 2>&1
		[ "$(grep -c '^wgc0$' "$W/c.list")" = 1 ] && ok "the name is listed once" ||
			{ notok "the name is listed once"; diag <"$W/c.list"; }
	else
		notok "wireguard-go came up"; diag <"$W/wggo.log"
	fi
	# wireguard-go exits when its socket is removed.
	rm -f /var/run/wireguard/wgc0.sock
	kill "$gopid" 2>/dev/null
	wait "$gopid" 2>/dev/null
	"$IP" netns del c1
	"$IP" netns del c2
else
	ok "backend choice # SKIP wireguard-go is not installed on the host"
fi
