# Helpers for the peer/rotate/export suites (sourced after lib.sh).

CONF="$T_TMP/conf"

# wj ARGS...: wgjail on the suite's own configuration directory.
wj() { "$WGJAIL" -c "$CONF" "$@"; }

# mkjail JAIL IFACE ADDRESS [PORT [ENDPOINT]]: a jail spec and a
# hand-edited-looking WireGuard config (comments, odd spacing) with a
# fresh private key.  Sets JAIL_PRIV and JAIL_PUB.
mkjail() {
	local j=$1 ifc=$2 addr=$3 port=${4:-51820} ep=${5:-}
	mkdir -p "$CONF/$j" && chmod 700 "$CONF/$j"
	{
		echo "[jail]"
		echo "id = 1"
		echo "uplink = wireguard"
		echo
		echo "[wireguard]"
		echo "interface = $ifc"
		echo "address = $addr"
		echo "listen_port = $port"
		[ -n "$ep" ] && echo "endpoint = $ep"
	} >"$CONF/$j/jail.conf"
	JAIL_PRIV=$("$WGJAIL" genkey) || return 1
	JAIL_PUB=$(printf '%s\n' "$JAIL_PRIV" | "$WGJAIL" pubkey) || return 1
	(umask 077; printf '# %s: written by hand\n[Interface]\nPrivateKey = %s   # keep secret\nListenPort=%s\n\n' \
		"$j" "$JAIL_PRIV" "$port" >"$CONF/$j/$ifc.conf")
}

# peers_in FILE: the public keys of FILE's [Peer] sections, sorted.
peers_in() {
	awk -F'=' 'tolower($1) ~ /^[ \t]*public[ \t]*key[ \t]*$/ { v=$0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]*(#.*)?$/, "", v); print v }' "$1" | sort
}

# key_hex KEY: a base64 key in lower-case hex (a drop-in's name).
key_hex() { printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }

# dropin JAIL IFACE KEY: the path of KEY's drop-in.
dropin() { echo "$CONF/$1/$2.peers/$(key_hex "$3").conf"; }

# all_peers JAIL IFACE: the public keys of the merged config (main file
# and drop-ins), sorted.
all_peers() {
	local f
	{ peers_in "$CONF/$1/$2.conf"; for f in "$CONF/$1/$2.peers"/*.conf; do [ -e "$f" ] && peers_in "$f"; done; } | sort
}
