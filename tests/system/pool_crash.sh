#!/usr/bin/env bash
# Three servers, kill -9 of one rank during pool create: the create fails cleanly or
# completes, no half-made pool is visible, and after the rank restarts its files are gone.
source "$(dirname "$0")/pool_lib.sh" "$1"

start_system 3
dmg pool create sxb -z 3g >/dev/null
echo "=== kill -9 a rank during create"
files_before=$(pool_files | sort)
dmg pool create crash -z 6g >"$WORK/crash.out" 2>&1 &
cpid=$!
sleep 0.2
stop_server 2 KILL
crc=0
wait $cpid || crc=$?
cat "$WORK/crash.out"
if [ $crc = 0 ]; then
	echo "create completed before the kill"
	dmg pool list | grep -q "^crash" || fail "completed create not listed"
	dmg pool destroy --force crash >/dev/null 2>&1 || true
else
	dmg pool list | grep -q "^crash" && fail "half-made pool visible"
fi
start_server 2
wait_joined 3
# the rollback finishes once rank 2 is back; bounded wait
for _ in $(seq 1 40); do
	[ "$(pool_files | sort)" = "$files_before" ] && break
	sleep 1
done
dmg pool list | grep -q "^crash" && fail "crash pool still listed"
[ "$(pool_files | sort)" = "$files_before" ] || fail "leftover files: $(pool_files)"
dmg pool query sxb | grep -q "ntarget=6" || fail "sxb after the crash"

alive 0 1 2
echo "PASS"
