#!/usr/bin/env bash
# Measurement (not a ctest): CPU of an idle 3-server cluster, before and after kill -9 of one.
#   tests/system/idle_cpu_cluster.sh  (uses build/ of this worktree)
top=$(cd "$(dirname "$0")/../.." && pwd)
source "$top/tests/system/lib.sh" "$top/build/src/engine/daos_server" "$top/build/src/utils/dmg/dmg"
pick_ports 3
start_server 1; start_server 2; start_server 0
dmg storage format >/dev/null
wait_state 3 joined
ticks() { for p in "$@"; do awk '{print $14+$15}' /proc/$p/stat; done | paste -sd' '; }
sleep 2
a=$(ticks ${PIDS[0]} ${PIDS[1]} ${PIDS[2]}); sleep 10; b=$(ticks ${PIDS[0]} ${PIDS[1]} ${PIDS[2]})
echo "idle 10 s, CPU ticks (1/100 s) per server: before [$a] after [$b]"
stop_server 2 KILL
dmg system query >/dev/null
a=$(ticks ${PIDS[0]} ${PIDS[1]}); sleep 10; b=$(ticks ${PIDS[0]} ${PIDS[1]})
echo "after kill -9 of one, idle 10 s: before [$a] after [$b]"
