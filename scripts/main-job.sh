#!/usr/bin/env bash
# The "main job": install dependencies, build, install into a prefix, and run
# what the system can do so far on this machine.
#
# It grows with the system. Today it:
#   1. builds and installs pdaos into $PDAOS_PREFIX (default: a temporary directory),
#   2. builds a client program against the installed headers and runs it,
#   3. starts a single-node system (daos_server with its built-in config, storage in
#      a temporary directory), formats it with dmg, queries it, creates and queries a
#      pool, creates a POSIX container in it with the daos tool (attributes written and
#      read back, a snapshot, query, properties), runs CaRT self_test against the
#      server's targets through the access point, destroys both and stops the server,
#   4. runs the benchmarks of the layers that exist, when they are built
#      (ULT runtime, umem heap, bio data blob, VOS with real data written, read back and
#      verified, CaRT self_test against a test server on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh build

prefix=${PDAOS_PREFIX:-}
cleanup_prefix=0
if [ -z "$prefix" ]; then
	prefix=$(mktemp -d /tmp/pdaos.XXXXXX)
	cleanup_prefix=1
fi
work=$(mktemp -d /tmp/pdaos-job.XXXXXX)
server_pid=""
daos_pid=""
cleanup() {
	if [ -n "$daos_pid" ]; then
		kill "$daos_pid" 2>/dev/null || true
		wait "$daos_pid" 2>/dev/null || true
	fi
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
	if [ "$cleanup_prefix" = 1 ]; then
		rm -rf "$prefix"
	fi
}
trap cleanup EXIT

cmake --install build --prefix "$prefix" >/dev/null
echo "=== installed into $prefix"

echo "=== client program built against the installed headers"
# shellcheck disable=SC2046
cc -o "$work/hello_daos" tests/install/hello_daos.c \
	$(PKG_CONFIG_PATH="$prefix/lib64/pkgconfig" pkg-config --cflags --libs daos)
"$work/hello_daos"

if [ -x "$prefix/bin/daos_server" ] && [ -x "$prefix/bin/dmg" ]; then
	echo "=== single-node system: daos_server (built-in config, storage in $work/daos), dmg"
	"$prefix/bin/daos_server" start --storage "$work/daos" &
	daos_pid=$!
	for _ in $(seq 1 100); do
		if (exec 3<>/dev/tcp/127.0.0.1/10001) 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	"$prefix/bin/dmg" -i storage scan
	"$prefix/bin/dmg" -i storage format
	for _ in $(seq 1 50); do
		if "$prefix/bin/dmg" -j system query 2>/dev/null | grep -q '"state": "joined"'; then
			break
		fi
		sleep 0.2
	done
	"$prefix/bin/dmg" system query -v
	"$prefix/bin/dmg" sys leader-query
	echo "=== pool on it: create, list, query, properties"
	"$prefix/bin/dmg" pool create sxb -z 1g
	"$prefix/bin/dmg" pool list --verbose
	"$prefix/bin/dmg" pool query sxb
	"$prefix/bin/dmg" pool get-prop sxb
	if [ -x "$prefix/bin/daos" ]; then
		echo "=== a POSIX container in it, attributes written and read back, a snapshot"
		"$prefix/bin/daos" cont create sxb --type POSIX sxb
		"$prefix/bin/daos" cont list sxb --verbose
		"$prefix/bin/daos" cont set-attr sxb sxb job:main,written:"$(date -u +%FT%TZ)"
		"$prefix/bin/daos" cont get-attr sxb sxb job | grep -q main
		"$prefix/bin/daos" cont list-attrs sxb sxb --verbose
		"$prefix/bin/daos" cont create-snap sxb sxb --snap first
		"$prefix/bin/daos" cont list-snaps sxb sxb
		"$prefix/bin/daos" cont query sxb sxb --verbose
		"$prefix/bin/daos" cont get-prop sxb sxb
		"$prefix/bin/daos" cont destroy sxb sxb
	fi
	if [ -x "$prefix/bin/self_test" ]; then
		echo "=== CaRT self_test against the server's targets, attached through the access point"
		"$prefix/bin/self_test" --group-name daos_server --endpoint 0:0-1 \
			--message-sizes "(0 0) i4096 (b1048576 0)" --max-inflight-rpcs 16 \
			--repetitions 500
	fi
	"$prefix/bin/dmg" pool destroy sxb
	kill "$daos_pid"
	wait "$daos_pid"
	daos_pid=""
fi

if [ -x "$prefix/bin/ult_perf" ]; then
	echo "=== ULT runtime benchmark"
	"$prefix/bin/ult_perf"
fi

if [ -x "$prefix/bin/umem_perf" ]; then
	echo "=== umem heap benchmark (heap and log in $work)"
	"$prefix/bin/umem_perf" --dir "$work" --seconds 1 --heap-mb 64 --ult
fi

if [ -x "$prefix/bin/bio_perf" ]; then
	echo "=== data blob benchmark through io_uring, next to fio (blob in $work)"
	"$prefix/bin/bio_perf" --dir "$work" --size 64 --time 1
fi

if [ -x "$prefix/bin/vos_perf" ]; then
	echo "=== VOS: 4 KiB and 1 MiB values written durably, read back and verified (files in $work)"
	DAOS_WAL_SYNC=every "$prefix/bin/vos_perf" -D "$work" -P 256M -N auto -d 5000 -a 1 -n 1 \
		-s 4K -R "U;p F;p V;p"
	DAOS_WAL_SYNC=every "$prefix/bin/vos_perf" -D "$work" -P 64M -N auto -d 200 -a 1 -n 1 \
		-s 1M -R "U;p F;p V;p"
fi

if [ -x "$prefix/bin/crt_test_server" ] && [ -x "$prefix/bin/self_test" ]; then
	echo "=== CaRT self_test against a test server on 127.0.0.1"
	mkdir -p "$work/attach"
	D_INTERFACE=lo "$prefix/bin/crt_test_server" --group-name daos_server \
		--attach-info-path "$work/attach" &
	server_pid=$!
	for _ in $(seq 1 100); do
		if [ -n "$(ls -A "$work/attach" 2>/dev/null)" ]; then
			break
		fi
		sleep 0.1
	done
	D_INTERFACE=lo "$prefix/bin/self_test" --group-name daos_server --path "$work/attach" \
		--endpoint 0:0 --message-sizes "(0 0) (b1048576 0) (0 b1048576)" \
		--max-inflight-rpcs 16 --repetitions 1000 --shutdown
fi
echo "=== main job done"
