#!/usr/bin/env bash
# Regenerates BENCHMARKS.md, Benchmarks/results/engines.json and Benchmarks/results/engines.svg: every workload on
# memory, lmdb, leveldb, rocksdb, raw-lmdb, raw-leveldb and raw-rocksdb with the defaults (1M keys, 16-byte keys,
# 100-byte values, buffered durability, one thread). Took about 7 minutes on 2 cores before rocksdb and raw-rocksdb
# joined; not re-timed since. Extra arguments go to `cairn bench engines`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cairn
.build/release/cairn bench engines \
    --json Benchmarks/results/engines.json --chart Benchmarks/results/engines.svg --markdown BENCHMARKS.md "$@"
