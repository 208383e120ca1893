#!/usr/bin/env bash
# Three servers: the container API on a pool across all ranks and on a pool whose service
# is not on the access point; restart of every server keeps containers with their
# properties, attributes and snapshots.
source "$(dirname "$0")/pool_lib.sh" "$1"
CLIENT=${2:?cont_client_test path}
export DAOS_ACCESS_POINTS

start_system 3
DAOS_ACCESS_POINTS=127.0.0.1:${PORTS[0]}
dmg pool create wide -z 3g >/dev/null
dmg pool create side --ranks 1,2 -z 2g >/dev/null

echo "=== the whole API, both pools"
timeout 120 "$CLIENT" wide
timeout 120 "$CLIENT" side
"$CLIENT" --create wide kept-wide
"$CLIENT" --create side kept-side

echo "=== restart every server"
for i in 0 1 2; do stop_server $i; done
for i in 0 1 2; do start_server $i; done
wait_joined 3
timeout 60 "$CLIENT" --check wide kept-wide
timeout 60 "$CLIENT" --check side kept-side
timeout 60 "$CLIENT" --count wide kept 1
timeout 60 "$CLIENT" --count side kept 1

dmg pool destroy --force wide >/dev/null
dmg pool destroy --force side >/dev/null
[ -z "$(pool_files)" ] || fail "files left: $(pool_files)"
alive 0 1 2
echo "PASS"
