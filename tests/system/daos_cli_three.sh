#!/usr/bin/env bash
# The daos tool on three servers: containers in a pool spread over every rank keep their
# properties, attributes and snapshots across a restart of every server; concurrent
# creates and destroys from several daos processes lose or duplicate nothing.
#   daos_cli_three.sh <build dir>
source "$(dirname "$0")/pool_lib.sh" "$1"
DAOS_BIN=$1/src/utils/daos/daos

daos() {
	"$DAOS_BIN" "$@"
}

start_system 3
export DAOS_ACCESS_POINTS=127.0.0.1:${PORTS[0]}
dmg pool create sxb -z 3g >/dev/null

echo "=== create"
out=$(daos cont create sxb --type POSIX sxb --oclass RP_3G1 --properties rd_fac:2 2>&1) || fail "cont create: $out"
daos cont set-attr sxb sxb owner:alice,team:storage
daos cont create-snap sxb sxb --snap s1 >/dev/null
before=$(daos cont query sxb sxb)

echo "=== restart every server"
for i in 0 1 2; do stop_server $i; done
for i in 0 1 2; do start_server $i; done
wait_joined 3
after=$(daos cont query sxb sxb)
echo "$after"
[ "$before" = "$after" ] || fail "query changed across restart: $before"
echo "$after" | grep -q "Object Class *: RP_3G1" || fail "oclass after restart"
daos cont get-prop sxb sxb rd_fac | grep -q rd_fac2 || fail "rd_fac after restart"
daos cont get-attr sxb sxb team | grep -q "^team *storage" || fail "attribute after restart"
daos cont list-snaps sxb sxb | grep -q " s1$" || fail "snapshot after restart"

echo "=== 8 concurrent clients create and destroy"
pids=()
for c in 1 2 3 4 5 6 7 8; do
	(
		for k in 1 2 3; do
			daos cont create sxb "c$c-$k" >/dev/null || exit 1
		done
		daos cont destroy sxb "c$c-2" >/dev/null || exit 1
	) &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || fail "a client failed"
done
list=$(daos cont list sxb)
for c in 1 2 3 4 5 6 7 8; do
	for k in 1 3; do
		[ "$(echo "$list" | grep -c "^  c$c-$k ")" = 1 ] || fail "c$c-$k missing or twice: $list"
	done
	echo "$list" | grep -q "^  c$c-2 " && fail "c$c-2 not destroyed"
done
[ "$(daos -j cont list sxb | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["response"]))')" = 17 ] ||
	fail "expected 17 containers"
dmg pool destroy --force sxb >/dev/null
[ -z "$(pool_files)" ] || fail "files left: $(pool_files)"
alive 0 1 2
echo "PASS"
