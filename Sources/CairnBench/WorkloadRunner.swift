import CairnCore
import CairnStorage
import Foundation
import Histogram
import Synchronization

/// Runs one workload on one open target with `settings.threads` threads, timing every operation.
final class WorkloadRunner: @unchecked Sendable {
    let engine: BenchEngine
    let target: any BenchTarget
    let settings: BenchSettings
    let progress: @Sendable (String) -> Void
    private let format: KeyFormat
    private let values: ValueSource
    /// Index of the next key an insert writes; starts past the loaded keys.
    private let nextInsert: Atomic<Int>
    /// Operations finished so far by all threads, for progress lines.
    private let operationsDone = Atomic<Int>(0)
    /// The fillrandom order: a seeded permutation of every key index.
    private lazy var randomOrder: [Int] = {
        var order = Array(0..<settings.keys)
        var random = SplitMix64(seed: settings.seed)
        order.shuffle(using: &random)
        return order
    }()

    /// Longest single latency recorded: an hour, in nanoseconds.
    static let latencyNanosecondsMax: UInt64 = 3_600_000_000_000
    /// Threads publish their operation counts this often.
    static let progressStride = 1_024
    /// Longest a timed workload runs past its duration to reach `WorkloadResult.measuredOperationsMin`.
    static let overtimeSecondsMax = 60.0
    /// Longest short scan of YCSB E.
    static let shortScanEntriesMax = 100

    init(engine: BenchEngine, target: any BenchTarget, settings: BenchSettings, progress: @escaping @Sendable (String) -> Void) {
        self.engine = engine
        self.target = target
        self.settings = settings
        self.progress = progress
        self.format = KeyFormat(size: settings.keySize)
        self.values = ValueSource(valueSize: settings.valueSize, compressionRatio: settings.compressionRatio, seed: settings.seed)
        self.nextInsert = Atomic(settings.keys)
    }

    /// What one thread measured.
    private struct ThreadOutcome {
        var histogram = Histogram<UInt64>(highestTrackableValue: WorkloadRunner.latencyNanosecondsMax)
        var operations = 0
        var unexpected = 0
        var logicalBytesWritten = 0
        var failure: (any Error)?

        mutating func merge(_ other: ThreadOutcome) {
            histogram.add(other.histogram)
            operations += other.operations
            unexpected += other.unexpected
            logicalBytesWritten += other.logicalBytesWritten
            failure = failure ?? other.failure
        }
    }

    /// A share of a workload: slice `index` of `count` equal parts (of its operations, or of its duration).
    /// Running the slices of two targets in alternation cancels slow drift in the machine's speed.
    struct Slice {
        var index: Int
        var count: Int
        static let whole = Slice(index: 0, count: 1)
    }

    /// Runs `workload` (or one slice of it), printing a progress line about once a second, and returns its figures.
    func run(_ workload: Workload, directory: String, slice: Slice = .whole) throws -> WorkloadResult {
        let (outcome, seconds) = try measure(workload, slice: slice)
        return result(workload, outcome, seconds: seconds, directory: directory, slices: nil)
    }

    /// Runs the whole of `workload` in `settings.slices` consecutive slices, keeping each slice's throughput as
    /// the run's own measure of noise, and returns the merged figures.
    func runSliced(_ workload: Workload, directory: String) throws -> WorkloadResult {
        var total = ThreadOutcome()
        var seconds = 0.0
        var rates: [Double] = []
        for index in 0..<settings.slices {
            let (outcome, sliceSeconds) = try measure(workload, slice: Slice(index: index, count: settings.slices))
            total.merge(outcome)
            seconds += sliceSeconds
            if outcome.operations > 0 { rates.append(Double(outcome.operations) / max(sliceSeconds, 1e-9)) }
        }
        return result(workload, total, seconds: seconds, directory: directory, slices: rates)
    }

    /// Times one slice of `workload` on every thread.
    private func measure(_ workload: Workload, slice: Slice) throws -> (ThreadOutcome, seconds: Double) {
        precondition(slice.count >= 1 && (0..<slice.count).contains(slice.index), "a slice lies within its workload")
        if workload.isFill, slice.index == 0 {
            _ = randomOrder
            nextInsert.store(settings.keys, ordering: .relaxed)
        }
        if slice.index == 0 {
            operationsDone.store(0, ordering: .relaxed)
            Measurement.resetPeakResidentBytes()
        }
        let outcomes = Mutex<[ThreadOutcome]>([])
        let finished = DispatchGroup()
        let started = Measurement.nanoseconds()
        let deadline = started + UInt64((settings.durationSeconds ?? 0) * 1e9 / Double(slice.count))
        for thread in 0..<settings.threads {
            finished.enter()
            Thread.detachNewThread { [self] in
                let outcome = runThread(thread, workload, slice: slice, deadline: deadline)
                outcomes.withLock { $0.append(outcome) }
                finished.leave()
            }
        }
        while finished.wait(timeout: .now() + 1) == .timedOut {
            reportProgress(workload, started: started)
        }
        let seconds = Double(Measurement.nanoseconds() - started) / 1e9
        let merged = outcomes.withLock { all in all.reduce(into: ThreadOutcome()) { $0.merge($1) } }
        if let failure = merged.failure { throw failure }
        return (merged, seconds)
    }

    /// Key and value bytes of the table's entries now, or nil after deletes (which may miss).
    private func liveLogicalBytes(_ workload: Workload) -> Int? {
        if workload == .deleterandom { return nil }
        return nextInsert.load(ordering: .relaxed) * (settings.keySize + settings.valueSize)
    }

    private func result(
        _ workload: Workload, _ outcome: ThreadOutcome, seconds: Double, directory: String, slices: [Double]?
    ) -> WorkloadResult {
        let histogram = outcome.histogram
        func microseconds(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1_000 }
        return WorkloadResult(
            engine: engine, workload: workload, operations: outcome.operations, seconds: seconds,
            opsPerSecond: Double(outcome.operations) / max(seconds, 1e-9),
            p50Microseconds: microseconds(50), p99Microseconds: microseconds(99), p999Microseconds: microseconds(99.9),
            maxMicroseconds: Double(histogram.max) / 1_000,
            diskBytes: engine == .memory ? 0 : DirectoryCheck.bytesOnDisk(directory),
            peakResidentBytes: Measurement.peakResidentBytes(), unexpectedResults: outcome.unexpected,
            sliceOpsPerSecond: slices, logicalBytesWritten: outcome.logicalBytesWritten,
            liveLogicalBytes: liveLogicalBytes(workload))
    }

    private func reportProgress(_ workload: Workload, started: UInt64) {
        let done = operationsDone.load(ordering: .relaxed)
        let elapsed = Double(Measurement.nanoseconds() - started) / 1e9
        let rate = Int(Double(done) / max(elapsed, 1e-9))
        let share = settings.operationCount(for: workload).map { " (\(done * 100 / max($0, 1))%)" } ?? ""
        progress("  \(engine.rawValue) \(workload.rawValue): \(String(format: "%.0f", elapsed)) s, \(done) ops\(share), \(rate) ops/s")
    }

    /// The operation quota of one thread, or nil to run until the deadline.
    private func quota(_ workload: Workload, thread: Int) -> Int? {
        guard let total = settings.operationCount(for: workload) else { return nil }
        return total / settings.threads + (thread < total % settings.threads ? 1 : 0)
    }

    private func runThread(_ thread: Int, _ workload: Workload, slice: Slice, deadline: UInt64) -> ThreadOutcome {
        var outcome = ThreadOutcome()
        let workloadNumber = UInt64(Workload.allCases.firstIndex(of: workload)!)
        var chooser = KeyChooser(
            distribution: settings.distribution, keys: settings.keys,
            seed: settings.seed &+ UInt64(thread) &* 0x9E37_79B9 &+ workloadNumber &+ UInt64(slice.index) << 32)
        var key = Bytes(repeating: 0, count: settings.keySize)
        var value = Bytes(repeating: 0, count: settings.valueSize)
        let batched = workload.isFill && settings.fillBatch > 1
        // This thread's steps in this slice; a step numbers the thread's operations across the whole workload.
        let steps = quota(workload, thread: thread).map { total in
            (total * slice.index / slice.count)..<(total * (slice.index + 1) / slice.count)
        }
        let limit = steps.map(\.count)
        let firstStep = steps?.lowerBound ?? 0
        let mix = workload.mix
        var published = 0
        do {
            // A timed run goes past its deadline until it has done its share of `measuredOperationsMin`, for at
            // most `overtimeSecondsMax`, so slow workloads (a sync write per commit) still get measured.
            let floor = (WorkloadResult.measuredOperationsMin + slice.count * settings.threads - 1) / (slice.count * settings.threads)
            let overtime = deadline + UInt64(Self.overtimeSecondsMax * 1e9 / Double(slice.count))
            func running() -> Bool {
                if let limit { return outcome.operations < limit }
                let now = Measurement.nanoseconds()
                return now < deadline || (outcome.operations < floor && now < overtime)
            }
            while running() {
                var roll = mix.count == 1 ? 0 : chooser.uniform(below: 100)
                let operation = mix.first { entry in
                    roll -= entry.percent
                    return roll < 0
                }!.operation
                if operation == .scanAll {
                    outcome.operations += try scanAll(&outcome, until: deadline, limit: limit)
                } else if batched {
                    let count = min(settings.fillBatch, limit.map { $0 - outcome.operations } ?? settings.fillBatch)
                    let begin = Measurement.nanoseconds()
                    try fillBatch(workload, thread: thread, firstStep: firstStep + outcome.operations, count: count, &outcome)
                    _ = outcome.histogram.record(Measurement.nanoseconds() - begin)
                    outcome.operations += count
                } else {
                    let begin = Measurement.nanoseconds()
                    try perform(
                        operation, workload, thread: thread, step: firstStep + outcome.operations, &chooser, &key,
                        &value, &outcome)
                    _ = outcome.histogram.record(Measurement.nanoseconds() - begin)
                    outcome.operations += 1
                }
                if outcome.operations - published >= Self.progressStride {
                    operationsDone.add(outcome.operations - published, ordering: .relaxed)
                    published = outcome.operations
                }
            }
        } catch {
            outcome.failure = error
        }
        operationsDone.add(outcome.operations - published, ordering: .relaxed)
        return outcome
    }

    private func perform(
        _ operation: Workload.Operation, _ workload: Workload, thread: Int, step: Int,
        _ chooser: inout KeyChooser, _ key: inout Bytes, _ value: inout Bytes, _ outcome: inout ThreadOutcome
    ) throws {
        switch operation {
        case .insertNext:
            let index = insertIndex(workload, thread: thread, step: step)
            try put(index, step: step, &key, &value, &outcome)
        case .update:
            try put(chooser.existing(below: settings.keys), step: step, &key, &value, &outcome)
        case .read:
            format.write(chooser.existing(below: settings.keys), into: &key)
            if try !target.read(key) { outcome.unexpected += 1 }
        case .readMissing:
            format.write(chooser.existing(below: settings.keys), into: &key, missing: true)
            if try target.read(key) { outcome.unexpected += 1 }
        case .readLatest:
            let latest = nextInsert.load(ordering: .relaxed) - 1
            format.write(chooser.latest(latest), into: &key)
            _ = try target.read(key)
        case .readModifyWrite:
            let index = chooser.existing(below: settings.keys)
            format.write(index, into: &key)
            if try !target.read(key) { outcome.unexpected += 1 }
            try put(index, step: step, &key, &value, &outcome)
        case .delete:
            format.write(chooser.existing(below: settings.keys), into: &key)
            try target.delete(key)
            outcome.logicalBytesWritten += key.count
        case .shortScan:
            format.write(chooser.existing(below: settings.keys), into: &key)
            let length = 1 + chooser.uniform(below: Self.shortScanEntriesMax)
            _ = try target.scan(from: key, limit: length) { true }
        case .scanAll:
            preconditionFailure("full scans are timed per entry by scanAll")
        }
    }

    /// One pass over the whole table, timing the gap between entries; returns the entries visited.
    private func scanAll(_ outcome: inout ThreadOutcome, until deadline: UInt64, limit: Int?) throws -> Int {
        var last = Measurement.nanoseconds()
        var histogram = outcome.histogram
        let remaining = limit.map { $0 - outcome.operations } ?? Int.max
        let visited = try target.scan(from: nil, limit: remaining) {
            let now = Measurement.nanoseconds()
            _ = histogram.record(now - last)
            last = now
            return limit != nil || now < deadline
        }
        outcome.histogram = histogram
        if visited == 0 { throw RawEngineError(description: "readseq found an empty table") }
        return visited
    }

    /// The key index the `step`-th insert of `thread` writes.
    private func insertIndex(_ workload: Workload, thread: Int, step: Int) -> Int {
        switch workload {
        case .fillseq: thread + step * settings.threads
        case .fillrandom: randomOrder[thread + step * settings.threads]
        default: nextInsert.add(1, ordering: .relaxed).oldValue
        }
    }

    /// Puts key `index` with its value for write `step`.
    private func put(_ index: Int, step: Int, _ key: inout Bytes, _ value: inout Bytes, _ outcome: inout ThreadOutcome) throws {
        format.write(index, into: &key)
        values.fill(&value, index: index, step: step)
        try target.put(key, value)
        outcome.logicalBytesWritten += key.count + value.count
    }

    /// Writes `count` fill steps from `firstStep` as one atomic batch (one commit).
    private func fillBatch(_ workload: Workload, thread: Int, firstStep: Int, count: Int, _ outcome: inout ThreadOutcome) throws {
        var batch = WriteBatch()
        var key = Bytes(repeating: 0, count: settings.keySize)
        var value = Bytes(repeating: 0, count: settings.valueSize)
        for step in firstStep..<(firstStep + count) {
            let index = insertIndex(workload, thread: thread, step: step)
            format.write(index, into: &key)
            values.fill(&value, index: index, step: step)
            batch.put(key, value)
        }
        try target.apply(batch)
        outcome.logicalBytesWritten += batch.payloadBytes
    }
}
