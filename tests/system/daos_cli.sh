#!/usr/bin/env bash
# The daos tool end to end on one server: every dmg and daos command of the docs tour
# and the seed notes exactly as typed, the pool commands, every container command
# (create forms, list, query, properties, attributes, snapshots, ACL, destroy), JSON
# output and the errors of bad input.
#   daos_cli.sh <build dir>
source "$(dirname "$0")/pool_lib.sh" "$1"
DAOS_BIN=$1/src/utils/daos/daos

daos() {
	"$DAOS_BIN" "$@"
}

# expect_daos_fail <DER_NAME> <daos args...>: non-zero exit naming that error and its text
expect_daos_fail() {
	local der=$1 out
	shift
	if out=$(daos "$@" 2>&1); then
		fail "daos $* succeeded: $out"
	fi
	echo "$out" | grep -q "^ERROR: daos: .*$der(-[0-9]*): '" || fail "daos $*: expected $der, got: $out"
}

# jq-like checks: json_get <json> <python expression on r (the response)>
json_get() {
	python3 -c 'import json,sys,base64; d=json.load(sys.stdin); r=d["response"]; '"print($2)" <<<"$1"
}

# grep_out <output> <pattern> <what>
grep_out() {
	echo "$1" | grep -q -- "$2" || { echo "$1"; fail "$3: no '$2'"; }
}

echo "=== dmg commands of the tour, as typed"
pick_ports 1
start_server 0
dmg -i storage format
wait_joined 1
dmg system query -v
dmg sys leader-query
dmg pool create sxb -z 4g
dmg pool list --verbose
dmg pool query sxb
export DAOS_ACCESS_POINTS=127.0.0.1:${PORTS[0]}
pool_uuid=$(dmg -j pool query sxb | sed -n 's/.*"uuid": "\(.*\)".*/\1/p' | head -1)
[ -n "$pool_uuid" ] || fail "no pool uuid"

echo "=== daos pool"
out=$(daos pool query sxb)
grep_out "$out" "^Pool $pool_uuid, ntarget=2, disabled=0" "pool query"
grep_out "$out" "Rebuild idle" "pool query"
js=$(daos -j pool query sxb)
[ "$(json_get "$js" 'r["uuid"], r["label"], r["total_targets"], d["status"]')" = \
	"$pool_uuid sxb 2 0" ] || fail "pool query -j: $js"
daos pool query "$pool_uuid" | grep -q "^Pool $pool_uuid" || fail "pool query by uuid"
daos pool get-prop sxb | grep -q "Pool label (label) *sxb" || fail "pool get-prop"
daos pool get-prop sxb label | grep -q "sxb" || fail "pool get-prop label"
daos pool set-attr sxb owner:alice,team:storage
daos pool set-attr sxb key "a value"
out=$(daos pool list-attrs sxb)
grep_out "$out" "^Attributes for pool sxb:" "pool list-attrs"
grep_out "$out" "^team" "pool list-attrs"
daos pool list-attrs sxb -v | grep -q "^key *a value" || fail "pool list-attrs -v"
daos pool list-attr sxb --verbose | grep -q "^owner *alice" || fail "pool list-attr alias"
daos pool get-attr sxb owner | grep -q "^owner *alice" || fail "pool get-attr"
js=$(daos -j pool get-attr sxb owner,team)
[ "$(json_get "$js" '",".join(a["name"]+"="+base64.b64decode(a["value"]).decode() for a in r)')" = \
	"owner=alice,team=storage" ] || fail "pool get-attr -j: $js"
daos pool del-attr sxb owner
expect_daos_fail DER_NONEXIST pool get-attr sxb owner
expect_daos_fail DER_NONEXIST pool query nosuch
expect_daos_fail DER_NONEXIST pool list-attrs nosuch
expect_daos_fail DER_INVAL pool set-attr sxb novalue
expect_daos_fail DER_INVAL pool set-attr sxb :v
expect_daos_fail DER_INVAL pool query
expect_daos_fail DER_INVAL pool query sxb --oclass S1
js=$(daos -j pool query nosuch 2>&1) && fail "pool query -j nosuch succeeded"
[ "$(json_get "$js" 'd["status"]')" = -1005 ] || fail "JSON status: $js"
daos pool nosuch-cmd sxb 2>/dev/null && fail "unknown command accepted"
daos nosuch 2>/dev/null && fail "unknown group accepted"

echo "=== daos cont create sxb --type POSIX sxb"
out=$(daos cont create sxb --type POSIX sxb 2>&1) || fail "cont create: $out"
echo "$out"
grep_out "$out" "^Successfully created container" "create"
grep_out "$out" "Container Label *: sxb" "create"
grep_out "$out" "Container Type *: POSIX" "create"
cont_uuid=$(echo "$out" | sed -n 's/.*Container UUID *: \(.*\)/\1/p')

echo "=== daos cont list sxb --verbose"
out=$(daos cont list sxb --verbose)
echo "$out"
grep_out "$out" "^Containers in pool sxb:" "list"
grep_out "$out" "sxb *$cont_uuid *POSIX" "list -v"
daos pool list-containers sxb | grep -q "$cont_uuid" || fail "pool list-containers"
daos pool list-conts sxb | grep -q "$cont_uuid" || fail "pool list-conts"
daos pool list-cont sxb | grep -q "$cont_uuid" || fail "pool list-cont"
js=$(daos -j cont list sxb)
[ "$(json_get "$js" 'r[0]["uuid"], r[0]["label"]')" = "$cont_uuid sxb" ] || fail "list -j: $js"

echo "=== daos cont query sxb sxb --verbose"
for form in "cont query sxb sxb --verbose" "container query sxb sxb --verbose" \
	"container --verbose query -p sxb -c sxb" "cont query --pool sxb --cont sxb -v"; do
	out=$(daos $form)
	echo "$out"
	for f in "Container UUID *: $cont_uuid" "Container Label *: sxb" "Container Type *: POSIX" \
		"Pool UUID *: $pool_uuid" "Container redundancy factor : 0" \
		"Number of open handles *: [0-9]" "Latest open time *: 0x" \
		"Latest close/modify time *: 0x" "Number of snapshots *: 0" \
		"Object Class *: UNKNOWN" "Dir Object Class *: UNKNOWN" "Chunk Size *: 1.0 MiB"; do
		grep_out "$out" "^  $f" "daos $form"
	done
done
out=$(daos cont query sxb sxb)
grep_out "$out" "Container Type *: POSIX" "query"
echo "$out" | grep -q "open time" && fail "query without --verbose shows times"
daos cont query sxb "$cont_uuid" | grep -q "Container Label *: sxb" || fail "query by uuid"
js=$(daos -j cont query sxb sxb)
[ "$(json_get "$js" 'r["container_uuid"], r["container_label"], r["container_type"], r["pool_uuid"], r["redundancy_factor"], r["num_snapshots"], r["chunk_size"]')" = \
	"$cont_uuid sxb POSIX $pool_uuid 0 0 1048576" ] || fail "query -j: $js"

echo "=== daos cont get-prop sxb sxb"
out=$(daos cont get-prop sxb sxb)
echo "$out"
grep_out "$out" "^Properties for container sxb" "get-prop"
grep_out "$out" "^Label (label) *sxb" "get-prop"
grep_out "$out" "^Layout Type (layout_type) *POSIX (1)" "get-prop"
grep_out "$out" "^Redundancy Factor (rd_fac) *rd_fac0" "get-prop"
grep_out "$out" "^Access Control List (acl) *A::OWNER@:rwdtTaAo" "get-prop"
daos cont get-prop sxb sxb --properties label,rd_fac | grep -q "^Label (label) *sxb" ||
	fail "get-prop --properties"
[ "$(daos cont get-prop sxb sxb label,layout_type | grep -c '(')" = 2 ] || fail "get-prop names"
js=$(daos -j cont get-prop sxb sxb label)
[ "$(json_get "$js" 'r[0]["name"], r[0]["value"]')" = "label sxb" ] || fail "get-prop -j: $js"
expect_daos_fail DER_INVAL cont get-prop sxb sxb nosuch

echo "=== set-prop"
daos cont set-prop sxb sxb --properties label:sxb2 | grep -q "successfully" || fail "set-prop"
daos cont query sxb sxb2 | grep -q "Container Label *: sxb2" || fail "set-prop label"
expect_daos_fail DER_NONEXIST cont query sxb sxb
daos cont set-prop sxb sxb2 label:sxb >/dev/null
expect_daos_fail DER_INVAL cont set-prop sxb sxb --properties nosuch:1
expect_daos_fail DER_INVAL cont set-prop sxb sxb --properties "label:bad label!"
expect_daos_fail DER_INVAL cont set-prop sxb sxb
daos cont set-prop sxb sxb status:healthy >/dev/null || fail "set-prop status"

echo "=== attributes"
daos cont set-attr sxb sxb owner:alice,team:storage
daos cont set-attr sxb sxb key "a value"
daos cont set-attr sxb sxb --attr old --value style
out=$(daos cont list-attrs sxb sxb)
grep_out "$out" "^Attributes for container sxb:" "list-attrs"
[ "$(echo "$out" | grep -c -E '^(owner|team|key|old) *$')" = 4 ] || { echo "$out"; fail "list-attrs names"; }
echo "$out" | grep -q pdaos && fail "internal attributes listed"
out=$(daos cont list-attrs sxb sxb -v)
grep_out "$out" "^key *a value" "list-attrs -v"
grep_out "$out" "^old *style" "list-attrs -v"
daos cont get-attr sxb sxb team | grep -q "^team *storage" || fail "get-attr"
js=$(daos -j cont get-attr sxb sxb owner)
[ "$(json_get "$js" 'base64.b64decode(r[0]["value"]).decode()')" = alice ] || fail "get-attr -j: $js"
daos cont del-attr sxb sxb owner,old
expect_daos_fail DER_NONEXIST cont get-attr sxb sxb owner
daos cont list-attrs sxb sxb | grep -q "^owner" && fail "del-attr"
expect_daos_fail DER_INVAL cont set-attr sxb sxb novalue

echo "=== snapshots"
out=$(daos cont create-snap sxb sxb)
grep_out "$out" "^snapshot/epoch 0x[0-9a-f]* has been created" "create-snap"
e1=$(echo "$out" | sed -n 's/snapshot\/epoch \(0x[0-9a-f]*\).*/\1/p')
daos cont create-snap sxb sxb --snap s2 >/dev/null
js=$(daos -j cont create-snap sxb sxb -s s3)
e3=$(json_get "$js" 'r["epoch"]')
out=$(daos cont list-snaps sxb sxb)
echo "$out"
grep_out "$out" "^$e1$" "list-snaps"
grep_out "$out" " s2$" "list-snaps"
daos cont query sxb sxb | grep -q "Number of snapshots *: 3" || fail "query snapshots"
daos cont query sxb sxb | grep -q "Latest Persistent Snapshot *: $(printf '%#x' "$e3")" ||
	fail "latest snapshot"
js=$(daos -j cont list-snap sxb sxb)
[ "$(json_get "$js" 'len(r)')" = 3 ] || fail "list-snap -j: $js"
daos cont destroy-snap sxb sxb --snap s2
daos cont destroy-snap sxb sxb --epc "$e1"
daos cont list-snaps sxb sxb | grep -q "s2\|^$e1$" && fail "destroy-snap"
daos cont create-snap sxb sxb >/dev/null
daos cont destroy-snap sxb sxb --epcrange 1-0xffffffffffffffff
[ "$(daos -j cont list-snaps sxb sxb | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["response"]))')" = 0 ] ||
	fail "destroy-snap --epcrange"
expect_daos_fail DER_INVAL cont destroy-snap sxb sxb
expect_daos_fail DER_INVAL cont destroy-snap sxb sxb --epcrange 9-1
expect_daos_fail DER_NONEXIST cont destroy-snap sxb sxb --snap nosuch

echo "=== ACL"
daos cont get-acl sxb sxb | grep -q "^A::OWNER@:rwdtTaAo" || fail "get-acl"
daos cont update-acl sxb sxb --entry A::bob@:r | grep -q "^A::bob@:r" || fail "update-acl"
daos cont delete-acl sxb sxb --principal u:bob@ | grep -q "bob@" && fail "delete-acl"
printf '# owner and group\nA::OWNER@:rwdtTaAo\nA:G:GROUP@:rwtT\nA::EVERYONE@:r\n' >"$WORK/acl"
daos cont overwrite-acl sxb sxb --acl-file "$WORK/acl" | grep -q "^A::EVERYONE@:r" ||
	fail "overwrite-acl"
daos cont get-acl sxb sxb --outfile "$WORK/acl2" | grep -q "Wrote ACL" || fail "get-acl -o"
grep -q "^A::EVERYONE@:r" "$WORK/acl2" || fail "ACL file"
daos cont overwrite-acl sxb sxb --acl-file "$WORK/acl2" >/dev/null || fail "ACL file round trip"
js=$(daos -j cont get-acl sxb sxb)
[ "$(json_get "$js" '"A::EVERYONE@:r" in r["acl"]')" = True ] || fail "get-acl -j: $js"
expect_daos_fail DER_INVAL cont update-acl sxb sxb --entry "not an ace"
expect_daos_fail DER_INVAL cont delete-acl sxb sxb --principal "nobody"

echo "=== destroy; the older create forms"
daos cont destroy sxb sxb | grep -q "Successfully destroyed container sxb" || fail "destroy"
expect_daos_fail DER_NONEXIST cont query sxb sxb
daos container create --pool sxb --type POSIX --label sxb | grep -q "Container Label *: sxb" ||
	fail "older flag form"
daos container destroy sxb sxb >/dev/null
out=$(daos cont create --oclass=RP_3GX --properties=rf:1 --type POSIX --pool sxb --label sxb)
echo "$out"
out=$(daos cont query sxb sxb --verbose)
grep_out "$out" "Object Class *: RP_3GX" "--oclass"
grep_out "$out" "Container redundancy factor : 1" "rf:1"
daos cont get-prop sxb sxb rd_fac | grep -q "rd_fac1" || fail "rd_fac property"
daos cont create sxb c2 --type POSIX --oclass SX --dir-oclass S1 --file-oclass EC_2P1G1 \
	--chunk-size 4MiB --properties cksum:crc32 >/dev/null
out=$(daos cont query sxb c2 --verbose)
grep_out "$out" "Object Class *: SX" "c2 oclass"
grep_out "$out" "Dir Object Class *: S1" "c2 dir oclass"
grep_out "$out" "File Object Class *: EC_2P1G1" "c2 file oclass"
grep_out "$out" "Chunk Size *: 4.0 MiB" "c2 chunk"
daos cont get-prop sxb c2 cksum | grep -q crc32 || fail "c2 cksum"
daos cont create sxb c3 --type HDF5 | grep -q "Container Type *: HDF5" || fail "HDF5"
js=$(daos -j cont create sxb --type PYTHON --properties label:c4)
[ "$(json_get "$js" 'r["container_label"], r["container_type"]')" = "c4 PYTHON" ] ||
	fail "create -j: $js"
uuid5=$(daos -j cont create sxb | python3 -c 'import json,sys; print(json.load(sys.stdin)["response"]["container_uuid"])')
daos cont query sxb "$uuid5" | grep -q "Container Type *: unknown" || fail "unlabeled container"

echo "=== bad input"
expect_daos_fail DER_EXIST cont create sxb sxb
expect_daos_fail DER_NONEXIST cont create nosuch c9
expect_daos_fail DER_NONEXIST cont query nosuch sxb
expect_daos_fail DER_NONEXIST cont query sxb nosuch
expect_daos_fail DER_NONEXIST cont destroy sxb nosuch
expect_daos_fail DER_NONEXIST cont get-prop sxb nosuch
expect_daos_fail DER_NONEXIST cont set-attr sxb nosuch k:v
expect_daos_fail DER_INVAL cont create sxb c9 --properties rd_fac:9
expect_daos_fail DER_INVAL cont create sxb c9 --properties nosuch:1
expect_daos_fail DER_INVAL cont create sxb c9 --type POSIX --oclass BOGUS
expect_daos_fail DER_INVAL cont create sxb c9 --type NOPE
expect_daos_fail DER_INVAL cont create sxb c9 --properties label:c10
expect_daos_fail DER_INVAL cont create sxb "bad label!"
expect_daos_fail DER_INVAL cont create sxb "$(printf 'x%.0s' $(seq 1 200))"
expect_daos_fail DER_INVAL cont create sxb c9 --type POSIX --oclass S1 --properties rd_fac:1
expect_daos_fail DER_INVAL cont query sxb
expect_daos_fail DER_INVAL cont create
expect_daos_fail DER_INVAL cont query sxb sxb --nosuch
daos cont list sxb | grep -q "^  c9 " && fail "a failed create left a container"

echo "=== destroy everything"
for c in sxb c2 c3 c4 "$uuid5"; do
	daos cont destroy sxb "$c" --force >/dev/null || fail "destroy $c"
done
daos cont list sxb | grep -q "^No containers." || fail "containers left"
[ "$(daos -j cont list sxb | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["response"]))')" = 0 ] ||
	fail "list -j empty"
dmg pool destroy sxb >/dev/null
alive 0
echo "PASS"
