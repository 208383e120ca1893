#!/usr/bin/env bash
# One server: the container API end to end (C client), bad input, a stranger uid refused,
# containers with their properties/attributes/snapshots surviving a restart, destroy.
source "$(dirname "$0")/pool_lib.sh" "$1"
CLIENT=${2:?cont_client_test path}
export DAOS_ACCESS_POINTS

start_system 1
DAOS_ACCESS_POINTS=127.0.0.1:${PORTS[0]}
dmg pool create tank -z 1g >/dev/null

echo "=== the whole API"
timeout 120 "$CLIENT" tank

echo "=== a stranger uid"
"$CLIENT" --create tank mine
# everyone may connect read-only; the container ACL grants the stranger nothing
dmg pool update-acl tank -e A::EVERYONE@:r >/dev/null
ASAN_OPTIONS=detect_leaks=0 timeout 60 "$CLIENT" --expect-no-perm tank mine
# with A::EVERYONE@:r on the container: reading only
"$CLIENT" --grant-read tank mine
ASAN_OPTIONS=detect_leaks=0 timeout 60 "$CLIENT" --expect-read-only tank mine

echo "=== restart keeps containers, properties, attributes, snapshots"
"$CLIENT" --create tank kept
stop_server 0
start_server 0
wait_joined 1
timeout 60 "$CLIENT" --check tank kept
timeout 60 "$CLIENT" --check tank mine
timeout 60 "$CLIENT" --count tank kept 1

echo "=== rates (reported, not asserted)"
timeout 120 "$CLIENT" --bench tank "${CONT_BENCH_N:-50}"

echo "=== pool destroy takes the containers along"
dmg pool destroy --force tank >/dev/null
[ -z "$(pool_files)" ] || fail "files left: $(pool_files)"
alive 0
echo "PASS"
