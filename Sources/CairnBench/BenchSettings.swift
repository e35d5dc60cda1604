import CairnStorage

/// Everything that shapes one engine-comparison run; shared by the parent command and its per-engine children.
public struct BenchSettings: Codable, Sendable, Equatable {
    /// Keys loaded by the fill workloads, and the key space the others draw from.
    public var keys: Int
    /// Bytes per key (decimal digits, zero-padded, so key order is numeric order).
    public var keySize: Int
    public var valueSize: Int
    public var threads: Int
    public var durability: Durability
    /// Seconds each non-fill workload runs; when nil, each runs `operations` operations instead.
    public var durationSeconds: Double?
    /// Operations each non-fill workload runs when no duration is set; nil means as many as there are keys.
    /// Fills always write `keys` keys. Counts, not durations, make engines do identical work, which keeps
    /// LevelDB's compaction state (and so the ratios to raw C) comparable.
    public var operations: Int?
    public var distribution: KeyDistribution
    public var seed: UInt64

    public static let keysMax = 100_000_000
    public static let threadsMax = 256
    public static let durationSecondsMax = 3_600.0

    public init(
        keys: Int = 1_000_000, keySize: Int = 16, valueSize: Int = 100, threads: Int = 1,
        durability: Durability = .buffered, durationSeconds: Double? = nil, operations: Int? = nil,
        distribution: KeyDistribution = .uniform, seed: UInt64 = 42
    ) {
        self.keys = keys
        self.keySize = keySize
        self.valueSize = valueSize
        self.threads = threads
        self.durability = durability
        self.durationSeconds = durationSeconds
        self.operations = operations
        self.distribution = distribution
        self.seed = seed
    }

    /// Operations each thread-pooled workload runs, or nil when it runs for `durationSeconds`.
    public func operationCount(for workload: Workload) -> Int? {
        if workload.isFill { return keys }
        if durationSeconds != nil { return nil }
        return operations ?? keys
    }

    /// How long each non-fill workload runs, in words.
    public var runLength: String {
        if let durationSeconds { return "\(durationSeconds) s per workload" }
        return "\(Formatting.count(Double(operations ?? keys))) operations per workload"
    }

    /// The settings in one line, for headers and reports.
    public var summary: String {
        "\(Formatting.count(Double(keys))) keys, \(keySize)-byte keys, \(valueSize)-byte values, "
            + "\(threads == 1 ? "1 thread" : "\(threads) threads"), \(durability) durability, \(distribution) key choice, \(runLength)"
    }

    /// The first problem with these settings, or nil when they can run.
    public var problem: String? {
        if keys < 1 || keys > Self.keysMax { return "--keys must be between 1 and \(Self.keysMax)" }
        let digits = String(keys * 2).count
        if keySize < digits + 1 || keySize > StorageLimits.keyBytesMax {
            return "--key-size must be between \(digits + 1) (digits of the key space plus one) and \(StorageLimits.keyBytesMax)"
        }
        if valueSize < 8 || valueSize > 1 << 20 { return "--value-size must be between 8 and 1048576" }
        if threads < 1 || threads > Self.threadsMax { return "--threads must be between 1 and \(Self.threadsMax)" }
        if let operations, operations < 1 { return "--ops must be positive" }
        if operations != nil, durationSeconds != nil { return "give --ops or --duration, not both" }
        if let durationSeconds, !(durationSeconds > 0 && durationSeconds <= Self.durationSecondsMax) {
            return "--duration must be between 0 and \(Int(Self.durationSecondsMax)) seconds"
        }
        return nil
    }
}

/// How workloads pick which existing key to touch.
public enum KeyDistribution: String, Codable, Sendable, CaseIterable {
    /// Every key equally likely.
    case uniform
    /// YCSB's scrambled zipfian (θ = 0.99): a few hot keys spread over the key space.
    case zipfian
}
