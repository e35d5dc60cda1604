import CairnCore
import CairnReplication
import CairnStorage

/// The storage side of partition transfers: scans one partition's key range in bounded batches, merges arriving
/// copies into the stored ones, drops a partition that moved away, and keeps each transfer's durable records.
///
/// A partition is one contiguous range of a table engine (`partition (4 bytes, big-endian) ‖ key`). The records
/// live in the hint engine under `0 ‖ "transfer" ‖ kind ‖ hash of the transfer`, where hint keys (an owner
/// length of 1 or more first) never go, beside the node's start record (see `NodeStartRecord`); `storedHints`
/// skips every key that starts with a zero byte. Kinds: 1 the sender's progress, 2 the receiver's, 3 a dirty
/// key (the key follows the hash). Each value holds the transfer's full id, so a record reads back whole.
extension EngineReplicaStore: Transfer.StorageView {
    /// The first bytes of every transfer record in the hint engine.
    static let transferRecordPrefix: [UInt8] = [0] + Array("transfer".utf8)
    /// Most keys one delete batch of `dropPartition` removes.
    static let dropBatchKeysMax = 10_000

    public func scanPartition(table: String, partition: Int, after: [UInt8]?, keysMax: Int, bytesMax: Int) throws -> [Transfer.Entry] {
        precondition(keysMax >= 1 && bytesMax >= 1, "a transfer batch holds at least one key and one byte")
        let engine = try transferEngine(table)
        let prefix = try partitionPrefix(partition)
        let lower = after.map { prefix + $0 + [0] } ?? prefix
        var entries: [Transfer.Entry] = []
        var bytes = 0
        try engine.scan(KeyRange(from: lower, to: try partitionPrefix(partition + 1, upperBound: true))) { key, value in
            let entryBytes = key.count - prefix.count + value.count
            if !entries.isEmpty, bytes + entryBytes > bytesMax { return .stop }
            entries.append(Transfer.Entry(key: Array(key[prefix.count...]), data: Array(value)))
            bytes += entryBytes
            return entries.count < keysMax ? .next : .stop
        }
        return entries
    }

    /// Performs a transfer's storage directive; sends, timers and logs are the caller's. Throws on a storage
    /// failure, a key outside the partition, or a stored copy that cannot be decoded (left as it is).
    public func perform(_ directive: Transfer.Directive) throws {
        switch directive {
        case .mergeCopies(let table, let partition, let entries, let policy):
            try mergeCopies(table: table, partition: partition, entries: entries, policy: policy)
        case .recordProgress(let record):
            try hintEngine.put(Self.progressKey(record.id, role: record.role), TransferRecordCodec.encode(record))
            try hintEngine.sync()
        case .removeProgress(let id, let role):
            try hintEngine.delete(Self.progressKey(id, role: role))
            try hintEngine.sync()
        case .recordDirty(let id, let key):
            try hintEngine.put(Self.dirtyPrefix(id) + key, TransferRecordCodec.encode(id))
            try hintEngine.sync()
        case .clearDirty(let id, let key):
            try hintEngine.delete(Self.dirtyPrefix(id) + key)
        case .clearAllDirty(let id):
            try deleteAll(in: .prefix(Self.dirtyPrefix(id)), of: hintEngine)
            try hintEngine.sync()
        case .dropPartition(let table, let partition):
            let engine = try transferEngine(table)
            try markStartRecordDroppedPartition()
            try deleteAll(in: KeyRange(from: try partitionPrefix(partition), to: try partitionPrefix(partition + 1, upperBound: true)), of: engine)
            try engine.sync()
        case .send, .startTimer, .log:
            break
        }
    }

    /// Marks the start record (synced) before a partition is dropped: its keys lose their history here, so the
    /// next start begins a new incarnation (the core's per-partition actors are volatile).
    func markStartRecordDroppedPartition() throws {
        guard var record = try hintEngine.get(NodeStartRecord.key).flatMap(NodeStartRecord.init(decoding:)), !record.droppedPartition else { return }
        record.droppedPartition = true
        try hintEngine.put(NodeStartRecord.key, record.encoded())
        try hintEngine.sync()
    }

    /// Every transfer progress record this node keeps (both roles), for `Sender.restore` and `Receiver.restore`.
    /// A record that does not decode is an error, not a missing transfer.
    public func storedTransferRecords() throws -> [Transfer.ProgressRecord] {
        var records: [Transfer.ProgressRecord] = []
        for role in [Transfer.Role.sender, .receiver] {
            for entry in try hintEngine.entries(in: .prefix(Self.transferRecordPrefix + [role.rawValue])) {
                records.append(try TransferRecordCodec.decodeRecord(entry.value))
            }
        }
        return records
    }

    /// Every dirty key recorded, by transfer, for `Sender.restore`.
    public func storedDirtyKeys() throws -> [Transfer.ID: [[UInt8]]] {
        var keys: [Transfer.ID: [[UInt8]]] = [:]
        let prefixBytes = Self.transferRecordPrefix.count + 1 + 8
        for entry in try hintEngine.entries(in: .prefix(Self.transferRecordPrefix + [3])) {
            let id = try TransferRecordCodec.decodeID(entry.value)
            guard entry.key.count > prefixBytes, Array(entry.key.prefix(prefixBytes)) == Self.dirtyPrefix(id) else {
                throw TransferRecordCodec.corrupt("dirty-key record does not match its transfer \(id)")
            }
            keys[id, default: []].append(Array(entry.key[prefixBytes...]))
        }
        return keys
    }

    // MARK: Steps

    private func mergeCopies(table: String, partition: Int, entries: [Transfer.Entry], policy: ConflictPolicy) throws {
        let engine = try transferEngine(table)
        var batch = WriteBatch()
        for entry in entries {
            let stored = storedKey(entry.key)
            guard stored.prefix(4).elementsEqual(try partitionPrefix(partition)) else {
                throw TransferError.keyOutsidePartition(keyPartition: Ring.partition(for: entry.key, partitionCount: partitionCount), transferPartition: partition)
            }
            if let merged = try Transfer.merged(stored: try engine.get(stored), incoming: entry.data, policy: policy) {
                batch.put(stored, merged)
            }
        }
        if !batch.isEmpty { try engine.apply(batch) }
        try engine.sync()
    }

    private func deleteAll(in range: KeyRange, of engine: any StorageEngine) throws {
        while true {
            let keys = try engine.entries(in: range, limit: Self.dropBatchKeysMax).map(\.key)
            guard !keys.isEmpty else { return }
            try engine.apply(WriteBatch(keys.map { .delete(key: $0) }))
        }
    }

    /// The 4-byte prefix of `partition`'s keys; `upperBound` allows one past the last partition (the end of the
    /// range, still below the incarnation stamp's four 0xFF bytes).
    private func partitionPrefix(_ partition: Int, upperBound: Bool = false) throws -> [UInt8] {
        let count = partitionCount + (upperBound ? 1 : 0)
        guard (0..<count).contains(partition) else {
            throw TransferError.partitionOutOfRange(partition: partition, partitionCount: partitionCount)
        }
        return withUnsafeBytes(of: UInt32(partition).bigEndian) { Array($0) }
    }

    private func transferEngine(_ table: String) throws -> any StorageEngine {
        guard let engine = tables[table] else { throw TransferError.unknownTable(table) }
        return engine
    }

    static func progressKey(_ id: Transfer.ID, role: Transfer.Role) -> [UInt8] {
        transferRecordPrefix + [role.rawValue] + idHash(id)
    }

    static func dirtyPrefix(_ id: Transfer.ID) -> [UInt8] { transferRecordPrefix + [3] + idHash(id) }

    /// 8 bytes naming a transfer in record keys: a stable hash of its encoded id (ids can be longer than the
    /// room a key leaves). Two transfers sharing one would share records: a chance of about 2⁻⁶⁴ per pair.
    static func idHash(_ id: Transfer.ID) -> [UInt8] {
        withUnsafeBytes(of: StableHash.hash(TransferRecordCodec.encode(id)).bigEndian) { Array($0) }
    }
}
