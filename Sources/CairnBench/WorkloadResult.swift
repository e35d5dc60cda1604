/// The figures of one workload on one engine, as printed, charted and written to JSON.
public struct WorkloadResult: Codable, Sendable, Equatable {
    public var engine: BenchEngine
    public var workload: Workload
    public var operations: Int
    public var seconds: Double
    public var opsPerSecond: Double
    public var p50Microseconds: Double
    public var p99Microseconds: Double
    public var p999Microseconds: Double
    public var maxMicroseconds: Double
    public var diskBytes: Int
    public var peakResidentBytes: Int
    /// Reads that found a key they should have missed, or missed one they should have found. Always 0 in a
    /// correct run; reported rather than hidden.
    public var unexpectedResults: Int
    /// Throughput of each of the consecutive slices the workload ran in (see `BenchSettings.slices`).
    public var sliceOpsPerSecond: [Double]?
    /// Key and value bytes the workload asked the engine to write (puts) or remove (deletes' keys).
    public var logicalBytesWritten: Int?
    /// Key and value bytes of the entries in the table after the workload, when known (not after deletes).
    public var liveLogicalBytes: Int?
    /// Bytes the engine's process wrote to the storage layer (`/proc/self/io` `write_bytes`) during the workload
    /// and the background work it left (LevelDB's compactions, waited out untimed), or nil where unknown.
    public var deviceBytesWritten: Int?
    /// Bytes the engine's process passed to write calls (`/proc/self/io` `wchar`) over the same span as
    /// `deviceBytesWritten`: what the engine asked the kernel to write, before page-cache rounding.
    public var syscallBytesWritten: Int?
    /// Seconds to close and reopen the table after a fill, for engines that persist.
    public var reopenSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case engine, workload, operations, seconds
        case opsPerSecond = "ops_per_sec"
        case p50Microseconds = "p50_us"
        case p99Microseconds = "p99_us"
        case p999Microseconds = "p999_us"
        case maxMicroseconds = "max_us"
        case diskBytes = "disk_bytes"
        case peakResidentBytes = "peak_rss_bytes"
        case unexpectedResults = "unexpected_results"
        case sliceOpsPerSecond = "slice_ops_per_sec"
        case logicalBytesWritten = "logical_bytes_written"
        case liveLogicalBytes = "live_logical_bytes"
        case deviceBytesWritten = "device_bytes_written"
        case syscallBytesWritten = "syscall_bytes_written"
        case reopenSeconds = "reopen_seconds"
    }
}

extension WorkloadResult {
    /// Fewer operations than this are too few to measure: the result is flagged and left out of the advice.
    public static let measuredOperationsMin = 1_000
    /// A workload shorter than this (in seconds) is too short to measure on a shared machine.
    public static let measuredSecondsMin = 0.1

    /// Why the figures cannot be trusted, or nil when the workload ran long enough to measure.
    public var measurementProblem: String? {
        if operations < Self.measuredOperationsMin {
            return "only \(operations) operations (under \(Self.measuredOperationsMin)): too few to measure"
        }
        if seconds < Self.measuredSecondsMin {
            return String(format: "ran %.3f s (under %.1f s): too short to measure", seconds, Self.measuredSecondsMin)
        }
        return nil
    }

    public var isMeasured: Bool { measurementProblem == nil }

    /// The range of the slices' throughputs, when the workload ran in two or more non-empty slices. From five
    /// slices on, the slowest and fastest are dropped (the second-slowest to the second-fastest), so one stall
    /// in one slice — an fsync that waited on a neighbour's I/O — does not make every difference a tie.
    public var sliceRange: ClosedRange<Double>? {
        guard let rates = sliceOpsPerSecond?.filter({ $0 > 0 }).sorted(), rates.count >= 2 else { return nil }
        let trimmed = rates.count >= Self.trimmedSlicesMin ? Array(rates.dropFirst().dropLast()) : rates
        return trimmed.first!...trimmed.last!
    }

    /// From this many slices on, `sliceRange` leaves out the slowest and the fastest.
    public static let trimmedSlicesMin = 5

    /// The width of `sliceRange` ÷ overall throughput: the run's own noise, as a share.
    public var relativeSpread: Double? {
        guard let range = sliceRange, opsPerSecond > 0 else { return nil }
        return (range.upperBound - range.lowerBound) / opsPerSecond
    }

    /// Bytes on disk ÷ logical key and value bytes in the table; nil where either is unknown or zero.
    public var spaceAmplification: Double? {
        guard let live = liveLogicalBytes, live > 0, diskBytes > 0 else { return nil }
        return Double(diskBytes) / Double(live)
    }

    /// Bytes written to the storage layer ÷ logical bytes written; nil for read-only workloads or when unknown.
    public var writeAmplification: Double? { amplification(deviceBytesWritten) }

    /// Bytes passed to write calls ÷ logical bytes written; nil for read-only workloads or when unknown.
    public var syscallWriteAmplification: Double? { amplification(syscallBytesWritten) }

    private func amplification(_ written: Int?) -> Double? {
        guard engine.persists, let logical = logicalBytesWritten, logical > 0, let written else { return nil }
        return Double(written) / Double(logical)
    }
}
