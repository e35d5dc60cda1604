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
    /// Seconds each non-fill workload runs; when nil, each runs `operations` operations instead. A timed workload
    /// runs on past this until it has done `WorkloadResult.measuredOperationsMin` operations, for at most a minute.
    public var durationSeconds: Double?
    /// Operations each non-fill workload runs when no duration is set; nil means as many as there are keys.
    /// Fills always write `keys` keys. Counts, not durations, make engines do identical work, which keeps
    /// LevelDB's compaction state (and so the ratios to raw C) comparable.
    public var operations: Int?
    public var distribution: KeyDistribution
    public var seed: UInt64
    /// How far values compress, as db_bench's `--compression_ratio`: 0.5 means a compressor halves them.
    public var compressionRatio: Double
    /// Puts grouped into one atomic batch (one commit, so one fsync under sync durability) by the fill
    /// workloads, on engines that take batches; 1 means one put per commit.
    public var fillBatch: Int
    /// Each workload runs in this many consecutive slices; the spread of their throughputs is the run's noise.
    public var slices: Int
    /// Before each non-fill workload, a persistent table is closed, its files dropped from the page cache and
    /// reopened (untimed), so its reads start from the disk.
    public var coldReads: Bool

    public static let keysMax = 100_000_000
    /// Values carry 8 bytes of their own (see `ValueSource`), so none is shorter.
    public static let valueBytesMin = 8
    /// Largest benchmark value: the value-size sweep's 256 KiB with room to spare, far under the engines' limit.
    public static let valueBytesMax = 1 << 20
    public static let threadsMax = 256
    public static let durationSecondsMax = 3_600.0
    public static let fillBatchMax = 100_000
    public static let slicesMax = 100
    public static let defaultCompressionRatio = 0.5
    public static let defaultSlices = 5
    /// Stands for the one repeated value pattern of runs saved before values were random; never valid to run.
    public static let patternCompressionRatio = 0.0

    public init(
        keys: Int = 1_000_000, keySize: Int = 16, valueSize: Int = 100, threads: Int = 1,
        durability: Durability = .buffered, durationSeconds: Double? = nil, operations: Int? = nil,
        distribution: KeyDistribution = .uniform, seed: UInt64 = 42,
        compressionRatio: Double = BenchSettings.defaultCompressionRatio, fillBatch: Int = 1,
        slices: Int = BenchSettings.defaultSlices, coldReads: Bool = false
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
        self.compressionRatio = compressionRatio
        self.fillBatch = fillBatch
        self.slices = slices
        self.coldReads = coldReads
    }

    enum CodingKeys: String, CodingKey {
        case keys, keySize, valueSize, threads, durability, durationSeconds, operations, distribution, seed
        case compressionRatio, fillBatch, slices, coldReads
    }

    /// Decodes settings, taking the defaults for fields that runs saved before them lack.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            keys: try container.decode(Int.self, forKey: .keys), keySize: try container.decode(Int.self, forKey: .keySize),
            valueSize: try container.decode(Int.self, forKey: .valueSize),
            threads: try container.decode(Int.self, forKey: .threads),
            durability: try container.decode(Durability.self, forKey: .durability),
            durationSeconds: try container.decodeIfPresent(Double.self, forKey: .durationSeconds),
            operations: try container.decodeIfPresent(Int.self, forKey: .operations),
            distribution: try container.decode(KeyDistribution.self, forKey: .distribution),
            seed: try container.decode(UInt64.self, forKey: .seed),
            // Runs saved before these settings existed wrote one 100-byte pattern, unbatched, unsliced.
            compressionRatio: try container.decodeIfPresent(Double.self, forKey: .compressionRatio) ?? Self.patternCompressionRatio,
            fillBatch: try container.decodeIfPresent(Int.self, forKey: .fillBatch) ?? 1,
            slices: try container.decodeIfPresent(Int.self, forKey: .slices) ?? 1,
            coldReads: try container.decodeIfPresent(Bool.self, forKey: .coldReads) ?? false)
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
            + "\(threads == 1 ? "1 thread" : "\(threads) threads"), \(durability) durability"
            + (fillBatch > 1 ? " (fills in batches of \(fillBatch))" : "")
            + ", \(distribution) key choice, "
            + (compressionRatio == Self.patternCompressionRatio
                ? "one repeated value pattern (a run from before random values)" : "compression ratio \(compressionRatio)")
            + ", \(runLength) in \(slices == 1 ? "1 slice" : "\(slices) slices")"
            + (coldReads ? ", page cache dropped before each workload" : "")
    }

    /// The first problem with running these settings on `engines`, or nil when they can run.
    public func problem(engines: [BenchEngine]) -> String? {
        if let problem { return problem }
        if fillBatch > 1, let engine = engines.first(where: { !$0.takesBatches }) {
            return "--fill-batch \(fillBatch): \(engine.rawValue) takes no batches; leave it out or use --fill-batch 1"
        }
        return nil
    }

    /// The first problem with these settings, or nil when they can run.
    public var problem: String? {
        if keys < 1 || keys > Self.keysMax { return "--keys must be between 1 and \(Self.keysMax)" }
        let digits = String(keys * 2).count
        if keySize < digits + 1 || keySize > StorageLimits.keyBytesMax {
            return "--key-size must be between \(digits + 1) (digits of the key space plus one) and \(StorageLimits.keyBytesMax)"
        }
        if valueSize < Self.valueBytesMin || valueSize > Self.valueBytesMax {
            return "--value-size must be between \(Self.valueBytesMin) and \(Self.valueBytesMax)"
        }
        if threads < 1 || threads > Self.threadsMax { return "--threads must be between 1 and \(Self.threadsMax)" }
        if let operations, operations < 1 { return "--ops must be positive" }
        if operations != nil, durationSeconds != nil { return "give --ops or --duration, not both" }
        if !(compressionRatio > 0 && compressionRatio <= 1) { return "--compression-ratio must be above 0 and at most 1" }
        if fillBatch < 1 || fillBatch > Self.fillBatchMax { return "--fill-batch must be between 1 and \(Self.fillBatchMax)" }
        if slices < 1 || slices > Self.slicesMax { return "--workload-slices must be between 1 and \(Self.slicesMax)" }
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
