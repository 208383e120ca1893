#!/usr/bin/env bash
# crt_test_server with two contexts + self_test over tcp;ofi_rxm on 127.0.0.1:
# every size must complete without errors and the JSON output must parse.
set -euo pipefail
server=$1
self_test=$2
dir=$(mktemp -d /tmp/cart_st.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT
export D_INTERFACE=lo D_PROVIDER="ofi+tcp;ofi_rxm"
"$server" --group-name st_group --contexts 2 --attach-info-path "$dir" >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -f "$dir/st_group.attach_info_tmp" ] && break
	sleep 0.1
done
[ -f "$dir/st_group.attach_info_tmp" ] || { echo "server did not start"; cat "$dir/server.log"; exit 1; }
timeout 60 "$self_test" --group-name st_group --path "$dir" --endpoint 0:0-1 \
	--message-sizes "(0 0) (b1048576 0) (0 b1048576) i2048 (b100 0) (0 b100) b65536" \
	--max-inflight-rpcs 8 --repetitions 200 -j >"$dir/out.json"
cat "$dir/out.json"
python3 - "$dir/out.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 7, rows
for r in rows:
    assert r["errors"] == 0, r
    assert r["repetitions"] == 200, r
    assert 0 < r["latency_us"]["min"] <= r["latency_us"]["p50"] <= r["latency_us"]["max"], r
PY
# one buffer per RPC on the client, both directions in one RPC: 16 in flight
# wait for the server's bulk buffer of each context, in order
timeout 60 "$self_test" --group-name st_group --path "$dir" --endpoint 0:0-1 \
	--message-sizes "(b262144 b262144) (b3000 b70000)" --bulk-buffers 0 \
	--max-inflight-rpcs 16 --repetitions 300 -j >"$dir/out2.json"
python3 - "$dir/out2.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 2, rows
for r in rows:
    assert r["errors"] == 0 and r["repetitions"] == 300, r
PY
timeout 30 "$self_test" --group-name st_group --path "$dir" --endpoint 0:0 \
	--message-sizes "0" --repetitions 10 --shutdown >/dev/null
wait "$pid"
pid=
echo OK
