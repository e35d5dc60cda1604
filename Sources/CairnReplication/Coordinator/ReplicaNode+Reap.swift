import CairnCore

/// Tombstone reaping, the coordinator's part: once every primary holds a delete's tombstone (seen when a write
/// or read completes), it waits out `tombstoneGrace`, then asks each primary to remove the key if its copy is
/// still exactly that tombstone (`reapIfUnchanged`, the replica's part).
extension ReplicaNode {
    /// After the grace period, asks every primary to drop the key if it still holds exactly this tombstone.
    mutating func scheduleReap(table: String, key: [UInt8], object: SiblingSet, primaries: [NodeID]) -> [Directive] {
        let requestID = newRequestID()
        coordinator.reaps[requestID] = PendingReap(
            table: table, key: key, history: CausalContext.encode(object.history), primaries: primaries)
        return [.startTimer(.coordinator(.reap(requestID)), afterMilliseconds: mutant(.tombstoneReapedAtOnce) ? 0 : configuration.tombstoneGraceMilliseconds)]
    }

    mutating func reapNow(_ requestID: RequestID) -> [Directive] {
        guard let reap = coordinator.reaps.removeValue(forKey: requestID) else { return [] }
        return reap.primaries.flatMap { primary -> [Directive] in
            if primary == id { return reapIfUnchanged(table: reap.table, key: reap.key, history: reap.history) }
            return [.send(to: primary, .replica(.reap(table: reap.table, key: reap.key, history: reap.history)))]
        }
    }
}
