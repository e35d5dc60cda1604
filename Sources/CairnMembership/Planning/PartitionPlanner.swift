import CairnCore

/// Computes rings the way Riak's claim does, for rings of Q fixed partitions: every member holds exactly its
/// weighted share (`Ring.shares`, within ±1 of Q × weight / total) and exactly as few partitions as that needs
/// change owner. Which partitions move, and to whom, is chosen to separate neighbours that share a node or a
/// zone (`PlacementConflicts`), so that most preference lists are the next N owners; where a conflict stays
/// (a leave from a small ring, zones of unequal size), `Ring.preferenceList` walks past it, so every list still
/// holds N distinct nodes, in distinct zones when there are N zones.
public enum PartitionPlanner {
    /// Swap rounds of the repair pass, a bound on its work.
    public static let repairRoundsMax = 8

    /// A first ring for `members`: each partition in turn goes to the member furthest behind its share (a
    /// weighted round-robin, zones interleaved on ties) that shares no node or zone with the partitions just
    /// before it; then swaps separate what is left (the wrap-around).
    public static func initialRing(partitionCount: Int, members: [RingMember], replicaCount: Int) -> Ring {
        let shares = Ring.shares(of: members, partitionCount: partitionCount)
        let rules = PlacementConflicts(partitionCount: partitionCount, members: members, replicaCount: replicaCount)
        // Interleave zones (a1 b1 c1 a2 b2 c2 …) to break ties between members equally far behind.
        let byZone = Dictionary(grouping: members, by: { $0.zone ?? "" }).mapValues { $0.sorted { $0.id < $1.id } }
        let zoneNames = byZone.keys.sorted()
        var order: [RingMember] = []
        for rank in 0..<(byZone.values.map(\.count).max() ?? 0) {
            for zone in zoneNames where rank < byZone[zone]!.count { order.append(byZone[zone]![rank]) }
        }
        var owners = [NodeID?](repeating: nil, count: partitionCount)
        var dealt = [NodeID: Int]()
        for partition in 0..<partitionCount {
            let open = order.filter { dealt[$0.id, default: 0] < shares[$0.id]! }
            // Behind-ness: the fraction of its share a member would have after this partition; least first.
            let best = open.min { left, right in
                let leftCost = rules.conflicts(at: partition, owner: left.id, in: owners)
                let rightCost = rules.conflicts(at: partition, owner: right.id, in: owners)
                if leftCost != rightCost { return leftCost < rightCost }
                let leftPace = (dealt[left.id, default: 0] + 1) * shares[right.id]!
                let rightPace = (dealt[right.id, default: 0] + 1) * shares[left.id]!
                return leftPace < rightPace
            }
            guard let best else { preconditionFailure("shares add up to Q, so every partition has a taker") }
            owners[partition] = best.id
            dealt[best.id, default: 0] += 1
        }
        repair(&owners, original: nil, rules: rules)
        return Ring(partitionCount: partitionCount, members: members, owners: owners.map { $0! })
    }

    /// The ring `ring` becomes with `members` (joins added, leaves gone), moving the fewest partitions that give
    /// every member its share, then swapping to separate neighbours.
    public static func rebalance(_ ring: Ring, to members: [RingMember], replicaCount: Int) -> Ring {
        let count = ring.partitionCount
        let shares = Ring.shares(of: members, partitionCount: count)
        let rules = PlacementConflicts(partitionCount: count, members: members, replicaCount: replicaCount)
        var owners: [NodeID?] = ring.owners.map { shares[$0] == nil ? nil : $0 }
        var held = [NodeID: Int]()
        for case let owner? in owners { held[owner, default: 0] += 1 }
        // Free each over-share node's excess: its most conflicted partitions first, then spread along the ring.
        for member in members.sorted(by: { $0.id < $1.id }) {
            let excess = held[member.id, default: 0] - shares[member.id]!
            guard excess > 0 else { continue }
            let mine = owners.indices.filter { owners[$0] == member.id }
            let stride = Swift.max(1, mine.count / excess)
            let spread = Dictionary(uniqueKeysWithValues: mine.enumerated().map { ($1, $0 % stride == 0 ? 0 : 1) })
            let ranked = mine.sorted {
                let left = rules.conflicts(at: $0, owner: member.id, in: owners)
                let right = rules.conflicts(at: $1, owner: member.id, in: owners)
                return left != right ? left > right : (spread[$0]!, $0) < (spread[$1]!, $1)
            }
            for partition in ranked.prefix(excess) { owners[partition] = nil }
            held[member.id] = shares[member.id]!
        }
        // Give each freed partition to the node below its share that conflicts least there, then the neediest.
        var deficits = shares.mapValues { _ in 0 }
        for (id, share) in shares { deficits[id] = share - held[id, default: 0] }
        for partition in owners.indices where owners[partition] == nil {
            let best = deficits.filter { $0.value > 0 }.keys.min { left, right in
                let leftCost = rules.conflicts(at: partition, owner: left, in: owners)
                let rightCost = rules.conflicts(at: partition, owner: right, in: owners)
                if leftCost != rightCost { return leftCost < rightCost }
                if deficits[left]! != deficits[right]! { return deficits[left]! > deficits[right]! }
                return left < right
            }
            guard let best else { preconditionFailure("shares add up to Q, so a freed partition has a taker") }
            owners[partition] = best
            deficits[best]! -= 1
        }
        repair(&owners, original: ring.owners, rules: rules)
        return Ring(partitionCount: count, members: members, owners: owners.map { $0! })
    }

    /// Swaps owners of two partitions while that lowers the conflicts without adding a move (both partitions
    /// move anyway, or the swap undoes a move). Swaps keep every node's count, so balance and the minimum of
    /// moves are untouched; the preference list's walk keeps N distinct nodes where a conflict stays.
    static func repair(_ owners: inout [NodeID?], original: [NodeID]?, rules: PlacementConflicts) {
        let count = owners.count
        for _ in 0..<repairRoundsMax {
            var improved = false
            for partition in 0..<count {
                let mine = owners[partition]!
                let before = rules.conflicts(at: partition, owner: mine, in: owners)
                guard before > 0 else { continue }
                var best: (other: Int, gain: Int, cost: Int)?
                for other in 0..<count where owners[other] != mine {
                    let theirs = owners[other]!
                    let cost = movesAdded(partition, from: mine, to: theirs, original)
                        + movesAdded(other, from: theirs, to: mine, original)
                    guard cost <= 0 else { continue }
                    let otherBefore = rules.conflicts(at: other, owner: theirs, in: owners)
                    owners[partition] = theirs
                    owners[other] = mine
                    let after = rules.conflicts(at: partition, owner: theirs, in: owners)
                        + rules.conflicts(at: other, owner: mine, in: owners)
                    owners[partition] = mine
                    owners[other] = theirs
                    let gain = before + otherBefore - after
                    guard gain > 0 else { continue }
                    if best == nil || cost < best!.cost || (cost == best!.cost && gain > best!.gain) {
                        best = (other, gain, cost)
                    }
                }
                if let best {
                    owners[partition] = owners[best.other]
                    owners[best.other] = mine
                    improved = true
                }
            }
            if !improved { return }
        }
    }

    /// +1 when handing `partition` from `current` to `owner` makes it move where it did not, −1 when it puts
    /// it back with its original owner, 0 otherwise.
    /// Without an original ring (a first ring) nothing moves, so every swap is free.
    private static func movesAdded(_ partition: Int, from current: NodeID, to owner: NodeID, _ original: [NodeID]?) -> Int {
        guard let original else { return 0 }
        return (owner != original[partition] ? 1 : 0) - (current != original[partition] ? 1 : 0)
    }
}
