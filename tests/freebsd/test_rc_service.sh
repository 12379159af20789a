#!/bin/bash
# `service wgjail start|status|reload|stop` with FreeBSD's real rc.subr:
# rc/wgjail.in as `make install` installs it, run by the test kit's
# run-rc.sh with daemon(8), wgjail, install(1), limits(1), ps(1), pwait(1)
# and logger(1) as logging stubs.  Each case compares the whole report
# (output, exit status, exact command log) with tests/freebsd/golden/service-*.
#
# status, reload and stop act on processes: two real stand-ins run here,
# one for daemon(8) (the supervisor, /var/run/wgjail/daemon.pid) and one
# for the agent (/var/run/wgjail/agent.pid); each records the signals it
# gets.  The ps stub answers for them as FreeBSD's ps would
# ("daemon: /usr/local/sbin/wgjail[PID] (daemon)" for daemon(8)'s title).
# rc.subr's kill is the shell's builtin, so the signals are real.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/rc_lib.sh"
need_rc_kit

R=$T_TMP/root
S=$T_TMP/behave
mkdir -p "$R/etc" "$S"
check "make install (FreeBSD layout) provides usr/local/etc/rc.d/wgjail" install_rc_script "$R"
RCD=$R/usr/local/etc/rc.d/wgjail
STUBS="wgjail daemon install limits ps pwait logger"

# limits(1) -C CLASS CMD...: run CMD, so that daemon(8)'s call is logged too.
printf 'shift 2\nexec "$@"\n' >"$S/limits"
# ps(1) -ww -o pid= -o jid= -o command= -p PID: the table below.
cat >"$S/ps" <<'EOF'
while [ $# -gt 0 ]; do [ "$1" = -p ] && pid=$2; shift; done
[ -n "$pid" ] && [ -r /var/db/ps.table ] && grep "^$pid " /var/db/ps.table
exit 0
EOF
# pwait(1) PID...: waits, as the real one does, until the processes are gone.
printf 'for p in "$@"; do while kill -0 "$p" 2>/dev/null; do sleep 0.05; done; done\n' >"$S/pwait"

# ---- which names rc.subr reads as overrides ---------------------------------------
# Every ${name}_X rc.subr evaluates (the kit's 12.1 copy), and those that
# 14's rc.subr added (rc/README.md of the kit): the script may assign
# wgjail_X for none of them but X = enable (its rcvar) and flags (moved
# to wgjail_args before rc.subr sees it).
subr_vars=$( (grep -o '\${name}_[a-z_]*' "$KIT/rc/freebsd-12.1/etc/rc.subr" | sed 's/.*}_//'
	echo "setup offcmd umask env_file limits login_class cpuset svcj svcj_options svcj_ipaddrs" | tr ' ' '\n') | sort -u)
check "rc.subr's override list was read (program, flags, user, ...)" \
	sh -c "echo '$subr_vars' | grep -qx program && echo '$subr_vars' | grep -qx user"
assigned=$(grep -oE '(^|[^A-Za-z0-9_$])wgjail_[a-z_]+=' "$RCD" | sed -E 's/^[^w]*wgjail_//; s/=$//' | sort -u)
bad=
for v in $assigned; do
	case $v in enable | flags) continue ;; esac
	echo "$subr_vars" | grep -qx "$v" && bad="$bad wgjail_$v"
done
check_eq "no variable of the script is one rc.subr reads as an override" "" "$bad"
check_eq "the script's own wgjail_* variables: the rc.conf settings" "agent_args args enable flags metrics_file" "$(echo $assigned)"

# ---- start ---------------------------------------------------------------------------
cp "$RCD" "$T_TMP/rcd.orig"
printf 'wgjail_enable="YES"\nwgjail_args="-c /usr/local/etc/wgjail"\n' >"$R/etc/rc.conf"
for sh in bash dash; do
	rc_golden "$sh: start runs boot, then the agent under daemon(8) -r -P -p" service-start \
		-b "$sh" -S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail start
done
check_eq "start exits 0" 0 "$RC_STATUS"

mkdir -p "$T_TMP/fail"; cp "$S"/* "$T_TMP/fail/"
printf 'echo "wgjail: jail vpn1: cannot resolve vpn.example.org" >&2\nexit 1\n' >"$T_TMP/fail/wgjail"
rc_golden "start: a failing boot is reported (console, syslog) and the agent still starts" \
	service-start-bootfails -S "$T_TMP/fail" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail start

printf 'wgjail_enable="YES"\nwgjail_metrics_file="/var/tmp/node_exporter/wgjail.prom"\nwgjail_agent_args="-v"\n' >"$R/etc/rc.conf"
rc_golden "start: wgjail_metrics_file and wgjail_agent_args reach the agent" service-start-metrics \
	-S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail start

printf 'wgjail_enable="YES"\nwgjail_flags="-c /etc/x"\n' >"$R/etc/rc.conf"
rc_golden "start: wgjail_flags reaches wgjail, never daemon(8)'s own flags" service-start-flags \
	-S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail start

: >"$R/etc/rc.conf"
rc_golden "start when not enabled: nothing is run" service-start-disabled \
	-S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail start

# ---- status, reload, stop: with stand-ins for daemon(8) and the agent --------------------
printf 'wgjail_enable="YES"\n' >"$R/etc/rc.conf"
rc_golden "status when not running: exit 1" service-status-stopped \
	-S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail status
check_eq "status when not running exits 1" 1 "$RC_STATUS"

# standin NAME: a process that records each HUP/TERM it gets in $T_TMP/NAME.sig
# and ends half a second after a TERM (so rc's first look always finds it
# still there: the report does not depend on timing); its pid in STANDIN_PID.
standin() {
	local f=$T_TMP/$1.sig
	: >"$f"
	sh -c "trap 'echo HUP >>$f' HUP; trap 'echo TERM >>$f; sleep 0.5; exit 0' TERM; while :; do sleep 0.1; done" &
	STANDIN_PID=$!
	T_PIDS+=("$STANDIN_PID")
}
standin daemon; DPID=$STANDIN_PID
standin agent; APID=$STANDIN_PID
mkdir -p "$R/var/run/wgjail" "$R/var/db"
echo "$DPID" >"$R/var/run/wgjail/daemon.pid"
echo "$APID" >"$R/var/run/wgjail/agent.pid"
printf '%s 0 daemon: /usr/local/sbin/wgjail[%s] (daemon)\n%s 0 /usr/local/sbin/wgjail agent -f\n' \
	"$DPID" "$APID" "$APID" >"$R/var/db/ps.table"
RC_SUBST="s/\\b$DPID\\b/@DAEMON_PID@/g; s/\\b$APID\\b/@AGENT_PID@/g"
sleep 0.2

rc_golden "status: running as daemon(8)'s pid" service-status-running \
	-S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail status
check_eq "status when running exits 0" 0 "$RC_STATUS"

rc_golden "start when running: already running, nothing run" service-start-running \
	-S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail start

rc_golden "reload: SIGHUP to the agent's pid" service-reload \
	-S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail reload
check_eq "reload exits 0" 0 "$RC_STATUS"
sleep 0.3
check_eq "the agent got SIGHUP" "HUP" "$(cat "$T_TMP/agent.sig")"
check_eq "daemon(8) got nothing (SIGHUP would end it: it has no handler without -H)" "" "$(cat "$T_TMP/daemon.sig")"

rc_golden "stop: SIGTERM to daemon(8) (it passes it on and does not restart), then wait" service-stop \
	-S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail stop
check_eq "stop exits 0" 0 "$RC_STATUS"
check_eq "daemon(8) got SIGTERM" "TERM" "$(cat "$T_TMP/daemon.sig")"
check "... and is gone when stop returns" sh -c "! kill -0 $DPID 2>/dev/null"
check_eq "the agent got no signal from rc (daemon(8) passes SIGTERM on)" "HUP" "$(cat "$T_TMP/agent.sig")"

rm -f "$R/var/run/wgjail/agent.pid"
rc_golden "reload without an agent pidfile: not running, exit 1" service-reload-stopped \
	-S "$S" "$R" "$STUBS" /usr/local/etc/rc.d/wgjail reload
check_eq "reload when not running exits 1" 1 "$RC_STATUS"

done_testing
