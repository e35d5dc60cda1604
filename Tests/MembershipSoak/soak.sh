#!/usr/bin/env bash
# Runs membership seeds FIRST..FIRST+COUNT-1 in JOBS parallel release processes (membership-soak), one window each,
# and prints every window's summary. Usage: Tests/MembershipSoak/soak.sh [COUNT] [FIRST] [JOBS]   (default 10000 1 2)
# Build first: swift build -c release --product membership-soak. MEMBERSHIP_SOAK=PATH runs another build of it (one
# with assertions on: swift build -c release --product membership-soak --scratch-path .build/asserting
# -Xswiftc -assert-config -Xswiftc Debug, then MEMBERSHIP_SOAK=.build/asserting/release/membership-soak).
# Each window's output goes to a temporary directory of its own (removed at the end) and is printed in seed order.
# Exits 1 if any seed failed, 2 on bad arguments.
set -euo pipefail
count=${1:-10000}; first=${2:-1}; jobs=${3:-2}
for value in "$count" "$first" "$jobs"; do
    [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: '$value' is not a positive number (usage: soak.sh [COUNT] [FIRST] [JOBS])" >&2; exit 2; }
done
(( jobs <= 64 )) || { echo "soak.sh: at most 64 jobs, got $jobs" >&2; exit 2; }
binary="${MEMBERSHIP_SOAK:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/membership-soak}"
[[ -x "$binary" ]] || { echo "soak.sh: $binary not built (swift build -c release --product membership-soak)" >&2; exit 2; }
per=$(( (count + jobs - 1) / jobs ))
outputs=$(mktemp -d)
trap 'rm -r -- "$outputs"' EXIT
pids=()
start=$(date +%s)
for (( job = 0; job < jobs; job++ )); do
    from=$(( first + job * per )); n=$(( count - job * per < per ? count - job * per : per ))
    (( n > 0 )) || break
    "$binary" --first "$from" --count "$n" > "$outputs/window-$job.txt" 2>&1 & pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for (( job = 0; job < ${#pids[@]}; job++ )); do cat "$outputs/window-$job.txt"; done
echo "soak.sh: $count seeds from $first in $jobs processes: $(( $(date +%s) - start )) s wall, $([[ $status == 0 ]] && echo passed || echo 'some failed')"
exit $status
