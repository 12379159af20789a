#!/bin/bash
# The boot integration files: rc/wgjail.in (FreeBSD rc.d) and
# rc/wgjail.service (systemd), as `make install` installs them.  No root.
# The rc.d script's behaviour under FreeBSD's real rc.subr:
# tests/freebsd/test_rc_service.sh.
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

# What the script does under FreeBSD's real rc.subr (start, status, reload,
# stop, metrics options, the names rc.subr reads as overrides) is tested in
# tests/freebsd/test_rc_service.sh, with the FreeBSD test kit.
check "the agent runs under daemon(8) with restart and both pidfiles" \
	grep -q '^command_args="-f -r -S -T wgjail -P \${pidfile} -p \${_wj_agentpid} ' "$RCD"
check_fails "no wgjail_program (rc.subr's override of command)" grep -q 'wgjail_program' "$RCD"

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
