import CairnCore

/// A one-shot actor writes for a bounded time only. Its per-key copies hold its own siblings, some of which the
/// primaries may have superseded since; were its entry pruned (`ReplicaNode+Prune`) while it still wrote, its next
/// write would carry those siblings back as new. So a generation that holds copies ends after `lifetimeTicks`
/// hint-delivery ticks (about one tombstone grace), counted by the shell's timers, not read off the clock (a clock
/// stepped back would stretch it), and the prune grace adds that lifetime to the tombstone grace.
extension OneShotCopies {
    /// Hint-delivery ticks a generation may hold copies: the tombstone grace in ticks, at least one.
    static func lifetimeTicks(_ configuration: NodeConfiguration) -> Int {
        Int(max(1, configuration.tombstoneGraceMilliseconds / configuration.hintDeliveryIntervalMilliseconds))
    }

    /// Counts one hint-delivery tick; ends the generation once it has held copies for `lifetimeTicks` of them.
    mutating func tick(lifetimeTicks: Int) {
        guard !isEmpty else { return }
        ticksHoldingCopies += 1
        if ticksHoldingCopies >= lifetimeTicks { startNextGeneration() }
    }
}
