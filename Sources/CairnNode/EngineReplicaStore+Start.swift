import CairnCore
import CairnReplication
import CairnStorage

/// What a start decided: the counters the node's configuration takes (`NodeConfiguration.start` and
/// `.incarnation`), and why the incarnation changed, when it did.
public struct NodeStart: Equatable, Sendable {
    public var start: UInt64
    public var incarnation: UInt64
    /// Why a new incarnation began; nil when the previous one goes on.
    public var newIncarnationReason: NewIncarnationReason?

    public init(start: UInt64, incarnation: UInt64, newIncarnationReason: NewIncarnationReason?) {
        self.start = start
        self.incarnation = incarnation
        self.newIncarnationReason = newIncarnationReason
    }
}

/// Why a start begins a new dot incarnation: the node may have lost history it issued dots from.
public enum NewIncarnationReason: Equatable, Sendable, CustomStringConvertible {
    /// No start record, or one this version cannot read: a new, wiped or foreign disk.
    case noRecord
    /// A table holds no stamp of the recorded incarnation: its data is missing, wiped or from another run.
    case tableNotStamped(String)
    /// The last run did not stop cleanly and had buffered tables (those buffered now are named): writes since
    /// their last sync may be lost.
    case uncleanStop(bufferedTables: [String])
    /// The wall clock is behind the time recorded by the last run: a key written again after its tombstone was
    /// reaped would take a clock-scaled counter (`countersPerMillisecond`) it may have used before.
    case clockBehind(recordedMilliseconds: UInt64, nowMilliseconds: UInt64)
    /// A stored copy was quarantined in the last incarnation: that key lost the history of its dots.
    case quarantinedCopy
    /// A partition was dropped in the last incarnation (handed over by a transfer): its keys lost the history of
    /// their dots here.
    case droppedPartition

    public var description: String {
        switch self {
        case .noRecord: "no start record (new or wiped disk)"
        case .tableNotStamped(let table): "table '\(table)' holds no stamp of the last incarnation (missing or wiped data)"
        case .uncleanStop(let tables): "the last run did not stop cleanly and these tables are buffered: \(tables.joined(separator: ", "))"
        case .clockBehind(let recorded, let now): "the clock (\(now) ms) is behind the last run's (\(recorded) ms)"
        case .quarantinedCopy: "a stored copy that did not decode was quarantined (its key lost history)"
        case .droppedPartition: "a partition was handed over and dropped (its keys lost history)"
        }
    }
}

/// The calls a node's shell makes around the core: `beginStart` before the node serves, `stopCleanly` after
/// it has stopped serving.
///
/// Two identities are kept apart. The **start counter** is new at every start (the stored one plus one, synced
/// before the node serves); request ids and the volatile one-shot actor carry it, so nothing keyed by them is
/// reused after any restart (issue 8, bug 6). The **incarnation** names the primary's dot actor
/// `node/incarnation` and changes only when the node may have lost history it issued dots from, so clean
/// restarts do not add version-vector entries.
///
/// Why keeping the incarnation is safe: a primary takes each key's next counter from its stored copy
/// (`SiblingSet.nextDot`, read through `load`), emits `persist` before any `send` or `reply` that carries the
/// dot, and the shell performs directives in order and stops at the first failure. A dot therefore reaches
/// another node or a client only after the table engine accepted the copy holding it. On a `sync` table that
/// copy is on disk when `put` returns, so a crash loses no dot anyone else has seen, and the counter read
/// after the restart is past it. On a `buffered` table it may be lost with the machine, so an unclean stop with
/// any buffered table begins a new incarnation; a clean stop first syncs every engine (`stopCleanly`). A wiped
/// or missing table, or a missing record, also begins a new one (bug 3, KV679); each table holds a stamp of the
/// incarnation whose history it keeps. Finally, a key whose tombstone was reaped starts again from
/// `now × countersPerMillisecond`, so a clock behind the last recorded time begins a new incarnation too. The
/// recorded time is the later of the last start's and the last clean stop's clock: after an unclean stop of
/// sync tables, a step back smaller than the last run's length is not seen (reaping needs the tombstone at
/// every primary and the grace period, so only a copy out of touch past the grace could meet a reused counter).
extension EngineReplicaStore {
    /// Where each table engine keeps its incarnation stamp: stored keys are a 4-byte partition below
    /// `Ring.partitionCountMax` and at least one key byte, so four 0xFF bytes are never one.
    static let incarnationStampKey: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
    /// The largest counter a new disk starts from: leaves room to count up for as many starts as a node will make.
    public static let freshCounterMax: UInt64 = 1 << 62

    /// Begins a start: decides the start counter and the incarnation, records both durably (table stamps synced
    /// first, then the record, marked as not stopped cleanly, synced), and returns them. `bufferedTables` names
    /// the tables opened with `buffered` durability. A new or wiped disk starts both counters from
    /// `freshCounter`, random by default: not the clock, which may be behind the one the lost record counted
    /// from. Two runs of a node then share a counter with a chance of about (starts)² / 2⁶², and nothing
    /// orders incarnations or starts, they only have to differ. Throws on a storage failure or an unknown table.
    public func beginStart(
        wallClockMilliseconds: UInt64, bufferedTables: Set<String>, freshCounter: UInt64 = .random(in: 1...freshCounterMax)
    ) throws -> NodeStart {
        precondition((1...Self.freshCounterMax).contains(freshCounter), "a fresh counter is 1…freshCounterMax")
        if let unknown = bufferedTables.subtracting(tables.keys).sorted().first {
            throw ReplicationError.unknownTable(unknown)
        }
        let record = try hintEngine.get(NodeStartRecord.key).flatMap(NodeStartRecord.init(decoding:))
        let reason = try newIncarnationReason(record, wallClockMilliseconds: wallClockMilliseconds, bufferedTables: bufferedTables)
        let start = record.map { $0.start + 1 } ?? freshCounter
        let incarnation: UInt64
        if let record, reason == nil {
            incarnation = record.incarnation
        } else {
            incarnation = record.map { $0.incarnation + 1 } ?? freshCounter
            let stamp = NodeStartRecord.bigEndian(incarnation)
            for name in tables.keys.sorted() {
                try tables[name]!.put(Self.incarnationStampKey, stamp)
                try tables[name]!.sync()
            }
        }
        let next = NodeStartRecord(
            start: start, incarnation: incarnation, stoppedCleanly: false, hadBufferedTables: !bufferedTables.isEmpty,
            clockMilliseconds: max(record?.clockMilliseconds ?? 0, wallClockMilliseconds))
        try hintEngine.put(NodeStartRecord.key, next.encoded())
        try hintEngine.sync()
        return NodeStart(start: start, incarnation: incarnation, newIncarnationReason: reason)
    }

    /// Marks a clean stop, once the node has stopped serving: syncs every table engine and the hint engine, then
    /// writes and syncs the record marked as stopped cleanly. Throws when no start was begun on this disk.
    public func stopCleanly(wallClockMilliseconds: UInt64) throws {
        guard var record = try hintEngine.get(NodeStartRecord.key).flatMap(NodeStartRecord.init(decoding:)) else {
            throw ReplicationError.storageFailure("no start record to mark as stopped cleanly: call beginStart first")
        }
        for name in tables.keys.sorted() { try tables[name]!.sync() }
        try hintEngine.sync()
        record.stoppedCleanly = true
        record.clockMilliseconds = max(record.clockMilliseconds, wallClockMilliseconds)
        try hintEngine.put(NodeStartRecord.key, record.encoded())
        try hintEngine.sync()
    }

    private func newIncarnationReason(
        _ record: NodeStartRecord?, wallClockMilliseconds: UInt64, bufferedTables: Set<String>
    ) throws -> NewIncarnationReason? {
        guard let record else { return .noRecord }
        let stamp = NodeStartRecord.bigEndian(record.incarnation)
        for name in tables.keys.sorted() where try tables[name]!.get(Self.incarnationStampKey) != stamp {
            return .tableNotStamped(name)
        }
        // The tables buffered now, or any buffered in the last run (a table switched to sync since may have lost some).
        if !record.stoppedCleanly, record.hadBufferedTables || !bufferedTables.isEmpty {
            return .uncleanStop(bufferedTables: bufferedTables.sorted())
        }
        if record.quarantinedCopy { return .quarantinedCopy }
        if record.droppedPartition { return .droppedPartition }
        if wallClockMilliseconds < record.clockMilliseconds {
            return .clockBehind(recordedMilliseconds: record.clockMilliseconds, nowMilliseconds: wallClockMilliseconds)
        }
        return nil
    }
}
