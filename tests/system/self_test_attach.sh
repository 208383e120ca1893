#!/usr/bin/env bash
# self_test against a running daos_server (1 rank, 2 targets), attached through
# the access point (GetAttachInfo, no --path): every context of the rank answers
# the self-test RPCs, inline and bulk; a dead access point first in the list is
# skipped; no system at all is a clear failure.
source "$(dirname "$0")/lib.sh" "$1" "$2"
SELF_TEST=$3

pick_ports 1
start_server 0
dmg storage format >/dev/null
wait_state 1 joined

echo "=== self_test through the access point: rank 0, contexts 0-2"
out=$(DAOS_ACCESS_POINTS=127.0.0.1:$((PORTS[0] + 7)),127.0.0.1:${PORTS[0]} timeout 60 \
	"$SELF_TEST" --group-name daos_server --endpoint 0:0-2 \
	--message-sizes "(0 0) i4096 (b1048576 0) (0 b1048576)" --repetitions 200 \
	--max-inflight-rpcs 8 -j 2>"$WORK/st.err")
cat "$WORK/st.err"
echo "$out"
grep -q "attached to daos_server through 127.0.0.1:${PORTS[0]}: 1 ranks" "$WORK/st.err" ||
	fail "no attach line"
# -j: stdout is JSON only
echo "$out" | head -1 | grep -q '^\[$' || fail "stdout is not JSON"
[ "$(echo "$out" | grep -c '"errors": 0,')" = 4 ] || fail "errors or missing sizes"

echo "=== daos_agent.yml instead of the environment"
cat >"$WORK/agent.yml" <<YML
access_points: ["127.0.0.1:${PORTS[0]}"]
YML
out=$(env -u DAOS_ACCESS_POINTS PDAOS_AGENT_CONFIG="$WORK/agent.yml" timeout 60 "$SELF_TEST" \
	--group-name daos_server --endpoint 0:1 --message-sizes "(0 0)" --repetitions 100 2>&1)
echo "$out" | grep -q "attached" || fail "agent config: $out"

echo "=== no system: fails within seconds"
t0=$SECONDS
if DAOS_ACCESS_POINTS=127.0.0.1:$((PORTS[0] + 7)) timeout 30 "$SELF_TEST" \
	--group-name daos_server --endpoint 0:0 --repetitions 10 2>/dev/null; then
	fail "self_test without a system succeeded"
fi
[ $((SECONDS - t0)) -lt 15 ] || fail "took $((SECONDS - t0)) s"
echo "PASS"
