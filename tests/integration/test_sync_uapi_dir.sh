#!/bin/bash
# A wireguard-go whose UAPI socket lives in a private directory (bind-mounted
# on /var/run/wireguard in its own mount namespace, as a jail may have it),
# reached with WGJAIL_UAPI_DIR.
#
#   namespace a, private mount ns: /var/run/wireguard -> $T_TMP/uapi
#   +----------------+
#   | IFP (wg-go)    |   socket: $T_TMP/uapi/IFP.sock, not in /var/run/wireguard
#   +----------------+
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd unshare
need_cmd wg

export WGJAIL_STATEDIR="$T_TMP/state"
IFP="u4$$p"
mkdir -p "$T_TMP/uapi"
ns_new a || { t_fail "namespace"; done_testing; exit; }
WG_PROCESS_FOREGROUND=1 ip netns exec "$(ns a)" unshare -m sh -c \
	"mount --bind '$T_TMP/uapi' /var/run/wireguard && exec wireguard-go -f '$IFP'" >"$T_TMP/wg-go.log" 2>&1 &
T_PIDS+=("$!")
wait_until 10 test -S "$T_TMP/uapi/$IFP.sock" || skip_all "cannot bind-mount a private socket directory here"
check_fails "the socket is not in the global directory" test -e "/var/run/wireguard/$IFP.sock"

keypair A; keypair B
umask 077
printf '[Interface]\nPrivateKey = %s\nListenPort = 51840\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.2/32\nEndpoint = 192.0.2.77:51840\n' \
	"$A_priv" "$B_pub" >"$T_TMP/p.conf"
"$WGJAIL" sync "$IFP" "$T_TMP/p.conf" >/dev/null 2>&1
check_eq "without WGJAIL_UAPI_DIR the interface is not found" 1 "$?"
out=$(WGJAIL_UAPI_DIR="$T_TMP/uapi" "$WGJAIL" sync "$IFP" "$T_TMP/p.conf" 2>&1); rc=$?
check_eq "sync through the private directory: exit 0" 0 "$rc"
check_eq "sync through the private directory: one peer added" "$IFP: 1 added, 0 removed, 0 changed, interface changed" \
	"$(tail -1 <<<"$out")"
json=$(WGJAIL_UAPI_DIR="$T_TMP/uapi" "$WGJAIL" show --json "$IFP" 2>&1)
check "show through the private directory" python3 -c '
import json, sys
i = json.loads(sys.stdin.read())["interfaces"][0]
assert i["public_key"] == sys.argv[1] and i["listen_port"] == 51840, i
assert [p["public_key"] for p in i["peers"]] == [sys.argv[2]], i
assert i["peers"][0]["endpoint"] == "192.0.2.77:51840", i' "$A_pub" "$B_pub" <<<"$json"
check_eq "again: no change" "$IFP: no change" "$(WGJAIL_UAPI_DIR="$T_TMP/uapi" "$WGJAIL" sync "$IFP" "$T_TMP/p.conf" 2>&1)"
check "the endpoint memory is kept apart from the default directory's" \
	bash -c 'ls "$1"/endpoints/ | grep -qE "^[0-9]+-[0-9a-f]{8}-$2\$"' _ "$WGJAIL_STATEDIR" "$IFP"
done_testing
