# Helpers of the pool system tests: daos_server processes on 127.0.0.1 with
# their storage in a mkdtemp directory, driven with dmg, always stopped by pid.
#   source pool_lib.sh <build dir>
set -euo pipefail

BUILD=$1
SERVER=$BUILD/src/engine/daos_server
DMG=$BUILD/src/utils/dmg/dmg
WORK=$(mktemp -d /tmp/pdaos-pooltest.XXXXXX)
declare -a PIDS=()
declare -a PORTS=()
HOSTLIST=""
export DMG_TIMEOUT=${DMG_TIMEOUT:-20}
export D_LOG_MASK=${D_LOG_MASK:-ERR}

cleanup() {
	local rc=$? pid i
	for pid in "${PIDS[@]}"; do
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		[ -z "$pid" ] && continue
		for i in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# a sanitizer report of a server fails the test even if every check passed
	if grep -l -e "ERROR: AddressSanitizer" -e "ERROR: LeakSanitizer" -e "runtime error:" \
		"$WORK"/out.* 2>/dev/null; then
		echo "FAIL: sanitizer report in a server's output"
		[ $rc -eq 0 ] && rc=1
	fi
	if [ $rc -ne 0 ]; then
		echo "--- FAILED (rc $rc); server outputs and logs:"
		tail -n 30 "$WORK"/out.* "$WORK"/srv*/engine.log 2>/dev/null || true
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

port_free() {
	! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null
}

# pick_ports <n>: a base port per server with its target ports free
pick_ports() {
	local n=$1 base i j ok
	for _ in $(seq 1 50); do
		base=$((23000 + (RANDOM % 300) * 40))
		ok=1
		for ((i = 0; i < n; i++)); do
			for j in 0 1 2 3; do
				port_free $((base + i * 10 + j)) || ok=0
			done
		done
		if [ $ok = 1 ]; then
			for ((i = 0; i < n; i++)); do
				PORTS[i]=$((base + i * 10))
			done
			HOSTLIST=$(for ((i = 0; i < n; i++)); do printf '127.0.0.1:%d,' "${PORTS[i]}"; done)
			HOSTLIST=${HOSTLIST%,}
			return 0
		fi
	done
	fail "no free ports"
}

write_config() {
	local i=$1 p=${PORTS[$1]}
	mkdir -p "$WORK/srv$i"
	cat >"$WORK/srv$i/daos_server.yml" <<YML
name: daos_server
port: $p
access_points: ["127.0.0.1:${PORTS[0]}"]
provider: "ofi+tcp;ofi_rxm"
engines:
  - targets: 2
    fabric_iface: 127.0.0.1
    fabric_iface_port: $((p + 1))
    log_file: $WORK/srv$i/engine.log
    storage:
      - class: ram
        scm_mount: $WORK/srv$i/scm
        scm_size: 1
      - class: file
        bdev_list: ["$WORK/srv$i/bdev"]
        bdev_size: 4
YML
}

wait_port() {
	local port=$1 pid=$2
	for _ in $(seq 1 100); do
		port_free "$port" || return 0
		kill -0 "$pid" 2>/dev/null || fail "server on port $port exited"
		sleep 0.1
	done
	fail "server on port $port did not start"
}

start_server() {
	local i=$1
	[ -f "$WORK/srv$i/daos_server.yml" ] || write_config "$i"
	"$SERVER" start -o "$WORK/srv$i/daos_server.yml" >>"$WORK/out.$i" 2>&1 &
	PIDS[i]=$!
	wait_port "${PORTS[i]}" "${PIDS[i]}"
}

stop_server() {
	local i=$1 sig=${2:-TERM} pid=${PIDS[$1]}
	kill -"$sig" "$pid"
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "server $i (pid $pid) did not stop on SIG$sig"
	wait "$pid" 2>/dev/null || true
	PIDS[i]=""
}

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
	local n=$1 got=0
	for _ in $(seq 1 150); do
		got=$(dmg -j system query 2>/dev/null | grep -c '"state": "joined"' || true)
		[ "$got" = "$n" ] && return 0
		sleep 0.2
	done
	fail "expected $n joined members, have $got"
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
