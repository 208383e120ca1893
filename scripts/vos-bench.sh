#!/usr/bin/env bash
# vos_perf next to its baselines, with matching arguments, in one table:
#   4 KiB values: vos_perf -R "U;p F;p"  vs  RocksDB db_bench fillrandom / readrandom
#   1 MiB values: vos_perf update/fetch   vs  fio sequential 1 MiB write / read
# Every workload runs REPEAT times; the table shows the median and the best run.
#
# usage: scripts/vos-bench.sh [-b BUILD_DIR] [-D DIR] [-k KEYS_4K] [-m KEYS_1M] [-r REPEAT]
#                             [-S SYNC] [-P HEAP] [-N BLOB] [-u N] [-q]
#   -b  build directory holding src/utils/vos_perf/vos_perf (default: build)
#   -D  directory for every file (default /dev/shm); pdaos heap, WAL and blob, the RocksDB
#       database and fio's file all go to a fresh temp dir below it, removed at exit
#   -k  number of 4 KiB keys (default 200000, the north-star -d 200000)
#   -m  number of 1 MiB values (default 5000)
#   -r  repeats (default 3)
#   -S  DAOS_WAL_SYNC for vos_perf: "every" (default) or a period in ms (e.g. 1000).
#       With "every", db_bench gets --sync=1 (a WAL write + fdatasync per Put) and fio
#       --fdatasync=1 is shown as a second baseline; with a period, db_bench --sync=0.
#   -P/-N  heap and blob size for vos_perf (default 1G and "auto": values go to a blob sized
#       for the run; -N 0 keeps every value in the heap)
#   -u  N concurrent writers/readers (default 1): vos_perf -u N (N ULTs on the one xstream;
#       with "every" their commits share an fdatasync: group commit) against db_bench
#       --threads=N (RocksDB's own WAL group commit) with --num=KEYS_4K/N per thread, so
#       both sides write the same total number of keys. The 1 MiB rows stay single-stream.
#   -q  no progress lines on stderr
#
# What each side makes durable before an operation returns:
#   vos_perf, DAOS_WAL_SYNC=every: the umem redo record of the update transaction is in the
#     WAL and fdatasync'ed; a 4 KiB value lives in the heap (inline) or, above the inline
#     threshold, in the blob, written (O_DIRECT where the file system allows it) before the
#     transaction commits. DAOS_WAL_SYNC=N: commits return at once, the WAL is fdatasync'ed
#     at least every N ms.
#   db_bench --sync=1: each Put appends the write batch (key + 4 KiB value) to the WAL file
#     and calls fdatasync on it before returning (strace: one write + one fdatasync per
#     Put); memtable flushes/compaction write SST files in the background.
#   fio: --direct=1 (page cache bypassed where supported), iodepth 1, no sync; the
#     --fdatasync=1 row adds an fdatasync after every 1 MiB write.
set -euo pipefail

BUILD=build
BASE=/dev/shm
KEYS4K=200000
KEYS1M=5000
REPEAT=3
SYNC=every
HEAP=1G
BLOB=auto
QUIET=0
ULTS=1

while getopts "b:D:k:m:r:S:P:N:u:qh" opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	D) BASE=$OPTARG ;;
	k) KEYS4K=$OPTARG ;;
	m) KEYS1M=$OPTARG ;;
	r) REPEAT=$OPTARG ;;
	S) SYNC=$OPTARG ;;
	P) HEAP=$OPTARG ;;
	N) BLOB=$OPTARG ;;
	u) ULTS=$OPTARG ;;
	q) QUIET=1 ;;
	*) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;/^set -e/d'; exit 2 ;;
	esac
done

VOS_PERF=$BUILD/src/utils/vos_perf/vos_perf
[ -x "$VOS_PERF" ] || { echo "vos_perf not found at $VOS_PERF (build first)" >&2; exit 1; }
command -v db_bench >/dev/null || { echo "db_bench missing: apt-get install rocksdb-tools" >&2; exit 1; }
command -v fio >/dev/null || { echo "fio missing: apt-get install fio" >&2; exit 1; }

WORK=$(mktemp -d "$BASE/vos-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

say() { [ "$QUIET" = 1 ] || echo "$*" >&2; }

# jfield JSON SECTION KEY: a number from vos_perf's JSON ("SECTION": {..."KEY": n...}).
jfield() {
	printf '%s' "$1" | tr -d '\n' | grep -o "\"$2\": *{[^}]*}" |
		grep -o "\"$3\": *[-0-9.e+]*" | head -1 | sed 's/.*: *//'
}

# Results: one file per metric, one value per line.
R=$WORK/results
mkdir -p "$R"
add() { echo "$2" >>"$R/$1"; }

# Direct I/O only where the file system takes it.
if dd if=/dev/zero of="$WORK/odirect" bs=4096 count=1 oflag=direct status=none 2>/dev/null; then
	DIRECT=1
else
	DIRECT=0
fi
rm -f "$WORK/odirect"

case $ULTS in '' | *[!0-9]* | 0) echo "-u wants a positive number" >&2; exit 2 ;; esac
# db_bench's --num is per thread
DBNUM=$(((KEYS4K + ULTS - 1) / ULTS))

DBSYNC=0
[ "$SYNC" = every ] && DBSYNC=1

for i in $(seq 1 "$REPEAT"); do
	say "run $i/$REPEAT: vos_perf 4K"
	out=$(DAOS_WAL_SYNC=$SYNC "$VOS_PERF" -D "$WORK" -P "$HEAP" -N "$BLOB" -d "$KEYS4K" -a 1 \
		-n 1 -s 4K -z -G "$i" -u "$ULTS" -R "U;p F;p" -j)
	add vos4k_u "$(jfield "$out" update ops_per_s)"
	add vos4k_f "$(jfield "$out" fetch ops_per_s)"
	add vos4k_ulat "$(jfield "$out" update lat_p50_us)"
	add vos4k_flat "$(jfield "$out" fetch lat_p50_us)"
	add vos4k_meta "$(printf '%s' "$out" | grep -o '"heap_bytes_per_record": *[0-9.]*' |
		sed 's/.*: *//')"

	say "run $i/$REPEAT: db_bench fillrandom,readrandom"
	out=$(db_bench --db="$WORK/rocksdb" --benchmarks=fillrandom,readrandom --num="$DBNUM" \
		--value_size=4096 --key_size=16 --compression_type=none --sync=$DBSYNC \
		--threads="$ULTS" \
		--seed="$i" --stats_interval_seconds=0 2>&1)
	add db_fill "$(printf '%s\n' "$out" | awk '$1 == "fillrandom" {print $5}')"
	add db_read "$(printf '%s\n' "$out" | awk '$1 == "readrandom" {print $5}')"
	# readrandom looks up keys drawn from [0, num); fillrandom wrote ~63 % of them
	add db_found "$(printf '%s\n' "$out" | sed -n 's/^readrandom.*(\([0-9]*\) of \([0-9]*\) found).*/\1 \2/p' |
		awk '{printf "%.1f", 100 * $1 / $2}')"
	rm -rf "$WORK/rocksdb"

	say "run $i/$REPEAT: vos_perf 1M"
	out=$(DAOS_WAL_SYNC=$SYNC "$VOS_PERF" -D "$WORK" -P "$HEAP" -N "$BLOB" -d "$KEYS1M" -a 1 \
		-n 1 -s 1M -z -G "$i" -R "U;p F;p" -j)
	add vos1m_u "$(jfield "$out" update mb_per_s)"
	add vos1m_f "$(jfield "$out" fetch mb_per_s)"

	say "run $i/$REPEAT: fio 1M"
	for job in write read write_sync; do
		rw=${job%_sync}
		extra=""
		[ "$job" = write_sync ] && extra="--fdatasync=1"
		# fio reports bw in KiB/s; MB/s here is 10^6 bytes/s, as vos_perf prints.
		bw=$(fio --name=vb --filename="$WORK/fio.dat" --size="${KEYS1M}M" --rw="$rw" --bs=1M \
			--ioengine=io_uring --iodepth=1 --direct=$DIRECT $extra --output-format=terse \
			--terse-version=3 2>/dev/null | tail -1 | awk -F';' -v rw="$rw" \
			'{print (rw == "read" ? $7 : $48) * 1024 / 1e6}')
		add "fio_$job" "$bw"
	done
	rm -f "$WORK/fio.dat"
done

# median and best (max for rates, min for latencies) of a metric file
summ() {
	local f=$R/$1 mode=${2:-max}
	[ -s "$f" ] || { echo "- -"; return; }
	sort -g "$f" | awk -v mode="$mode" '{v[NR] = $1}
		END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		     printf "%.1f %.1f\n", m, (mode == "max") ? v[NR] : v[1]}'
}
row() { # name unit metric baseline_metric mode
	read -r m b < <(summ "$3" "${5:-max}")
	if [ -n "$4" ]; then
		read -r bm bb < <(summ "$4" "${5:-max}")
		ratio=$(awk -v a="$m" -v b="$bm" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else print "-"}')
	else
		bm=-; bb=-; ratio=-
	fi
	printf "%-34s %-6s %12s %12s %12s %12s %8s\n" "$1" "$2" "$m" "$b" "$bm" "$bb" "$ratio"
}

echo "# dir=$BASE ($(stat -f -c %T "$BASE")) sync=$SYNC keys4k=$KEYS4K keys1m=$KEYS1M repeat=$REPEAT direct=$DIRECT ults=$ULTS"
printf "%-34s %-6s %12s %12s %12s %12s %8s\n" workload unit pdaos_med pdaos_best base_med \
	base_best ratio
row "4K update vs db_bench fillrandom" ops/s vos4k_u db_fill
row "4K fetch vs db_bench readrandom" ops/s vos4k_f db_read
row "db_bench readrandom keys found" % db_found "" min
row "4K update p50 latency" us vos4k_ulat "" min
row "4K fetch p50 latency" us vos4k_flat "" min
row "heap bytes per 4K record" B vos4k_meta "" min
row "1M update vs fio write" MB/s vos1m_u fio_write
row "1M update vs fio write+fdatasync" MB/s vos1m_u fio_write_sync
row "1M fetch vs fio read" MB/s vos1m_f fio_read
