#!/usr/bin/env bash
# Bad configurations are refused with the key and the line; dmg without a server
# fails fast with DAOS's error name; unknown dmg commands fail.
source "$(dirname "$0")/lib.sh" "$1" "$2"

# expect_reject <name> <yaml> <text the message must contain>...
expect_reject() {
	local name=$1 yaml=$2 out rc
	shift 2
	printf '%s\n' "$yaml" >"$WORK/$name.yml"
	set +e
	out=$(timeout 10 "$SERVER" start -o "$WORK/$name.yml" --storage "$WORK/st" 2>&1)
	rc=$?
	set -e
	[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "$name: exit $rc: $out"
	for w in "$@"; do
		echo "$out" | grep -qF -- "$w" || fail "$name: message lacks \"$w\": $out"
	done
	echo "ok: $name: $(echo "$out" | head -1)"
}

expect_reject syntax 'name: [daos' "syntax.yml:" "YAML syntax error"
expect_reject unknown $'name: x\nport: 10001\nfrobnicate: 3' "unknown.yml:3:" '"frobnicate"'
expect_reject bad_port $'port: 70000' "bad_port.yml:1:" "port"
expect_reject bad_targets $'engines:\n  - targets: lots' "bad_targets.yml:2:" "targets"
expect_reject engine_key $'engines:\n  - targets: 2\n    fabric_ifaec: lo' "engine_key.yml:3:" \
	'"fabric_ifaec"'
expect_reject tier $'engines:\n  - storage:\n      - class: nvme\n        bdev_list: [/x]' \
	"tier.yml:3:" "class"
[ -d "$WORK/st" ] && fail "a rejected config created storage"
if "$SERVER" start -o "$WORK/none.yml" >"$WORK/o" 2>&1; then fail "missing config accepted"; fi
grep -q "cannot open" "$WORK/o" || fail "missing config: $(cat "$WORK/o")"
if "$SERVER" stat >"$WORK/o" 2>&1; then fail "unknown subcommand accepted"; fi

echo "=== dmg without a server"
pick_ports 1
start=$SECONDS
set +e
out=$("$DMG" -l "127.0.0.1:${PORTS[0]}" system query 2>&1)
rc=$?
set -e
[ $rc -ne 0 ] || fail "dmg succeeded without a server"
[ $((SECONDS - start)) -le 5 ] || fail "dmg took $((SECONDS - start)) s"
echo "$out" | grep -q "DER_UNREACH" || fail "dmg error: $out"
echo "ok: $out"
set +e
out=$("$DMG" -j -l "127.0.0.1:${PORTS[0]}" storage scan 2>&1)
rc=$?
set -e
[ $rc -ne 0 ] || fail "dmg -j succeeded without a server"
echo "$out" | grep -q '"status": -1006' || fail "JSON error: $out"
if "$DMG" pool frobnicate >/dev/null 2>&1; then fail "unknown command accepted"; fi
echo "PASS"
