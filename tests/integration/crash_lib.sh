# Helpers for the kill-at-a-random-moment suites (sourced after lib.sh).
#
# A fixed range of delays says nothing on a machine where the command is
# slower or faster than where the range was chosen: every kill lands
# before the write (or after it), and "both outcomes seen" fails though
# nothing is wrong.  So the range is measured: time_bg times the command
# run to completion exactly as a killed run is started, and nap_us sleeps
# a random part of a window derived from it.
#
#   time_bg CMD...       sets BG_US: microseconds from start to reaped exit
#   kill_window US...    sets KILL_US: 3/2 of the slowest of the timings
#   nap_us MAX           sleeps 0..MAX microseconds, uniformly, no fork

exec {NAP_FD}<> <(:) # read -t on a silent fd: sub-millisecond sleeps without a fork

time_bg() {
	local t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>&1 &
	wait $!
	BG_US=$((${EPOCHREALTIME/./} - t0))
}

kill_window() {
	local us max=0
	for us; do ((us > max)) && max=$us; done
	KILL_US=$((max * 3 / 2))
	echo "# kill window: 0 to $((KILL_US / 1000)) ms (the uninterrupted command: $((max / 1000)) ms)"
}

nap_us() {
	local us=$(((RANDOM << 15 | RANDOM) % ($1 + 1))) frac
	printf -v frac %06d $((us % 1000000))
	read -t "$((us / 1000000)).$frac" -u "$NAP_FD"
}
