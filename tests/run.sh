#!/bin/sh
# Run every test suite and print one summary line:
#   N passed, N failed, N skipped
# Every suite speaks TAP ("ok", "not ok", "ok ... # SKIP why").  A suite
# that exits non-zero without reporting a failure counts as one failure,
# so a crash never passes silently.
#
# Environment:
#   SUITES="unit freebsd integration vm fuzz"   which suites to run (default all)
#   FUZZ_SECONDS=N                      time per fuzz target (default: the
#                                       target's tests/fuzz/NAME.seconds, else 20)
#   TESTS=pattern                       only scripts/binaries whose name matches
#   TEST_LOGDIR=DIR                     the logs (default build/test-logs)
#   TEST_JOBS=N                         tests run at once within a suite
#                                       (default 2; 1: one at a time).  Each
#                                       test has its own namespaces, names
#                                       ($$ in them), temporary directory and
#                                       log, and its results are printed
#                                       whole, in the order of the suite
#   KEYWATCH=0                          do not watch the integration suites'
#                                       commands (tests/keywatch: no command may
#                                       replace a jail's key but rotate)
#   FREEBSD_KIT=DIR                     the FreeBSD test kit (default ../shared/freebsd):
#                                       the freebsd suite and the unit and fuzz
#                                       targets named *_freebsd need it, and are
#                                       reported skipped without it
#
# Each result line carries the test's wall time and CPU time (user+sys of
# everything it ran; less dependent on the machine's load than wall time),
# and each suite ends with a line of its totals.  The last line of all is
# always the summary above.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
export TOP
export WGJAIL="${WGJAIL:-$TOP/build/wgjail-san}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
SUITES="${SUITES:-unit freebsd integration vm fuzz}"
TEST_JOBS="${TEST_JOBS:-2}"
TESTS="${TESTS:-}"
KIT="${FREEBSD_KIT:-../shared/freebsd}"
export FREEBSD_KIT="$KIT"

LOGDIR="${TEST_LOGDIR:-$TOP/build/test-logs}"
mkdir -p "$LOGDIR"
PASS=0 FAIL=0 SKIP=0
FAILED_NAMES=""

# count LOGFILE NAME RC: add the TAP results of one suite run to the totals
count() {
	log=$1 name=$2 rc=$3
	p=$(grep -cE '^ok [0-9]+' "$log" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+.*# *(SKIP|skip)' "$log" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$log" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc without reporting a failure" >>"$log"
	fi
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$s" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name ran no test" >>"$log"
	fi
	PASS=$((PASS + p)) FAIL=$((FAIL + f)) SKIP=$((SKIP + s))
	[ "$f" -gt 0 ] && FAILED_NAMES="$FAILED_NAMES $name"
	w=$(cat "$log.wall" 2>/dev/null || echo 0) c=$(cat "$log.cpu" 2>/dev/null || echo 0)
	rm -f "$log.wall" "$log.cpu"
	S_CPU=$((S_CPU + c))
	printf '%-40s %4d passed %4d failed %4d skipped %7ss wall %7ss cpu\n' \
		"$name" "$p" "$f" "$s" "$(fmt_ms "$w")" "$(fmt_ms "$c")"
	if [ "$f" -gt 0 ]; then
		grep -E '^not ok|^#' "$log" | head -40 | sed 's/^/    /'
	fi
	if [ "$s" -gt 0 ]; then
		grep -E '# *(SKIP|skip)' "$log" | head -5 | sed 's/^/    SKIPPED: /'
	fi
}

selected() {
	[ -z "$TESTS" ] && return 0
	case "$1" in *$TESTS*) return 0 ;; esac
	return 1
}

# now_ms: wall clock in milliseconds.
now_ms() {
	t=$(date +%s%N)
	case $t in *N) echo $(($(date +%s) * 1000)) ;; *) echo $((t / 1000000)) ;; esac
}
# cpu_ms FILE: user+sys of this shell's waited-for children, in milliseconds
# (the second line of `times`, e.g. "1m2.345s 0m0.120s"), into FILE.
# `times` writes to a file first: in a pipe it would run in a fresh fork.
cpu_ms() {
	times >"$1.times"
	sed -n '2{s/[ms]/ /g;p;}' "$1.times" |
		awk '{ printf "%d\n", ($1 * 60 + $2 + $3 * 60 + $4) * 1000 }' >"$1"
	rm -f "$1.times"
}
# fmt_ms MS: seconds with one decimal.
fmt_ms() { printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# timed LOG CMD...: run CMD with its output in LOG, in a subshell whose
# children's CPU time (fork starts it at zero) is written to LOG.cpu and its
# wall time to LOG.wall.  Returns CMD's status.  CMD starts with SIGHUP,
# SIGINT and SIGQUIT at their defaults: a background job of sh ignores
# SIGINT and SIGQUIT (and a runner under nohup SIGHUP), and a signal ignored
# at exec stays ignored (the agent's SIGHUP reload would never come).
timed() {
	tlog=$1; shift
	(
		t0=$(now_ms)
		env --default-signal=HUP,INT,QUIT "$@" >"$tlog" 2>&1 </dev/null; rc=$?
		t1=$(now_ms)
		echo $((t1 - t0)) >"$tlog.wall"
		cpu_ms "$tlog.cpu"
		exit $rc
	)
}

# The job pool: up to $JOBS tests run at once, each in the background with
# its output in its own log; results are counted and printed whole, in the
# order the tests were started, whatever order they end in.
#   spawn LOG NAME CMD...   start CMD (which writes LOG) when a slot is free
#   drain                   wait for every started test and count it
Q_N=0 Q_P=0
spawn() {
	_l=$1 _n=$2
	shift 2
	while q_flush && [ $((Q_N - Q_P - Q_DONE)) -ge "$JOBS" ]; do sleep 0.1; done
	rm -f "$_l.rc"
	Q_N=$((Q_N + 1))
	eval "Q_LOG_$Q_N=\$_l Q_NAME_$Q_N=\$_n"
	(
		"$@"
		echo $? >"$_l.rc.tmp"
		mv "$_l.rc.tmp" "$_l.rc"
	) &
}
# q_flush: count the finished tests at the head of the queue; sets Q_DONE
# to the number finished behind the first unfinished one.
q_flush() {
	Q_DONE=0
	while [ "$Q_P" -lt "$Q_N" ]; do
		eval "_ql=\$Q_LOG_$((Q_P + 1)) _qn=\$Q_NAME_$((Q_P + 1))"
		[ -f "$_ql.rc" ] || break
		_qrc=$(cat "$_ql.rc")
		rm -f "$_ql.rc"
		Q_P=$((Q_P + 1))
		count "$_ql" "$_qn" "$_qrc"
	done
	_qi=$((Q_P + 2))
	while [ "$_qi" -le "$Q_N" ]; do
		eval "_ql=\$Q_LOG_$_qi"
		[ -f "$_ql.rc" ] && Q_DONE=$((Q_DONE + 1))
		_qi=$((_qi + 1))
	done
	return 0
}
drain() {
	while q_flush && [ "$Q_P" -lt "$Q_N" ]; do sleep 0.1; done
}

# Targets named *_freebsd (tests/DIR/NAME_freebsd.c) test FreeBSD's code
# with the test kit: without the kit they are skipped, loudly; with it, a
# target that was not built is a failure.
kit_missing() { [ ! -f "$KIT/libnv/Makefile" ]; }

# kit_targets DIR SUITE: report the kit targets of DIR that will not run.
kit_targets() {
	dir=$1 suite=$2
	for src in tests/"$dir"/*_freebsd.c; do
		[ -f "$src" ] || continue
		n=$(basename "$src" .c); selected "$n" || continue
		log="$LOGDIR/$n.log"
		if kit_missing; then
			echo "# SKIPPED SUITE $n: no FreeBSD test kit at $KIT (FREEBSD_KIT)" >&2
			echo "ok 1 - $n # SKIP no FreeBSD test kit at $KIT: FreeBSD's if_wg nvlist code is NOT tested" >"$log"
		elif [ ! -x "build/$dir/$n" ]; then
			echo "not ok 1 - $n: not built although the kit is there (make test-bins fuzz-build)" >"$log"
		else
			continue
		fi
		count "$log" "$suite/$n" 0
	done
}

run_unit() {
	for bin in build/unit/test_*; do
		[ -x "$bin" ] || continue
		n=$(basename "$bin"); selected "$n" || continue
		case $n in *_freebsd) kit_missing && continue ;; esac
		spawn "$LOGDIR/$n.log" "unit/$n" timed "$LOGDIR/$n.log" env CMOCKA_MESSAGE_OUTPUT=TAP "$bin"
	done
	drain
	kit_targets unit unit
}

run_scripts() {
	dir=$1
	for t in "$dir"/test_*.sh; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .sh); selected "$n" || continue
		log="$LOGDIR/$(basename "$dir")-$n.log"
		spawn "$log" "$(basename "$dir")/$n" timed "$log" bash "$t"
	done
	drain
}

run_fuzz() {
	for bin in build/fuzz/fuzz_*; do
		[ -x "$bin" ] || continue
		n=$(basename "$bin"); selected "$n" || continue
		case $n in *_freebsd) kit_missing && continue ;; esac
		secs=${FUZZ_SECONDS:-$(cat "tests/fuzz/$n.seconds" 2>/dev/null || echo 20)}
		spawn "$LOGDIR/$n.log" "fuzz/$n" fuzz_one "$bin" "$n" "$secs" "$LOGDIR/$n.log"
	done
	drain
	kit_targets fuzz fuzz
}

# fuzz_one BIN NAME SECONDS LOG: one fuzz target from its seeds, the verdict
# in LOG as TAP (libFuzzer's own output in LOG.raw).
fuzz_one() {
	bin=$1 n=$2 secs=$3 log=$4
	work=$(mktemp -d)
	seeds="tests/fuzz/corpus/$n"
	[ -d "$seeds" ] && cp -r "$seeds/." "$work/" 2>/dev/null
	timed "$log.raw" "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$LOGDIR/$n-" -print_final_stats=1 "$work"; rc=$?
	mv "$log.raw.wall" "$log.wall"; mv "$log.raw.cpu" "$log.cpu"
	if [ "$rc" -eq 0 ]; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log.raw")
		echo "ok 1 - $n: ${secs}s, ${runs:-?} inputs, no crash, no leak" >"$log"
	else
		{ echo "not ok 1 - $n found a crash or leak (see $log.raw)"; \
		  grep -E 'ERROR|SUMMARY|Test unit written' "$log.raw" | head -5 | sed 's/^/# /'; } >"$log"
	fi
	rm -rf "$work"
	return 0
}

# The key watch: every wgjail command the integration suites run goes
# through tests/keywatch/wgjail, which records each jail's key before and
# after; tests/keywatch/check.awk then fails any command that replaced or
# removed a jail's key, except rotate (first boot starts from none).
run_integration() {
	if [ "${KEYWATCH:-1}" = 0 ]; then
		run_scripts tests/integration
		return
	fi
	kwlog="$LOGDIR/keywatch.log"
	: >"$kwlog"
	real=$WGJAIL
	export WGJAIL_KEYWATCH_REAL="$real" WGJAIL_KEYWATCH_LOG="$kwlog"
	WGJAIL=$TOP/tests/keywatch/wgjail
	run_scripts tests/integration
	WGJAIL=$real
	awk -f tests/keywatch/check.awk "$kwlog" >"$LOGDIR/keywatch.tap" 2>&1; rc=$?
	count "$LOGDIR/keywatch.tap" "keywatch" "$rc"
}

for suite in $SUITES; do
	S_CPU=0 s0=$(now_ms) JOBS=$TEST_JOBS
	case $suite in
	unit) run_unit ;;
	freebsd) run_scripts tests/freebsd ;;
	integration) run_integration ;;
	vm) run_scripts tests/vm ;;
	fuzz) run_fuzz ;;
	*) echo "run.sh: unknown suite '$suite'" >&2; exit 2 ;;
	esac
	printf '%-40s %44s %7ss wall %7ss cpu\n' "== $suite" "" "$(fmt_ms $(($(now_ms) - s0)))" "$(fmt_ms "$S_CPU")"
done

[ -n "$FAILED_NAMES" ] && echo "failed suites:$FAILED_NAMES"
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
