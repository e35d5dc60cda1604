#!/usr/bin/env bash
# Regenerates BENCHMARKS.md and Benchmarks/results/*.json|svg: every section the engine comparison reports.
#
#   Benchmarks/compare-engines.sh           the full run: 16 minutes on 2 quiet cores, measured (see below)
#   Benchmarks/compare-engines.sh --quick   every section with key counts / 100 and short durations (about 2 minutes),
#                                           into a new temporary directory; BENCHMARKS.md and results/ are not touched
#   Benchmarks/compare-engines.sh --scale N key counts / N, full durations, into a new temporary directory (a trial)
#
# Sections, in the order BENCHMARKS.md shows them, with the times of the last full run (a --scale 10 trial took 76,
# 69, 61, 81 and 28 s for them; timed workloads keep their full durations at any scale):
#   1. sync      sync durability (every table's default): all workloads, Cairn engines, 200,000 keys; fills in
#                batches of 1,000 (one commit, one fsync each), every other write its own commit; 2 s per workload,
#                longer where a workload needs it to reach 1,000 operations                 measured  96 s
#   2. buffered  buffered durability: all workloads, Cairn engines and raw C baselines, 1,000,000 keys, 1,000,000
#                operations per workload, plus the side-by-side ratio to raw C in 10 slices measured 577 s
#   3. values    value-size sweep, 100 B / 1 KiB / 16 KiB / 256 KiB: fillrandom, overwrite, readrandom; 500,000,
#                200,000, 16,000 and 1,000 keys (58 to 262 MB of keys and values); 2 s per non-fill workload
#                                                                                       measured 100 s
#   4. threads   thread scaling, 1 and 2 threads: YCSB A-F (zipfian), 500,000 keys; 2 s per workload
#                                                                                       measured 121 s
#   5. large     a data set larger than the caches: 2,000,000 keys of 400-byte values (~830 MB logical, far above
#                LevelDB's 32 MiB block cache); uniform reads that miss it, each workload starting with the table's
#                files dropped from the kernel's page cache (--cold-reads); 3 s per non-fill workload  measured  89 s
# Measured on 2026-11-25 with memory, lmdb, leveldb and rocksdb (and raw C in the buffered section): 983 s
# (16 min) for the runs, on a shared 2-core VM with nothing else running (2,025 s under load, beside other builds).
# BENCHMARKS.md's first table gives the time each run really took. Extra arguments go to every `bench engines`.
set -euo pipefail
cd "$(dirname "$0")/.."

scale=1
duration=2
long_duration=3
out=Benchmarks/results
markdown=BENCHMARKS.md
if [[ "${1:-}" == "--quick" ]]; then
    shift
    scale=100
    duration=0.3
    long_duration=0.3
elif [[ "${1:-}" == "--scale" ]]; then
    scale=${2:?--scale takes a divisor of the key counts}
    [[ "$scale" =~ ^[1-9][0-9]*$ ]] || { echo "--scale must be a positive whole number, not '$scale'" >&2; exit 64; }
    shift 2
fi
if ((scale > 1)); then
    out=$(mktemp -d "${TMPDIR:-/tmp}/cairn-compare-engines-XXXXXX")
    markdown=$out/BENCHMARKS.md
    echo "trial run: key counts / $scale, ${duration} s per timed workload, results in $out"
fi
mkdir -p "$out"

swift build -c release --product cairn
cairn=.build/release/cairn

# keys N: N scaled down for --quick, at least 20.
keys() { local n=$(($1 / scale)); echo $((n < 20 ? 20 : n)); }

jsons=()
# run NAME ARGS...: one `bench engines` run into $out/NAME.json, timed.
run() {
    local name=$1
    shift
    local started=$SECONDS
    echo "== $name: cairn bench engines $*"
    "$cairn" bench engines --json "$out/$name.json" --chart "$out/$name.svg" "$@" "${extra[@]}"
    echo "== $name took $((SECONDS - started)) s"
    jsons+=(--json "$out/$name.json")
}
extra=("$@")
total_started=$SECONDS

run sync --section "Sync durability" --durability sync --engines cairn --keys "$(keys 200000)" \
    --fill-batch 1000 --duration "$duration" --ratio-slices 0

run buffered --section "Buffered durability" --durability buffered --engines all --keys "$(keys 1000000)"

for size in 100:100B:500000 1024:1KiB:200000 16384:16KiB:16000 262144:256KiB:1000; do
    IFS=: read -r bytes label count <<<"$size"
    run "values-$label" --section "Value-size sweep" --variant "$label values" --engines cairn \
        --value-size "$bytes" --keys "$(keys "$count")" --workloads fillrandom,overwrite,readrandom \
        --duration "$duration" --ratio-slices 0
done

for threads in 1 2; do
    run "threads-$threads" --section "Thread scaling" --variant "$threads thread$([[ $threads == 1 ]] || echo s)" \
        --engines cairn --threads "$threads" --distribution zipfian --keys "$(keys 500000)" \
        --workloads ycsb-a,ycsb-b,ycsb-c,ycsb-d,ycsb-e,ycsb-f --duration "$duration" --ratio-slices 0
done

run large --section "Larger than the caches" --engines persistent \
    --keys "$(keys 2000000)" --value-size 400 --workloads fillrandom,readrandom,readmissing,ycsb-c \
    --duration "$long_duration" --ratio-slices 0 --cold-reads

"$cairn" bench report "${jsons[@]}" --chart "$out/engines.svg" --markdown "$markdown"
echo "== every section took $((SECONDS - total_started)) s"
