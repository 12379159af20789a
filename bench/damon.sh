# Sourced by the benches: the kernel's DAMON daemons (kdamond), which can
# decide what waking a large idle process costs (bench/bench_wake.sh).
#
#   damon_state       what they do now, one line for a bench's header
#   damon_pause       turn every running kdamond off (as root), for
#                     damon_restore (call it at exit) to turn back on
DAMON_DIR=/sys/kernel/mm/damon/admin/kdamonds
DAMON_PAUSED=

damon_state() {
	local d n=0 on=0
	for d in "$DAMON_DIR"/[0-9]*; do
		[ -r "$d/state" ] || continue
		n=$((n + 1))
		[ "$(cat "$d/state")" = on ] && on=$((on + 1))
	done
	if [ "$n" -eq 0 ]; then
		echo "none"
	else
		echo "$on of $n kdamond on ($(cat "$DAMON_DIR"/[0-9]*/contexts/*/operations 2>/dev/null | sort -u | tr '\n' ' ')ops)"
	fi
}

damon_pause() {
	local d
	for d in "$DAMON_DIR"/[0-9]*; do
		[ "$(cat "$d/state" 2>/dev/null)" = on ] || continue
		echo off >"$d/state" && DAMON_PAUSED="$DAMON_PAUSED $d"
	done
}

damon_restore() {
	local d
	for d in $DAMON_PAUSED; do
		echo on >"$d/state" || echo "WARNING: could not turn $d back on" >&2
	done
	DAMON_PAUSED=
}

# damon_header: the header line, pausing first where PAUSE_DAMON=1
damon_header() {
	printf '# DAMON: %s' "$(damon_state)"
	[ "${PAUSE_DAMON:-0}" = 1 ] && damon_pause
	printf '%s\n' "${DAMON_PAUSED:+; paused for this run (PAUSE_DAMON=1), now $(damon_state)}"
}
