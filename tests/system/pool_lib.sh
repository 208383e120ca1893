# Helpers of the pool system tests: daos_server processes on 127.0.0.1 with
# their storage in a mkdtemp directory, driven with dmg, always stopped by pid.
#   source pool_lib.sh <build dir>
set -euo pipefail

BUILD=$1
export DMG_TIMEOUT=${DMG_TIMEOUT:-20}
# pools need more blob space than the system tests' servers
SYS_BDEV_GB=4
# pool tests check what a stop leaves behind, not the server's exit status
SYS_STOP_ANY_STATUS=1
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$BUILD/src/engine/daos_server" \
	"$BUILD/src/utils/dmg/dmg"

alive() {
	local i
	for i in "$@"; do
		kill -0 "${PIDS[i]}" 2>/dev/null || fail "server $i died"
	done
}

# pool commands go to the access point (server 0); dmg_all reaches every server
dmg() {
	"$DMG" -l "127.0.0.1:${PORTS[0]}" "$@"
}

dmg_all() {
	"$DMG" -l "$HOSTLIST" "$@"
}

# wait_joined <n>: until n members are joined, 30 s at most
wait_joined() {
	wait_state "$1" joined
}

# start_system <n>: n servers formatted and joined
start_system() {
	local n=$1 i
	pick_ports "$n"
	for ((i = 0; i < n; i++)); do
		start_server "$i"
	done
	dmg_all storage format >/dev/null
	wait_joined "$n"
}

# pool files left under every server's storage
pool_files() {
	find "$WORK"/srv*/scm/pools "$WORK"/srv*/bdev/pools -type f 2>/dev/null || true
}

# expect_fail <DER_NAME> <dmg args...>: dmg must fail and name that error
expect_fail() {
	local der=$1 out
	shift
	if out=$(dmg "$@" 2>&1); then
		fail "dmg $* succeeded: $out"
	fi
	echo "$out" | grep -q "$der" || fail "dmg $*: expected $der, got: $out"
}
