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
    }
}
