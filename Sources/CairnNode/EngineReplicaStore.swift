import CairnCore
import CairnReplication
import CairnStorage

/// Performs a node's storage directives on real engines through the storage protocol, and serves its reads.
///
/// Each replicated table is one engine; keys are stored as `partition (4 bytes, big-endian) ‖ key`, so a
/// partition is one contiguous range for transfers and anti-entropy. Hints live in an engine of their own,
/// keyed by `owner ‖ table ‖ key` (owner and table length-prefixed), so delivering one owner's hints is a
/// range scan. `ReplicationLimits.keyBytesMax` leaves room for both prefixes at their longest
/// (`nodeNameBytesMax`, `tableNameBytesMax`), so any accepted key fits the engines' key limit either way.
/// The hint engine also keeps the node's start record, and each table engine a stamp of the incarnation it
/// holds history for, under keys no stored key can take (see `NodeStartRecord`, `beginStart`, `stopCleanly`).
///
/// The store knows the partition count Q (fixed when the cluster is created), not the ring: the ring may change
/// while the node runs, but a key's partition, and so its stored key, does not.
public final class EngineReplicaStore: ReplicaStorageView {
    public let partitionCount: Int
    /// One engine per replicated table; a table the gossiped catalog creates is added by `addTable`.
    var tables: [String: any StorageEngine]
    let hintEngine: any StorageEngine

    public init(partitionCount: Int, tables: [String: any StorageEngine], hints: any StorageEngine) {
        precondition(
            (Ring.partitionCountMin...Ring.partitionCountMax).contains(partitionCount),
            "Q is \(Ring.partitionCountMin)…\(Ring.partitionCountMax)")
        self.partitionCount = partitionCount
        self.tables = tables
        self.hintEngine = hints
    }

    /// The stored copy of a key; a storage failure is thrown, never read as an absent copy.
    public func load(table: String, key: [UInt8]) throws -> [UInt8]? {
        guard let engine = tables[table] else { return nil }
        return try engine.get(storedKey(key))
    }

    /// Performs a storage directive (persist, remove, persistHint, removeHint, quarantine); other directives are the caller's.
    public func perform(_ directive: Directive) throws {
        switch directive {
        case .persist(let table, let key, let data):
            try engine(table).put(storedKey(key), data)
        case .remove(let table, let key):
            try engine(table).delete(storedKey(key))
        case .persistHint(let hint):
            try hintEngine.put(Self.hintKey(hint.slot), hint.data)
        case .removeHint(let slot):
            try hintEngine.delete(Self.hintKey(slot))
        case .quarantine(let table, let key, let data):
            try quarantine(table: table, key: key, data: data)
        case .send, .reply, .startTimer, .log:
            break
        }
    }

    /// Every stored hint, for a restarting node.
    public func storedHints() throws -> [Hint] {
        try hintEngine.entries().compactMap { entry in
            guard entry.key.first != NodeStartRecord.key.first, let slot = Self.slot(fromHintKey: entry.key) else { return nil }
            return Hint(owner: slot.owner, table: slot.table, key: slot.key, data: entry.value)
        }
    }

    /// Every (key, encoded copy) stored for a table, in stored order.
    public func storedCopies(table: String) throws -> [(key: [UInt8], data: [UInt8])] {
        try engine(table).entries().filter { $0.key != Self.incarnationStampKey }.map { (Array($0.key.dropFirst(4)), $0.value) }
    }

    func engine(_ table: String) throws -> any StorageEngine {
        guard let engine = tables[table] else { throw ReplicationError.unknownTable(table) }
        return engine
    }

    func storedKey(_ key: [UInt8]) -> [UInt8] {
        let partition = UInt32(Ring.partition(for: key, partitionCount: partitionCount))
        return withUnsafeBytes(of: partition.bigEndian) { Array($0) } + key
    }

    static func hintKey(_ slot: HintSlot) -> [UInt8] {
        var out: [UInt8] = []
        let owner = Array(slot.owner.name.utf8)
        let table = Array(slot.table.utf8)
        precondition(
            (1...ReplicationLimits.nodeNameBytesMax).contains(owner.count)
                && (1...ReplicationLimits.tableNameBytesMax).contains(table.count),
            "hint owners and tables are within nodeNameBytesMax and tableNameBytesMax")
        for part in [owner, table] {
            out.append(UInt8(part.count))
            out += part
        }
        out += slot.key
        assert(out.count <= StorageLimits.keyBytesMax || slot.key.count > ReplicationLimits.keyBytesMax, "keyBytesMax leaves room for the hint prefix")
        return out
    }

    static func slot(fromHintKey bytes: [UInt8]) -> HintSlot? {
        var offset = 0
        var parts: [String] = []
        for _ in 0..<2 {
            guard offset < bytes.count else { return nil }
            let length = Int(bytes[offset])
            guard offset + 1 + length <= bytes.count else { return nil }
            parts.append(String(decoding: bytes[(offset + 1)..<(offset + 1 + length)], as: UTF8.self))
            offset += 1 + length
        }
        return HintSlot(owner: NodeID(parts[0]), table: parts[1], key: Array(bytes[offset...]))
    }
}
