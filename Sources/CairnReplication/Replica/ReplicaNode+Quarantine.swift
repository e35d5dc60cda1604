import CairnCore

/// Quarantine of stored copies that do not decode (a torn write, a corrupted sector; issue 8, bug 2).
///
/// A copy whose bytes the engine returned but which does not decode is moved aside, never overwritten in
/// place: the core emits `.quarantine(table:key:data:)` (the shell keeps the bytes in the node's quarantine
/// and removes the key, durably, before going on), logs a line and counts it in `quarantinedCopyCount`, and
/// then treats the key as an empty replica, which read repair, hinted handoff and the coordinator's merge
/// fill again from the other replicas. A copy the engine *fails* to read (an I/O error) is not quarantined:
/// the request touching it fails and nothing is written (`unreadable`).
///
/// The key has lost its local history, so the node must not number new writes to it under its old actor: a
/// clock-scaled counter would dominate dots it issued before and drop acknowledged siblings held elsewhere
/// (KV679, bug 3), and a counter taken from a repaired copy could reuse a dot only some replica saw (bug 4).
/// So from the quarantine on, the node coordinates that key under a **fresh per-key actor**,
/// `node/incarnation/q<start>.<n>`, unique because the start counter is new at every start and `n` counts this
/// start's quarantines. The map is volatile; it survives a restart because the shell's quarantine also marks
/// the node's start record, and the next start then begins a new incarnation for every key
/// (`NewIncarnationReason.quarantinedCopy`). A per-key actor was chosen over bumping the incarnation at once
/// because the incarnation is fixed for a run (it is in the configuration, and bumping it would add an entry
/// to every key's version vector written afterwards, not just this key's).
extension ReplicaNode {
    /// Keys quarantined in one start that get their own actor; past it, an undecodable copy fails requests as
    /// an unreadable one does (until the node restarts, with a new incarnation).
    public static let quarantinedKeysMax = 10_000

    /// The actor a primary numbers its writes to a key under: the per-key actor after a quarantine, else the
    /// per-partition actor after its partition was dropped here, else its own.
    func primaryActor(table: String, key: [UInt8]) -> NodeID {
        let dropped = droppedPartitionActor(table: table, key: key)
        if mutant(.quarantineKeepsActor) { return dropped ?? configuration.actor }
        return replica.quarantineActors[OneShotCopies.Slot(table: table, key: key)] ?? dropped ?? configuration.actor
    }

    /// The stored copy of a key for a request that may write: an undecodable copy is quarantined (the
    /// directives say so, to be performed first) and read as empty. Throws `storageFailure` when the engine
    /// fails, and `corruptReplicaData` when a copy does not decode and no more keys can be quarantined.
    mutating func copyQuarantiningUndecodable(
        table: String, key: [UInt8], doing what: String
    ) throws(ReplicationError) -> (copy: SiblingSet, directives: [Directive]) {
        guard let data = try storedBytes(table: table, key: key) else { return (.empty, []) }
        do {
            return (try SiblingSetCodec.decode(data), [])
        } catch {
            let slot = OneShotCopies.Slot(table: table, key: key)
            guard replica.quarantineActors[slot] != nil || replica.quarantineActors.count < Self.quarantinedKeysMax else { throw error }
            quarantinedCopyCount += 1
            replica.quarantineActors[slot] = NodeID("\(configuration.actor)/q\(configuration.start).\(quarantinedCopyCount)")
            let log = Directive.log(
                "\(id): quarantined the undecodable copy (\(data.count) bytes) of a key of \(key.count) bytes in '\(table)' "
                    + "while \(what); it is repaired from the other replicas: \(error)")
            return (.empty, [.quarantine(table: table, key: key, data: data), log])
        }
    }
}
