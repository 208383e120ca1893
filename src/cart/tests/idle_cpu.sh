#!/usr/bin/env bash
# An idle crt_test_server must sleep: over 10 s it may use at most 1% of a core
# (utime + stime from /proc/<pid>/stat). One server per provider, measured side
# by side so the whole test stays around 12 s.
set -euo pipefail
server=$1
window=${IDLE_WINDOW_S:-10}
dir=$(mktemp -d /tmp/cart_idle.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$dir"
}
trap cleanup EXIT
export D_INTERFACE=127.0.0.1
provs=("ofi+tcp;ofi_rxm" "ofi+tcp" "ofi+shm")
for i in "${!provs[@]}"; do
	mkdir "$dir/$i"
	D_PROVIDER="${provs[$i]}" "$server" --group-name idle --contexts 2 \
		--attach-info-path "$dir/$i" >"$dir/$i.log" 2>&1 &
	pids+=($!)
done
for i in "${!provs[@]}"; do
	for _ in $(seq 100); do
		[ -f "$dir/$i/idle.attach_info_tmp" ] && break
		sleep 0.1
	done
	[ -f "$dir/$i/idle.attach_info_tmp" ] || {
		echo "server ${provs[$i]} did not start"; cat "$dir/$i.log"; exit 1; }
done
sleep 0.5
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
before=()
for p in "${pids[@]}"; do before+=("$(ticks "$p")"); done
t0=$(date +%s%N)
sleep "$window"
t1=$(date +%s%N)
hz=$(getconf CLK_TCK)
fail=0
for i in "${!provs[@]}"; do
	after=$(ticks "${pids[$i]}")
	# CPU use in units of 0.01% of one core.
	use=$(( (after - before[i]) * 1000000000 * 10000 / hz / (t1 - t0) ))
	printf '%-16s idle CPU %d.%02d%% of a core (2 contexts, %s s)\n' "${provs[$i]}" \
		$((use / 100)) $((use % 100)) "$window"
	[ "$use" -le 100 ] || fail=1
done
[ "$fail" = 0 ] || { echo "FAIL: an idle server uses more than 1% of a core"; exit 1; }
echo OK
