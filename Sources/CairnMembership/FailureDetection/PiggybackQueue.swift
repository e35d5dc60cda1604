import CairnCore

/// The membership updates a detector still has to spread, at most one per member (the newest), each sent a
/// limited number of times. The least-sent go first, and among equals the newest, so fresh news (a suspicion,
/// a refutation) overtakes old; the order depends on nothing but the updates, so runs replay exactly.
struct PiggybackQueue: Sendable {
    /// A queued update and how often it has been sent.
    private struct Entry: Sendable {
        var update: FailureDetector.MemberUpdate
        var transmits: Int
        var enqueuedOrder: UInt64
    }

    private var entries: [NodeID: Entry] = [:]
    private var enqueued: UInt64 = 0

    var count: Int { entries.count }

    /// Queues `update`, replacing any older one about the same member, to be sent afresh.
    mutating func enqueue(_ update: FailureDetector.MemberUpdate) {
        enqueued += 1
        entries[update.node] = Entry(update: update, transmits: 0, enqueuedOrder: enqueued)
    }

    mutating func remove(node: NodeID) { entries[node] = nil }

    /// Up to `countMax` updates to piggyback, leaving out any about the `excluded` members (already in the
    /// message); each taken update counts one transmission and is dropped once sent `retransmitLimit` times.
    mutating func take(countMax: Int, excluding excluded: Set<NodeID> = [], retransmitLimit: Int) -> [FailureDetector.MemberUpdate] {
        guard countMax > 0, !entries.isEmpty else { return [] }
        let chosen = entries.values
            .filter { !excluded.contains($0.update.node) }
            .sorted { ($0.transmits, UInt64.max - $0.enqueuedOrder) < ($1.transmits, UInt64.max - $1.enqueuedOrder) }
            .prefix(countMax)
        var taken: [FailureDetector.MemberUpdate] = []
        for entry in chosen {
            taken.append(entry.update)
            if entry.transmits + 1 >= retransmitLimit {
                entries[entry.update.node] = nil
            } else {
                entries[entry.update.node]?.transmits += 1
            }
        }
        return taken
    }
}
