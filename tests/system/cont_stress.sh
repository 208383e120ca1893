#!/usr/bin/env bash
# Eight client processes create, open, close and destroy containers in one pool at once;
# then every container that should be there is, once, and no other.
source "$(dirname "$0")/pool_lib.sh" "$1"
CLIENT=${2:?cont_client_test path}
NPROC=8
PER=${CONT_STRESS_PER:-6}
export DAOS_ACCESS_POINTS

start_system 1
DAOS_ACCESS_POINTS=127.0.0.1:${PORTS[0]}
dmg pool create busy -z 1g >/dev/null

echo "=== $NPROC clients x $PER containers"
declare -a CPIDS=()
t0=$SECONDS
for ((p = 0; p < NPROC; p++)); do
	timeout 180 "$CLIENT" --stress busy "$p" "$PER" >"$WORK/client.$p" 2>&1 &
	CPIDS[p]=$!
done
st=0
for ((p = 0; p < NPROC; p++)); do
	wait "${CPIDS[p]}" || { st=1; echo "client $p failed:"; cat "$WORK/client.$p"; }
done
[ $st = 0 ] || fail "a client failed"
echo "$NPROC clients done in $((SECONDS - t0)) s"
[ "$(cat "$WORK"/client.* | grep -c "won shared")" = 1 ] || fail "not exactly one creator of shared"

# each client keeps its even-numbered containers
keep=$(((PER + 1) / 2))
timeout 60 "$CLIENT" --count busy s $((NPROC * keep + 1))
for ((p = 0; p < NPROC; p++)); do
	timeout 60 "$CLIENT" --count busy "s$p-" "$keep" >/dev/null
done

dmg pool destroy --force busy >/dev/null
alive 0
echo "PASS"
