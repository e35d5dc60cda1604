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
/// The hint engine also keeps the node's incarnation counter, under a key no hint key can take (a zero byte).
public final class EngineReplicaStore: ReplicaStorageView {
    public let ring: Ring
    private let tables: [String: any StorageEngine]
    private let hintEngine: any StorageEngine

    public init(ring: Ring, tables: [String: any StorageEngine], hints: any StorageEngine) {
        self.ring = ring
        self.tables = tables
        self.hintEngine = hints
    }

    /// The stored copy of a key; a storage failure is thrown, never read as an absent copy.
    public func load(table: String, key: [UInt8]) throws -> [UInt8]? {
        guard let engine = tables[table] else { return nil }
        return try engine.get(storedKey(key))
    }

    /// Where the incarnation counter is kept in the hint engine: hint keys start with an owner length of 1 or more.
    static let incarnationKey: [UInt8] = [0] + Array("incarnation".utf8)

    /// Begins a new epoch: the stored counter plus one, or, when there is none (a new or wiped disk), the wall
    /// clock in milliseconds, which is past every epoch this node had before (epochs since the clock's are
    /// counted up from it). The new value is synced to disk before it is returned; the node serves only after.
    public func beginIncarnation(wallClockMilliseconds: UInt64) throws -> UInt64 {
        let stored = try hintEngine.get(Self.incarnationKey).flatMap { bytes -> UInt64? in
            guard bytes.count == 8 else { return nil }
            return bytes.reduce(0) { $0 << 8 | UInt64($1) }
        }
        let next = stored.map { $0 + 1 } ?? max(1, wallClockMilliseconds)
        try hintEngine.put(Self.incarnationKey, withUnsafeBytes(of: next.bigEndian) { Array($0) })
        try hintEngine.sync()
        return next
    }

    /// Performs a storage directive (persist, remove, persistHint, removeHint); other directives are the caller's.
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
        case .send, .reply, .startTimer, .log:
            break
        }
    }

    /// Every stored hint, for a restarting node.
    public func storedHints() throws -> [Hint] {
        try hintEngine.entries().compactMap { entry in
            guard entry.key.first != 0, let slot = Self.slot(fromHintKey: entry.key) else { return nil }
            return Hint(owner: slot.owner, table: slot.table, key: slot.key, data: entry.value)
        }
    }

    /// Every (key, encoded copy) stored for a table, in stored order.
    public func storedCopies(table: String) throws -> [(key: [UInt8], data: [UInt8])] {
        try engine(table).entries().map { (Array($0.key.dropFirst(4)), $0.value) }
    }

    private func engine(_ table: String) throws -> any StorageEngine {
        guard let engine = tables[table] else { throw ReplicationError.unknownTable(table) }
        return engine
    }

    func storedKey(_ key: [UInt8]) -> [UInt8] {
        let partition = UInt32(ring.partition(for: key))
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
