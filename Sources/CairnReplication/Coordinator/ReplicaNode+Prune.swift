import CairnCore

/// Pruning a key's version vector, so a key stays writable however many actors wrote it (issue 8, bug 5).
///
/// Every one-shot writer's start, every new incarnation and every quarantine adds an entry to the version
/// vector of each key it writes, and a put past `versionVectorEntriesMax` is refused. Entries therefore have to
/// go. The options weighed:
/// - *Fewer actors* only slows the growth: re-stamping a one-shot dot under a primary's actor once it reaches
///   a primary leaves the old dot on the other copies (hints, replicas), where it would then look concurrent;
///   leasing one-shot counters durably (Riak's vnode `counter_lease`) still needs the writer's per-key copy
///   to be durable to number past its own earlier dots, and wipes and unclean stops still need new actors.
/// - *Folding* one-shot entries into a primary's actor on a reconciling write is not safe: a dot of one actor
///   cannot cover another actor's dots, so a stale copy's sibling of a folded actor would come back on merge.
/// - *Pruning* (Riak's `small_vclock`/`old_vclock`) it is, under rules that make it drop nothing concurrent and
///   resurrect nothing superseded except through a copy out of touch for longer than the tombstone grace:
///   1. Only an entry (A, c) no sibling carries a dot of is pruned: every write of A up to c was superseded.
///      The entry is what makes an old sibling of A look superseded on merge, so:
///   2. Every primary must hold exactly (A, c) and no sibling of A: a write every primary acknowledged, or a
///      read every primary answered (no answer, fallbacks' included, holding a sibling of A), says so. A
///      primary that acknowledged a copy covering (A, c) can gain no sibling of A up to c any more (a merge drops
///      every such sibling it lacks), so only copies outside the primaries — a hint, a message in flight, a
///      one-shot writer's memory — can still hold a superseded sibling of A.
///   3. The prune is sent a grace period later, `tombstoneGraceMilliseconds` plus the one-shot actor lifetime
///      (a one-shot actor writes for at most that long, see `OneShotCopies.lifetimeTicks`, so its memory is gone
///      by then), and each primary drops only the entries it still holds with the same counter and no sibling of.
///      Tombstones are left to reaping (a pruned history would no longer match a pending reap).
///   4. Every primary prunes the same entries, its own actor's too, so pruned replicas still agree. A primary
///      whose entry was pruned numbers its next write of the key from the clock (`now × countersPerMillisecond`),
///      as after a reap; keeping its own entry instead would leave the replicas disagreeing until a repair.
/// What remains, as for tombstones: a replica or hint out of touch for longer than the grace may bring back a
/// superseded sibling of a pruned actor, and a clock stepped back across a crash that kept the incarnation could
/// number a pruned primary's next write below a counter it issued (`EngineReplicaStore.beginStart`). Writes of
/// more than about `versionVectorEntriesMax − siblingsMax` new actors to one key within one prune grace are still
/// refused, before they are acknowledged, until the prune runs.
struct PendingPrunes {
    /// A prune waiting out its grace: the entries every primary agreed on, and the primaries to ask.
    struct Prune {
        var slot: OneShotCopies.Slot
        var entries: VersionVector
        var primaries: [NodeID]
    }

    private(set) var byID: [RequestID: Prune] = [:]
    private var slots: Set<OneShotCopies.Slot> = []

    var count: Int { byID.count }

    func isPending(_ slot: OneShotCopies.Slot) -> Bool { slots.contains(slot) }

    mutating func add(_ prune: Prune, id: RequestID) {
        assert(!slots.contains(prune.slot), "one prune per key at a time")
        byID[id] = prune
        slots.insert(prune.slot)
    }

    mutating func remove(_ id: RequestID) -> Prune? {
        guard let prune = byID.removeValue(forKey: id) else { return nil }
        slots.remove(prune.slot)
        return prune
    }
}

extension ReplicaNode {
    /// How long a prune waits after every primary agreed: the tombstone grace plus the longest a one-shot actor writes.
    var pruneGraceMilliseconds: UInt64 {
        configuration.tombstoneGraceMilliseconds + UInt64(OneShotCopies.lifetimeTicks(configuration)) * configuration.hintDeliveryIntervalMilliseconds
    }

    /// The entries a write every primary acknowledged lets prune: those of its copy that no sibling carries.
    func prunableAfterWrite(_ object: SiblingSet) -> VersionVector {
        guard !object.isDeleted, object.history.counters.count >= configuration.versionVectorPruneFromEntries else { return .empty }
        return object.entriesWithoutSiblings
    }

    /// The entries a read lets prune once every primary answered it: each held with the same counter and no sibling
    /// by every primary's copy, and carried by no sibling of any answer (a fallback's hint included).
    func prunableAfterRead(_ pending: PendingRead, merged: SiblingSet) -> VersionVector {
        guard !merged.isDeleted, merged.history.counters.count >= configuration.versionVectorPruneFromEntries else { return .empty }
        let primaryCopies = pending.primaries.compactMap { primary in
            pending.answers.first { $0.node == primary && pending.targets.isPrimary(primary) }?.answer
        }
        guard primaryCopies.count == pending.primaries.count, let first = primaryCopies.first else { return .empty }
        let actorsWithSiblings = Set(pending.answers.flatMap { $0.answer.siblings.map(\.dot.node) })
        let agreed = first.entriesWithoutSiblings.counters.filter { actor, counter in
            !actorsWithSiblings.contains(actor) && primaryCopies.allSatisfy { $0.history[actor] == counter }
        }
        return VersionVector(agreed)
    }

    /// Waits out the prune grace for `entries` of a key, unless a prune of that key is already waiting (it will
    /// prune what it agreed on; later requests schedule the rest) or `prunesPendingMax` prunes are.
    mutating func schedulePrune(table: String, key: [UInt8], entries: VersionVector, primaries: [NodeID]) -> [Directive] {
        let slot = OneShotCopies.Slot(table: table, key: key)
        guard !entries.isEmpty, !prunes.isPending(slot), prunes.count < ReplicationLimits.prunesPendingMax else { return [] }
        let requestID = newRequestID()
        prunes.add(PendingPrunes.Prune(slot: slot, entries: entries, primaries: primaries), id: requestID)
        let delay = mutant(.versionVectorPrunedAtOnce) ? 0 : pruneGraceMilliseconds
        return [.startTimer(.coordinator(.prune(requestID)), afterMilliseconds: delay)]
    }

    /// The grace is over: every primary (this node itself directly) drops the entries it still agrees on.
    mutating func pruneNow(_ requestID: RequestID) -> [Directive] {
        guard let prune = prunes.remove(requestID) else { return [] }
        let entries = CausalContext.encode(prune.entries)
        return prune.primaries.flatMap { primary -> [Directive] in
            if primary == id { return pruneIfUnchanged(table: prune.slot.table, key: prune.slot.key, entries: entries) }
            return [.send(to: primary, .replica(.prune(table: prune.slot.table, key: prune.slot.key, entries: entries)))]
        }
    }

    /// Drops from the stored copy each entry of `entries` it still holds with that counter and no sibling of; a
    /// copy that is absent, unreadable, undecodable or all tombstones (left to reaping) is left as it is.
    func pruneIfUnchanged(table: String, key: [UInt8], entries data: [UInt8]) -> [Directive] {
        guard let entries = try? CausalContext.decode(data), let local = try? localCopy(table: table, key: key),
            !local.isDeleted
        else { return [] }
        let pruned = local.pruning(entries)
        guard pruned != local else { return [] }
        return [.persist(table: table, key: key, data: SiblingSetCodec.encode(pruned))]
    }
}
