import CairnCore

/// Deliberately broken rules the simulator switches on, one at a time, to prove its checkers catch real bugs.
///
/// They exist only in debug builds (`CAIRN_MUTATIONS`, set in Package.swift): in a release build
/// `ReplicaNode.mutant(_:)` is the constant `false`, so every hook folds away and no configuration can
/// switch one on.
public enum CoreMutation: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case none
    /// A put supersedes everything its coordinator holds, whatever context the client sent.
    case putIgnoresContext
    /// A replica acknowledges a write before it persists it (the directive list reordered).
    case replicaAcksBeforePersisting
    /// A hint is dropped when its owner acknowledges any data for its slot, not the data it holds.
    case hintDroppedOnAnyAcknowledgement
    /// A hint is dropped from memory when it is offered, before the owner acknowledges it.
    case hintDroppedFromMemoryWhenOffered
    /// A hint is deleted durably when it is offered, before the owner acknowledges it.
    case hintDeletedDurablyWhenOffered
    /// A fallback acknowledges a hinted write and stores nothing.
    case fallbackStoresNothing
    /// The coordinator answers "written" after W−1 acknowledgements.
    case quorumCountsOneShort
    /// Stale replicas are never repaired after a read.
    case readRepairNeverSent
    /// A fully replicated tombstone is reaped at once instead of after its grace period.
    case tombstoneReapedAtOnce
    /// Merging copies keeps the smaller counter of each node in the history, not the larger.
    case versionVectorJoinTakesMinimum
    /// A primary coordinating a write does not persist it itself, yet counts itself as an acknowledgement.
    case coordinatorSkipsOwnPersist
    /// After quarantining a key's undecodable copy, a primary numbers that key's writes under its old actor.
    case quarantineKeepsActor
    /// Version-vector entries every primary agreed on are pruned at once, without waiting out the prune grace.
    case versionVectorPrunedAtOnce
    /// Membership (`ClusterNode`): an old holder drops a partition as soon as it plans its transfer, before the
    /// new owner acknowledged any of it.
    case transferDropsBeforeAcknowledged
    /// Membership (`ClusterNode`): an old holder keeps its copy of a partition it handed over (the drop is skipped).
    case transferKeepsOldCopy
    /// Membership (`ClusterNode`): a receiver stores an arriving batch over its copies instead of merging them.
    case transferOverwritesOnArrival
    /// Membership (`ClusterNode`): the periodic ownership check finds nothing, so copies a node stores of a
    /// partition it does not hold (a late write from a coordinator on an older ring, a hint for a former owner) stay.
    case ownershipCheckFindsNothing
    /// Membership: a node that dropped a partition numbers later writes to its keys under its old actor.
    case droppedPartitionKeepsActor
    /// Membership (`ClusterNode`): a node that adopts a ring more than one epoch ahead plans only the moves between
    /// its old ring and the new one, so a move from it in a skipped ring is sent by nobody.
    case skippedEpochMovesOnlyBetweenRings
    /// Membership (`ClusterNode`): a transfer cancelled because a newer ring replaced its receiver is resent only by
    /// a sender that left the partition's list, so the receiver's replacement gets only what the receiver held.
    case cancelledTransferResentOnlyByLeavers
    /// Membership (`ClusterNode`): a replacement's hint acknowledgement is taken for a departed owner's redirected
    /// hint whenever one is pending for that key, even when it acknowledges the replacement's own hint.
    case hintAckTakenForDepartedOwner

    public var description: String { rawValue }

    /// Every real mutation of the replication core (all but `none` and the membership ones), which the
    /// fixed-membership seeds must catch.
    public static var deliberateBugs: [CoreMutation] { allCases.filter { $0 != .none && !membershipBugs.contains($0) } }

    /// The mutations of a node in a cluster (transfers), which the membership seeds must catch.
    public static let membershipBugs: [CoreMutation] = [
        .transferDropsBeforeAcknowledged, .transferKeepsOldCopy, .transferOverwritesOnArrival, .ownershipCheckFindsNothing,
        .droppedPartitionKeepsActor, .skippedEpochMovesOnlyBetweenRings, .cancelledTransferResentOnlyByLeavers,
        .hintAckTakenForDepartedOwner,
    ]
}

extension ReplicaNode {
    /// Whether `mutation` is switched on; always false in a release build.
    @inline(__always)
    func mutant(_ mutation: CoreMutation) -> Bool {
        #if CAIRN_MUTATIONS
        return configuration.mutation == mutation
        #else
        return false
        #endif
    }
}

extension ReplicaNode {
    /// Whether `mutation` is switched on, for the wiring outside the core (`ClusterNode`); always false in a
    /// release build.
    @inline(__always)
    public func isMutant(_ mutation: CoreMutation) -> Bool { mutant(mutation) }
}

extension SiblingSet {
    /// `versionVectorJoinTakesMinimum` (reached only through `mutant`, so never in a release build): a merge whose history keeps each node's smaller counter (raised just
    /// enough to cover the siblings kept, so the set stays well formed while forgetting superseded writes).
    func mergedTakingMinimum(with other: SiblingSet, policy: ConflictPolicy) -> SiblingSet {
        let merged = merged(with: other, policy: policy)
        var counters: [NodeID: UInt64] = [:]
        for node in Set(history.counters.keys).union(other.history.counters.keys) {
            counters[node] = Swift.min(history[node], other.history[node])
        }
        var minimum = VersionVector(counters)
        for sibling in merged.siblings { minimum.add(sibling.dot) }
        return SiblingSet(history: minimum, siblings: merged.siblings)
    }
}
