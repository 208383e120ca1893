#!/usr/bin/env bash
# One server: scan, format, join, query (text and JSON), leader query, log masks,
# metrics endpoint, system stop/start, restart on formatted storage, erase + reformat.
source "$(dirname "$0")/lib.sh" "$1" "$2"

pick_ports 1
start_server 0
p=${PORTS[0]}

echo "=== scan before format"
dmg storage scan | grep -q "127.0.0.1:$p" || fail "scan lacks the host"
dmg -j storage scan | grep -q '"formatted": false' || fail "scan: not formatted expected"
dmg system query && fail "query before format must fail"

echo "=== format and join"
dmg -i storage format
wait_state 1 joined
dmg system query -v
dmg system query | grep -q "^0 .*Joined" || fail "compact query"
out=$(dmg -j system query)
echo "$out" | grep -q '"rank": 0' || fail "JSON rank"
echo "$out" | grep -q "\"addr\": \"127.0.0.1:$p\"" || fail "JSON addr"
echo "$out" | grep -q '"status": 0' || fail "JSON status"
uuid=$(echo "$out" | sed -n 's/.*"uuid": "\(.*\)".*/\1/p')
[ -n "$uuid" ] || fail "no uuid"
dmg -j storage scan | grep -q '"formatted": true' || fail "scan: formatted expected"

echo "=== a second format is refused"
if dmg storage format >"$WORK/f2" 2>&1; then fail "second format succeeded"; fi
grep -q DER_EXIST "$WORK/f2" || fail "second format: $(cat "$WORK/f2")"

echo "=== leader query, log masks"
dmg sys leader-query | grep -q "Current Leader: 127.0.0.1:$p" || fail "leader query"
dmg server set-logmasks -m "ERR,mgmt=DEBUG" | grep -q "mgmt=DEBUG" || fail "set-logmasks"
dmg server set-logmasks >/dev/null || fail "set-logmasks reset"

echo "=== metrics"
exec 3<>/dev/tcp/127.0.0.1/$((p + 8))
printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
metrics=$(cat <&3)
exec 3<&-
echo "$metrics" | grep -q "200 OK" || fail "metrics status"
echo "$metrics" | grep -q "^engine_uptime " || fail "no uptime"
echo "$metrics" | grep -q "^engine_net_rpc_mgmt_op_2_count [1-9]" || fail "no RPC count"
echo "$metrics" | grep -q "^engine_net_rpc_mgmt_op_2_latency_mean " || fail "no RPC latency"
echo "$metrics" | grep -q "^engine_target_tgt_1_rpc_count " || fail "no per-target counter"

echo "=== system stop / start"
dmg system stop | grep -q "stop .*OK" || fail "stop"
wait_state 1 stopped
dmg system start | grep -q "start .*OK" || fail "start"
wait_state 1 joined

echo "=== restart on formatted storage: same rank and UUID"
stop_server 0
start_server 0
wait_state 1 joined
[ "$(rank_of "$uuid")" = 0 ] || fail "rank changed after restart"

echo "=== erase needs a stopped system, then format again"
if dmg system erase >"$WORK/e" 2>&1; then fail "erase of a running system"; fi
grep -q DER_BUSY "$WORK/e" || fail "erase: $(cat "$WORK/e")"
dmg system stop >/dev/null
dmg system erase
dmg -j storage scan | grep -q '"formatted": false' || fail "erase left the superblock"
dmg storage format
wait_state 1 joined
[ -z "$(rank_of "$uuid")" ] || fail "old UUID still a member"
echo "PASS"
