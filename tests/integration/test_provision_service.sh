#!/bin/bash
# The boot integration files: rc/wgjail.in (FreeBSD rc.d) and
# rc/wgjail.service (systemd), as `make install` installs them.  No root.
. "$(dirname "$0")/lib.sh"

BIN=/opt/wj/sbin
D=$T_TMP/dest

# ---- make install ------------------------------------------------------------
out=$(make -s -C "$TOP" install DESTDIR="$D/linux" BINDIR="$BIN" UNAME_S=Linux 2>&1); rc=$?
check_eq "make install (Linux) succeeds" 0 "$rc"; [ "$rc" -ne 0 ] && printf '%s\n' "$out" | diag
UNIT=$D/linux/lib/systemd/system/wgjail.service
check "make install puts the unit in UNITDIR" test -f "$UNIT"
check_eq "the unit is mode 644" 644 "$(stat -c %a "$UNIT" 2>/dev/null)"
out=$(make -s -C "$TOP" install DESTDIR="$D/freebsd" BINDIR="$BIN" UNAME_S=FreeBSD 2>&1); rc=$?
check_eq "make install (FreeBSD rules) succeeds" 0 "$rc"; [ "$rc" -ne 0 ] && printf '%s\n' "$out" | diag
RCD=$D/freebsd/usr/local/etc/rc.d/wgjail
check "make install puts the rc.d script in RCDIR" test -f "$RCD"
check_eq "the rc.d script is mode 555" 555 "$(stat -c %a "$RCD" 2>/dev/null)"
check_eq "@BINDIR@ replaced everywhere" "" "$(grep -l '@BINDIR@' "$UNIT" "$RCD")"

# ---- rc.d script ----------------------------------------------------------------
check "rc.d script passes sh -n" sh -n "$RCD"
check "rc.d script passes dash -n" dash -n "$RCD"
check "rcorder: PROVIDE: wgjail" grep -qx '# PROVIDE: wgjail' "$RCD"
check "rcorder: REQUIRE: NETWORKING" grep -qE '^# REQUIRE:.* NETWORKING( |$)|^# REQUIRE: NETWORKING' "$RCD"
check "rcorder: BEFORE: jail" grep -qx '# BEFORE: jail' "$RCD"
check "rcorder: KEYWORD: shutdown" grep -qx '# KEYWORD: shutdown' "$RCD"

# Run it against a stand-in rc.subr that records what rc.subr would be
# asked to do, with stub wgjail and install commands.
STUB=$T_TMP/stub
mkdir -p "$STUB" "$T_TMP/etc"
cat >"$T_TMP/rc.subr" <<'SUBR'
load_rc_config() { [ -r "$RC_CONF" ] && . "$RC_CONF"; }
warn() { echo "warn: $*"; }
run_rc_command() {
	echo "cmd=$1 enable=$wgjail_enable"
	eval rc_flags=\$${name}_flags
	echo "rc_flags=$rc_flags"
	echo "command=$command"
	echo "command_args=$command_args"
	echo "pidfile=$pidfile procname=$procname"
	echo "extra=$extra_commands reload_cmd=$reload_cmd"
	case $1 in
	start) $start_precmd && echo "precmd ok" ;;
	reload) $reload_cmd && echo "reload ok" ;;
	esac
}
# check_pidfile FILE PROCNAME: the pid in FILE (the stand-in trusts it).
check_pidfile() { [ -r "$1" ] && echo "check_pidfile $*" >>"$STUB_LOG" && cat "$1"; }
# kill is a builtin: recorded, never sent.
kill() { echo "kill $*" >>"$STUB_LOG"; }
SUBR
for c in install wgjail; do
	# STUB_FAIL=1 makes wgjail (only) fail.
	printf '#!/bin/sh\necho "%s $*" >>"$STUB_LOG"\n[ -z "$STUB_FAIL" ] || [ %s != wgjail ]\n' "$c" "$c" >"$STUB/$c"
	chmod +x "$STUB/$c"
done
sed -e "s|^\. /etc/rc.subr|. $T_TMP/rc.subr|" -e "s|$BIN/wgjail|$STUB/wgjail|g" "$RCD" >"$T_TMP/wgjail.rc"
for sh in sh dash; do
	: >"$T_TMP/log"
	out=$(STUB_LOG=$T_TMP/log RC_CONF=/nonexistent PATH="$STUB:$PATH" "$sh" "$T_TMP/wgjail.rc" start)
	check_eq "$sh: wgjail_enable defaults to NO" "cmd=start enable=NO" "$(head -1 <<<"$out")"
	check_eq "$sh: the agent runs under daemon(8) -r (restarted when it dies), -P/-p with its pidfiles" \
		"command_args=-f -r -S -T wgjail -P /var/run/wgjail/daemon.pid -p /var/run/wgjail/agent.pid $STUB/wgjail  agent -f " \
		"$(grep '^command_args' <<<"$out")"
	check_eq "$sh: command is daemon(8)" "command=/usr/sbin/daemon" "$(grep '^command=' <<<"$out")"
	check_eq "$sh: status/stop find the supervisor (a signal to the agent would only restart it)" \
		"pidfile=/var/run/wgjail/daemon.pid procname=/usr/sbin/daemon" "$(grep '^pidfile' <<<"$out")"
	check_eq "$sh: reload is ours" "extra=reload reload_cmd=wgjail_reload" "$(grep '^extra' <<<"$out")"
	check_eq "$sh: start first makes the run directory, then runs wgjail boot" \
"install -d -m 0755 /var/run/wgjail
wgjail boot" "$(cat "$T_TMP/log")"
	check_eq "$sh: ... and goes on when boot succeeds" "precmd ok" "$(tail -1 <<<"$out")"
	out=$(STUB_LOG=$T_TMP/log STUB_FAIL=1 RC_CONF=/nonexistent PATH="$STUB:$PATH" "$sh" "$T_TMP/wgjail.rc" start)
	check_eq "$sh: a failing boot is reported and the agent still starts" \
"warn: wgjail boot failed; the agent keeps trying
precmd ok" "$(tail -2 <<<"$out")"
	printf 'wgjail_enable="YES"\nwgjail_args="-c /usr/local/etc/wgjail"\n' >"$T_TMP/rc.conf"
	: >"$T_TMP/log"
	out=$(STUB_LOG=$T_TMP/log RC_CONF=$T_TMP/rc.conf PATH="$STUB:$PATH" "$sh" "$T_TMP/wgjail.rc" start)
	check_eq "$sh: wgjail_args reach boot" "wgjail -c /usr/local/etc/wgjail boot" "$(tail -1 "$T_TMP/log")"
	check_eq "$sh: wgjail_args reach the agent" \
		"command_args=-f -r -S -T wgjail -P /var/run/wgjail/daemon.pid -p /var/run/wgjail/agent.pid $STUB/wgjail -c /usr/local/etc/wgjail agent -f " \
		"$(grep '^command_args' <<<"$out")"
	printf 'wgjail_enable="YES"\nwgjail_metrics_file="/var/tmp/node_exporter/wgjail.prom"\nwgjail_agent_args="-v"\n' >"$T_TMP/rc.conf"
	out=$(STUB_LOG=$T_TMP/log RC_CONF=$T_TMP/rc.conf PATH="$STUB:$PATH" "$sh" "$T_TMP/wgjail.rc" start)
	check_eq "$sh: wgjail_metrics_file and wgjail_agent_args reach the agent" \
		"command_args=-f -r -S -T wgjail -P /var/run/wgjail/daemon.pid -p /var/run/wgjail/agent.pid $STUB/wgjail  agent -f --metrics-file /var/tmp/node_exporter/wgjail.prom -v" \
		"$(grep '^command_args' <<<"$out")"
	# reload: SIGHUP to the agent named by its own pidfile (the
	# stand-ins of kill and check_pidfile record and read).
	sed -e "s|/var/run/wgjail|$T_TMP/run|g" "$T_TMP/wgjail.rc" >"$T_TMP/wgjail-reload.rc"
	mkdir -p "$T_TMP/run"
	echo 4242 >"$T_TMP/run/agent.pid"
	echo 4141 >"$T_TMP/run/daemon.pid"
	: >"$T_TMP/log"
	out=$(STUB_LOG=$T_TMP/log RC_CONF=/nonexistent PATH="$STUB:$PATH" "$sh" "$T_TMP/wgjail-reload.rc" reload)
	check_eq "$sh: reload sends SIGHUP to the agent, not to daemon(8)" \
"check_pidfile $T_TMP/run/agent.pid $STUB/wgjail
kill -HUP 4242" "$(cat "$T_TMP/log")"
	check_eq "$sh: ... and succeeds" "reload ok" "$(tail -1 <<<"$out")"
	rm "$T_TMP/run/agent.pid"
	out=$(STUB_LOG=$T_TMP/log RC_CONF=/nonexistent PATH="$STUB:$PATH" "$sh" "$T_TMP/wgjail-reload.rc" reload)
	check_eq "$sh: reload without an agent says so and fails" "warn: the agent is not running" "$(tail -1 <<<"$out")"
	printf 'wgjail_enable="YES"\nwgjail_flags="-c /etc/x"\n' >"$T_TMP/rc.conf"
	: >"$T_TMP/log"
	out=$(STUB_LOG=$T_TMP/log RC_CONF=$T_TMP/rc.conf PATH="$STUB:$PATH" "$sh" "$T_TMP/wgjail.rc" start)
	check_eq "$sh: wgjail_flags never reaches daemon(8) (rc.subr's rc_flags)" "rc_flags=" "$(grep '^rc_flags' <<<"$out")"
	check_eq "$sh: ... it reaches wgjail instead" \
		"command_args=-f -r -S -T wgjail -P /var/run/wgjail/daemon.pid -p /var/run/wgjail/agent.pid $STUB/wgjail  -c /etc/x agent -f " \
		"$(grep '^command_args' <<<"$out")"
done

# ---- systemd unit -------------------------------------------------------------------
check_eq "ExecStart runs the agent in the foreground (options from /etc/default/wgjail)" \
	"ExecStart=$BIN/wgjail \$WGJAIL_ARGS agent -f \$WGJAIL_AGENT_ARGS" "$(grep '^ExecStart=' "$UNIT")"
check "Type=notify: the agent says when it is ready" grep -qx 'Type=notify' "$UNIT"
check "WatchdogSec=: a stuck agent is restarted" grep -qE '^WatchdogSec=[1-9]' "$UNIT"
check "Restart=on-failure (the watchdog's kill is a failure)" grep -qx 'Restart=on-failure' "$UNIT"
check "the resolver can chroot and drop to its user; the agent can kill it" \
	grep -qE '^CapabilityBoundingSet=.*CAP_SYS_CHROOT.*CAP_SETUID.*CAP_SETGID.*CAP_KILL' "$UNIT"
check_eq "ExecReload sends SIGHUP" 'ExecReload=/bin/kill -HUP $MAINPID' "$(grep '^ExecReload=' "$UNIT")"
check "After=network-online.target" grep -qx 'After=network-online.target' "$UNIT"
check "CAP_NET_ADMIN and CAP_SYS_ADMIN kept" grep -qE '^CapabilityBoundingSet=.*CAP_NET_ADMIN.*CAP_SYS_ADMIN' "$UNIT"
check_fails "no option that makes a private mount namespace (it would hide /run/netns)" \
	grep -qE '^(ProtectSystem|PrivateTmp|ProtectHome|PrivateDevices|ProtectKernel[A-Za-z]*|ProtectControlGroups|ReadWritePaths|ReadOnlyPaths|InaccessiblePaths|TemporaryFileSystem|PrivateMounts|ProtectProc)=' "$UNIT"
if command -v systemd-analyze >/dev/null; then
	V=$T_TMP/verify; mkdir -p "$V"
	sed "s|$BIN/wgjail|$TOP/wgjail|" "$UNIT" >"$V/wgjail.service"
	[ -x "$TOP/wgjail" ] || make -s -C "$TOP" wgjail >/dev/null
	check "systemd-analyze verify accepts the unit" systemd-analyze verify --man=no "$V/wgjail.service"
else
	echo "# SKIPPED: systemd-analyze is not installed" >&2
	t_skip "systemd-analyze verify accepts the unit" "systemd-analyze is not installed"
fi

done_testing
