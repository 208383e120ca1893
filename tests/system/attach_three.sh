#!/usr/bin/env bash
# Three servers: self_test reaches every context of every rank through the
# access point; libdaos attaches through GetAttachInfo (access point list with
# a dead entry first, or daos_agent.yml) and reaches a pool service that is not
# on the access point through the group map; dmg with a host list whose first
# host is down; a collective pool create with one rank down fails cleanly (no
# files left on the live ranks) and works again once the rank is back.
source "$(dirname "$0")/pool_lib.sh" "$1"
CLIENT=${2:-}

start_system 3
dead_port=$((PORTS[0] + 7))

echo "=== self_test through the access point: every rank, every context"
out=$(DAOS_ACCESS_POINTS=127.0.0.1:${PORTS[0]} timeout 60 "$BUILD/src/cart/self_test" \
	--group-name daos_server --endpoint 0-2:0-2 --message-sizes "(0 0) (b65536 0)" \
	--repetitions 180 --max-inflight-rpcs 9 -j 2>&1)
echo "$out" | grep -q "attached to daos_server through 127.0.0.1:${PORTS[0]}: 3 ranks" ||
	fail "self_test attach: $out"
[ "$(echo "$out" | grep -c '"errors": 0,')" = 2 ] || fail "self_test errors: $out"

echo "=== pool on ranks 1,2 (its service is not on the access point)"
dmg pool create onetwo --ranks 1,2 -z 2g | grep -q "Storage Ranks        : \[1-2\]" ||
	fail "create on ranks 1,2"
dmg -j pool list | grep -q '"svc_reps": \[1\]' || dmg pool list -v

if [ -n "$CLIENT" ]; then
	echo "=== C client: first access point dead, second answers"
	DAOS_ACCESS_POINTS=127.0.0.1:$dead_port,127.0.0.1:${PORTS[0]} "$CLIENT" onetwo
	echo "=== C client: the only access point given is not the management service"
	DAOS_ACCESS_POINTS=127.0.0.1:${PORTS[1]} "$CLIENT" onetwo
	echo "=== C client: access points from daos_agent.yml (every entry tried)"
	cat >"$WORK/daos_agent.yml" <<YML
name: daos_server
port: ${PORTS[0]}
access_points:
  - 127.0.0.1:$dead_port
  - 127.0.0.1
YML
	env -u DAOS_ACCESS_POINTS PDAOS_AGENT_CONFIG="$WORK/daos_agent.yml" "$CLIENT" onetwo
fi

echo "=== one server down (not the access point): dmg still works"
stop_server 2
list="127.0.0.1:${PORTS[2]},127.0.0.1:${PORTS[1]},127.0.0.1:${PORTS[0]}"
t0=$SECONDS
"$DMG" -l "$list" system leader-query | grep -q "127.0.0.1:${PORTS[0]}" || fail "leader-query"
"$DMG" -l "$list" system query -v | grep -qi "unresponsive" || fail "system query"
"$DMG" -l "$list" pool list | grep -q "^onetwo" || fail "pool list"
[ $((SECONDS - t0)) -lt 30 ] || fail "dmg took $((SECONDS - t0)) s with a host down"
# a host that hangs (stopped, its socket still accepts): the next one answers, no wait
kill -STOP "${PIDS[1]}"
t0=$SECONDS
out=$(DMG_TIMEOUT=20 "$DMG" -l "127.0.0.1:${PORTS[1]},127.0.0.1:${PORTS[0]}" system leader-query 2>&1) ||
	{ kill -CONT "${PIDS[1]}"; fail "leader-query with a hung host: $out"; }
kill -CONT "${PIDS[1]}"
[ $((SECONDS - t0)) -lt 8 ] || fail "leader-query waited $((SECONDS - t0)) s for a hung host"
# every listed host down: a clear error
if out=$("$DMG" -l "127.0.0.1:${PORTS[2]},127.0.0.1:$dead_port" system leader-query 2>&1); then
	fail "leader-query with no server succeeded: $out"
fi
echo "$out" | grep -q "DER_UNREACH" || fail "no DER_UNREACH: $out"

echo "=== collective create with a rank down: fails, nothing left on the live ranks"
before=$(pool_files | sort)
if out=$(DMG_TIMEOUT=60 dmg pool create down -z 3g 2>&1); then
	fail "create with a rank down succeeded: $out"
fi
echo "$out"
alive 0 1
dmg pool list | grep -q "^down" && fail "a failed create left a pool"
[ "$(pool_files | sort)" = "$before" ] || fail "leftover files: $(pool_files)"

echo "=== rank back: collective create across all ranks, destroy everywhere"
start_server 2
wait_joined 3
dmg pool create all3 -z 3g | grep -q "Storage Ranks        : \[0-2\]" || fail "create all3"
dmg pool query all3 | grep -q "ntarget=6, disabled=0" || fail "all3: 6 targets"
dmg pool destroy all3 >/dev/null
dmg pool destroy onetwo >/dev/null
[ -z "$(pool_files)" ] || fail "files left: $(pool_files)"
alive 0 1 2
echo "PASS"
