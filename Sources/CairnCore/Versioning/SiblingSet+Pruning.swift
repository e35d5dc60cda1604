/// Pruning version-vector entries (issue 8, bug 5): the one rule that shrinks a history.
///
/// An entry (actor A, counter c) may leave a copy's history only when no sibling of the copy carries a dot of A:
/// every write of A up to c was superseded. What the entry still did was make older copies' siblings of A look
/// superseded on merge; without it such a sibling (on a stale replica, a hint, a one-shot writer's memory) would
/// come back. So the replication core prunes an entry only when every primary agreed, a grace period earlier,
/// that it holds exactly (A, c) and no sibling of A (see `ReplicaNode+Prune`); this type only applies that rule
/// to one copy, keeping every entry that changed or gained a sibling since.
extension SiblingSet {
    /// The entries no sibling of this copy carries a dot of: the ones pruning may remove.
    public var entriesWithoutSiblings: VersionVector {
        let actorsWithSiblings = Set(siblings.map(\.dot.node))
        return VersionVector(history.counters.filter { !actorsWithSiblings.contains($0.key) })
    }

    /// This copy without each entry of `entries` that it still holds with exactly that counter and that no sibling
    /// carries a dot of; every other entry is kept. The siblings never change.
    public func pruning(_ entries: VersionVector) -> SiblingSet {
        let prunable = entriesWithoutSiblings
        let kept = history.counters.filter { actor, counter in
            !(entries[actor] == counter && prunable[actor] == counter)
        }
        let pruned = SiblingSet(history: VersionVector(kept), siblings: siblings)
        assert(pruned.siblings.allSatisfy { pruned.history.covers($0.dot) }, "pruning keeps every sibling's entry")
        return pruned
    }
}
