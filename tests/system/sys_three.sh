#!/usr/bin/env bash
# Three servers on 127.0.0.1: format all, every rank joins; restart every server
# -> same ranks; kill -9 one -> reported unresponsive, restart -> rejoins with its
# rank; stop/start of one rank.
source "$(dirname "$0")/lib.sh" "$1" "$2"

pick_ports 3
# the non-access-point servers first: they wait for the access point to be formatted
start_server 1
start_server 2
start_server 0

echo "=== format all, all join"
dmg storage format
wait_state 3 joined
dmg system query -v
dmg system query | grep -q "^\[0-2\] .*Joined" || fail "compact query"
before=$(members)
[ "$(echo "$before" | wc -l)" = 3 ] || fail "members: $before"
[ "$(echo "$before" | cut -d' ' -f1 | tr '\n' ' ')" = "0 1 2 " ] || fail "ranks: $before"

echo "=== GetAttachInfo: every rank's URI"
ai=$(dmg -j system attach-info)
for i in 0 1 2; do
	echo "$ai" | grep -q "\"uri\": \"ofi+tcp;ofi_rxm://127.0.0.1:${PORTS[i]}\"" || fail "attach info: $ai"
done
echo "$ai" | grep -q '"ms_ranks": \[0\]' || fail "attach info ms_ranks: $ai"

echo "=== restart every server: same ranks"
for i in 0 1 2; do stop_server $i; done
for i in 2 0 1; do start_server $i; done
wait_state 3 joined
after=$(members)
[ "$before" = "$after" ] || fail "membership changed: $before / $after"

echo "=== kill -9 one server, restart: rejoins with its rank"
victim_rank=$(dmg -j system query | grep -B3 "\"addr\": \"127.0.0.1:${PORTS[2]}\"" |
	sed -n 's/.*"rank": \([0-9]*\).*/\1/p')
[ -z "$victim_rank" ] && victim_rank=$(dmg -j system query | grep -A3 "\"addr\": \"127.0.0.1:${PORTS[2]}\"" |
	sed -n 's/.*"rank": \([0-9]*\).*/\1/p')
[ -n "$victim_rank" ] || fail "no rank for server 2"
stop_server 2 KILL
wait_state 1 unresponsive
wait_state 2 joined
start_server 2
wait_state 3 joined
[ "$(members)" = "$before" ] || fail "membership changed after kill -9"

echo "=== stop and start one rank"
dmg system stop --ranks "$victim_rank" | grep -q "stop .*OK" || fail "stop rank"
wait_state 1 stopped
dmg system query | grep -q "Stopped" || fail "no stopped rank shown"
dmg system start -r "$victim_rank" >/dev/null
wait_state 3 joined
dmg -j system query --ranks 0,7 | grep -q '"absent_ranks": "7"' || fail "absent rank"
echo "PASS"
