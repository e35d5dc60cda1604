/// The named workloads of `cairn bench engines`, after LevelDB's db_bench and the YCSB core workloads.
public enum Workload: String, CaseIterable, Codable, Sendable {
    case fillseq, fillrandom, overwrite, readrandom, readmissing, readseq
    case ycsbA = "ycsb-a", ycsbB = "ycsb-b", ycsbC = "ycsb-c", ycsbD = "ycsb-d", ycsbE = "ycsb-e", ycsbF = "ycsb-f"
    case deleterandom

    /// What the workload does, for help and reports.
    public var summary: String {
        switch self {
        case .fillseq: "insert every key in ascending order into an empty table"
        case .fillrandom: "insert every key in random order into an empty table"
        case .overwrite: "put new values under existing keys"
        case .readrandom: "get existing keys (every get hits)"
        case .readmissing: "get keys that are not there (every get misses)"
        case .readseq: "scan the whole table in key order (one op = one entry)"
        case .ycsbA: "YCSB A: 50% read, 50% update"
        case .ycsbB: "YCSB B: 95% read, 5% update"
        case .ycsbC: "YCSB C: read only"
        case .ycsbD: "YCSB D: 95% read of the latest keys, 5% insert"
        case .ycsbE: "YCSB E: 95% short scans (1–100 entries), 5% insert"
        case .ycsbF: "YCSB F: 50% read, 50% read-modify-write"
        case .deleterandom: "delete random existing keys"
        }
    }

    /// Whether the workload starts from an empty table and writes every key once.
    public var isFill: Bool { self == .fillseq || self == .fillrandom }

    /// The share of each operation, in percent; they add up to 100.
    var mix: [(operation: Operation, percent: Int)] {
        switch self {
        case .fillseq, .fillrandom: [(.insertNext, 100)]
        case .overwrite: [(.update, 100)]
        case .readrandom, .ycsbC: [(.read, 100)]
        case .readmissing: [(.readMissing, 100)]
        case .readseq: [(.scanAll, 100)]
        case .ycsbA: [(.read, 50), (.update, 50)]
        case .ycsbB: [(.read, 95), (.update, 5)]
        case .ycsbD: [(.readLatest, 95), (.insertNext, 5)]
        case .ycsbE: [(.shortScan, 95), (.insertNext, 5)]
        case .ycsbF: [(.read, 50), (.readModifyWrite, 50)]
        case .deleterandom: [(.delete, 100)]
        }
    }

    /// One kind of operation a workload issues.
    enum Operation {
        case read, readMissing, readLatest, update, insertNext, readModifyWrite, delete, shortScan, scanAll
    }

    /// The order in which a run executes workloads: fills first, deletes last, so each finds the table it needs.
    public static func canonicalOrder(_ chosen: Set<Workload>) -> [Workload] {
        allCases.filter(chosen.contains)
    }
}
