import CairnCore

/// Partition transfers as sans-IO state machines: when a plan moves a partition, its old owner's `Sender`
/// streams the partition's key range in bounded batches to the new owner's `Receiver`, which merges each copy
/// into its own (never overwriting), persists it and acknowledges the batch's last key. Messages, timer ticks
/// and clock readings go in; `Directive`s come out, performed in order by the node's shell (storage through
/// `EngineReplicaStore+Transfers`).
public enum Transfer {}

extension Transfer {
    /// One planned move: `table`'s partition `partition` goes from `from` (the old owner) to `to` (the new one).
    public struct ID: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var table: String
        public var partition: Int
        public var from: NodeID
        public var to: NodeID

        public init(table: String, partition: Int, from: NodeID, to: NodeID) {
            precondition(from != to, "a transfer moves a partition between two different nodes")
            self.table = table
            self.partition = partition
            self.from = from
            self.to = to
        }

        public var description: String { "\(table)/p\(partition) \(from)→\(to)" }

        public static func < (left: ID, right: ID) -> Bool {
            (left.table, left.partition, left.from, left.to) < (right.table, right.partition, right.from, right.to)
        }
    }

    /// One key's stored copy as it travels: the client key (without the partition prefix) and its encoded
    /// `SiblingSet`.
    public struct Entry: Hashable, Sendable {
        public var key: [UInt8]
        public var data: [UInt8]

        public init(key: [UInt8], data: [UInt8]) {
            self.key = key
            self.data = data
        }

        /// The bytes the entry costs a batch and the throttle.
        public var bytes: Int { key.count + data.count }
    }

    /// Which side of a transfer a node plays.
    public enum Role: UInt8, Hashable, Sendable {
        case sender = 1
        case receiver = 2
    }

    /// The bounds of every transfer a node runs; `check()` refuses settings outside them.
    public struct Limits: Hashable, Sendable {
        /// Most keys in one batch.
        public var batchKeysMax: Int
        /// Most key and copy bytes in one batch; a single copy larger than this travels alone.
        public var batchBytesMax: Int
        /// Bytes per second a node sends over all its transfers (nil: unthrottled).
        public var bytesPerSecondMax: Int?
        /// Transfers a node sends at once; the rest wait queued.
        public var concurrentTransfersMax: Int
        /// How long a sender waits for an answer before asking again.
        public var retryMilliseconds: UInt64
        /// Keys written behind the scan that a sender remembers; past it the scan starts over instead.
        public var dirtyKeysMax: Int

        public init(
            batchKeysMax: Int = 512, batchBytesMax: Int = 1 << 20, bytesPerSecondMax: Int? = 16 << 20,
            concurrentTransfersMax: Int = 2, retryMilliseconds: UInt64 = 1_000, dirtyKeysMax: Int = 100_000
        ) {
            self.batchKeysMax = batchKeysMax
            self.batchBytesMax = batchBytesMax
            self.bytesPerSecondMax = bytesPerSecondMax
            self.concurrentTransfersMax = concurrentTransfersMax
            self.retryMilliseconds = retryMilliseconds
            self.dirtyKeysMax = dirtyKeysMax
        }

        /// Hard ceilings on the settings, so one transfer cannot hold a node's memory or an engine batch.
        public static let batchKeysMaxLimit = 10_000
        public static let batchBytesMaxLimit = 64 << 20
        public static let concurrentTransfersMaxLimit = 64
        public static let dirtyKeysMaxLimit = 10_000_000

        /// Throws a one-line error naming the first setting outside its bounds.
        public func check() throws(TransferError) {
            func require(_ ok: Bool, _ name: String, _ value: Int, _ range: String) throws(TransferError) {
                guard ok else { throw .limitInvalid("\(name) is \(value), must be \(range)") }
            }
            try require((1...Self.batchKeysMaxLimit).contains(batchKeysMax), "batchKeysMax", batchKeysMax, "1…\(Self.batchKeysMaxLimit)")
            try require((1...Self.batchBytesMaxLimit).contains(batchBytesMax), "batchBytesMax", batchBytesMax, "1…\(Self.batchBytesMaxLimit)")
            try require(
                (1...Self.concurrentTransfersMaxLimit).contains(concurrentTransfersMax), "concurrentTransfersMax",
                concurrentTransfersMax, "1…\(Self.concurrentTransfersMaxLimit)")
            try require((1...Self.dirtyKeysMaxLimit).contains(dirtyKeysMax), "dirtyKeysMax", dirtyKeysMax, "1…\(Self.dirtyKeysMaxLimit)")
            if let rate = bytesPerSecondMax { try require(rate >= 1, "bytesPerSecondMax", rate, "at least 1 (or nil)") }
            try require(retryMilliseconds >= 1, "retryMilliseconds", Int(clamping: retryMilliseconds), "at least 1")
        }
    }

    /// Whether `left` sorts before `right` byte-wise (the engines' key order).
    public static func precedes(_ left: [UInt8], _ right: [UInt8]) -> Bool { left.lexicographicallyPrecedes(right) }

    /// The later of two scan positions (nil is before every key).
    static func later(_ left: [UInt8]?, _ right: [UInt8]?) -> [UInt8]? {
        guard let left else { return right }
        guard let right else { return left }
        return precedes(left, right) ? right : left
    }

    /// An arriving copy merged into the stored one: the encoded union, or nil when the stored copy already holds
    /// everything (nothing to write). Never an overwrite: a stored copy that cannot be decoded throws
    /// `corruptReplicaData` and stays as it is, and so does one whose merge would pass the stored bounds.
    public static func merged(stored: [UInt8]?, incoming: [UInt8], policy: ConflictPolicy) throws(ReplicationError) -> [UInt8]? {
        let arriving = try SiblingSetCodec.decode(incoming)
        guard let stored else { return incoming }
        let local: SiblingSet
        do { local = try SiblingSetCodec.decode(stored) } catch {
            throw .corruptReplicaData("the stored copy cannot be decoded, so the arriving one is not merged over it: \(error)")
        }
        let union = try local.mergedWithinStoredLimits(arriving, policy: policy)
        return union == local ? nil : SiblingSetCodec.encode(union)
    }
}

/// Every way a transfer refuses a request or a setting.
public enum TransferError: Error, Hashable, Sendable, CustomStringConvertible {
    case limitInvalid(String)
    case unknownTable(String)
    case notTheOldOwner(Transfer.ID, node: NodeID)
    case duplicateTransfer(Transfer.ID)
    case partitionOutOfRange(partition: Int, partitionCount: Int)
    case keyOutsidePartition(keyPartition: Int, transferPartition: Int)
    case recordCorrupt(String)

    public var description: String {
        switch self {
        case .limitInvalid(let detail): "invalid transfer limits: \(detail)"
        case .unknownTable(let table): "no table named '\(table)' to transfer"
        case .notTheOldOwner(let id, let node): "node \(node) cannot send \(id): it is not the old owner"
        case .duplicateTransfer(let id): "transfer \(id) is already planned"
        case .partitionOutOfRange(let partition, let count): "partition \(partition) is not within 0..<\(count)"
        case .keyOutsidePartition(let key, let transfer): "a key of partition \(key) arrived in a transfer of partition \(transfer)"
        case .recordCorrupt(let detail): "transfer record is corrupt: \(detail)"
        }
    }
}
