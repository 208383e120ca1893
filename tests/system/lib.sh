# Helpers for system tests: start daos_server processes on 127.0.0.1 in a
# temporary directory, drive them with dmg, and always stop them (by pid).
#   source lib.sh <daos_server> <dmg>
set -euo pipefail


SERVER=$1
DMG=$2
WORK=$(mktemp -d /tmp/pdaos-systest.XXXXXX)
declare -a PIDS=()
declare -a PORTS=()
HOSTLIST=""
export DMG_TIMEOUT=${DMG_TIMEOUT:-10}
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
	# sanitizer builds: a report from any server fails the test
	if grep -l "Sanitizer\|runtime error:" "$WORK"/out.* 2>/dev/null; then
		grep -h -A20 "Sanitizer\|runtime error:" "$WORK"/out.* | head -60
		rc=1
	fi
	if [ $rc -ne 0 ]; then
		echo "--- FAILED (rc $rc); server outputs:"
		tail -n 30 "$WORK"/out.* "$WORK"/srv*/engine.log 2>/dev/null || true
	fi
	[ -n "${PDAOS_KEEP_WORK:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
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

# Pick a base port with 10 free ports per server (port, targets, telemetry).
pick_ports() {
	local n=$1 base i j ok
	for _ in $(seq 1 50); do
		base=$((20000 + (RANDOM % 300) * 40))
		ok=1
		for ((i = 0; i < n; i++)); do
			for j in 0 1 2 3 8; do
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

# write_config <i>: server i, access point = server 0
write_config() {
	local i=$1 p=${PORTS[$1]}
	mkdir -p "$WORK/srv$i"
	cat >"$WORK/srv$i/daos_server.yml" <<YML
name: daos_server
port: $p
access_points: ["127.0.0.1:${PORTS[0]}"]
provider: "ofi+tcp;ofi_rxm"
telemetry_port: $((p + 8))
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
        bdev_size: ${SYS_BDEV_GB:-1}
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

# start_server <i>
start_server() {
	local i=$1
	[ -f "$WORK/srv$i/daos_server.yml" ] || write_config "$i"
	"$SERVER" start -o "$WORK/srv$i/daos_server.yml" >>"$WORK/out.$i" 2>&1 &
	PIDS[i]=$!
	wait_port "${PORTS[i]}" "${PIDS[i]}"
}

# stop_server <i> [signal]
stop_server() {
	local i=$1 sig=${2:-TERM} pid=${PIDS[$1]}
	kill -"$sig" "$pid"
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "server $i (pid $pid) did not stop on SIG$sig"
	PIDS[i]=""
	local st=0
	wait "$pid" 2>/dev/null || st=$?
	[ "$sig" != TERM ] || [ $st = 0 ] || [ "${SYS_STOP_ANY_STATUS:-0}" = 1 ] ||
		fail "server $i exited with status $st after SIGTERM"
}

dmg() {
	"$DMG" -l "$HOSTLIST" "$@"
}

# wait_state <n> <state>: until n members are in that state (JSON query), 30 s at most
wait_state() {
	local n=$1 state=$2 got=0 end=$((SECONDS + 30))
	while [ $SECONDS -lt $end ]; do
		got=$(dmg -j system query 2>/dev/null | grep -c "\"state\": \"$state\"" || true)
		[ "$got" = "$n" ] && return 0
		sleep 0.2
	done
	dmg system query -v || true
	fail "expected $n members $state, have $got"
}

# rank_of <uuid>: rank of the member with that UUID
rank_of() {
	dmg -j system query | grep -B1 "\"uuid\": \"$1\"" | sed -n 's/.*"rank": \([0-9]*\).*/\1/p'
}

# Members as "rank uuid" lines, sorted.
members() {
	dmg -j system query | awk '/"rank":/ {gsub(/[^0-9]/, "", $2); r=$2}
		/"uuid":/ {gsub(/[",]/, "", $2); print r, $2}' | sort
}
