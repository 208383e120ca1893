#!/usr/bin/env bash
# Three servers: pools across all ranks and on chosen ranks, restart of every server,
# destroy removing every file on every rank (kill -9 during create: pool_crash.sh).
source "$(dirname "$0")/pool_lib.sh" "$1"

start_system 3

echo "=== create across all ranks"
out=$(dmg pool create sxb -z 3g)
echo "$out"
echo "$out" | grep -q "Storage Ranks        : \[0-2\]" || fail "ranks"
dmg pool query sxb | grep -q "ntarget=6, disabled=0" || fail "6 targets"
for i in 0 1 2; do
	[ "$(find "$WORK/srv$i/scm/pools" -name 'vos-*' ! -name '*.wal' | wc -l)" = 2 ] ||
		fail "rank $i lacks its heaps"
	[ "$(find "$WORK/srv$i/bdev/pools" -name 'vos-*.blob' | wc -l)" = 2 ] ||
		fail "rank $i lacks its blobs"
done
dmg pool create small --ranks 1,2 -z 2g | grep -q "Storage Ranks        : \[1-2\]" || fail "--ranks"
dmg pool query small | grep -q "ntarget=4" || fail "small: 4 targets"
dmg pool set-prop small reclaim:disabled >/dev/null

echo "=== restart every server"
for i in 0 1 2; do stop_server $i; done
for i in 0 1 2; do start_server $i; done
wait_joined 3
dmg pool list -v
dmg pool query sxb | grep -q "ntarget=6, disabled=0" || fail "sxb after restart"
dmg pool get-prop small reclaim | grep -q disabled || fail "prop after restart"

echo "=== destroy removes every file on every rank"
dmg pool destroy sxb >/dev/null
dmg pool destroy small >/dev/null
[ -z "$(pool_files)" ] || fail "files left: $(pool_files)"
alive 0 1 2
echo "PASS"
