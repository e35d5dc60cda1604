import CairnCore
import CairnMembership
import Testing

/// The planner: balance within ±1 of each weighted share, N distinct nodes (and zones, where the zones allow)
/// in every run of N consecutive partitions, and no more moves than the balance needs.
@Suite("Partition planner")
struct PlannerTests {
    static func members(_ names: [String], zones: [String?]? = nil, weights: [Int]? = nil) -> [RingMember] {
        names.indices.map { RingMember(NodeID(names[$0]), weight: weights?[$0] ?? 1, zone: zones?[$0] ?? nil) }
    }

    /// Partitions that must change owner for every member to reach its share: the departed nodes' partitions
    /// and each remaining node's excess.
    static func movesNeeded(from old: Ring, to members: [RingMember]) -> Int {
        let shares = Ring.shares(of: members, partitionCount: old.partitionCount)
        var held = [NodeID: Int]()
        for owner in old.owners { held[owner, default: 0] += 1 }
        let departed = old.owners.filter { shares[$0] == nil }.count
        return departed + shares.reduce(0) { $0 + Swift.max(0, held[$1.key, default: 0] - $1.value) }
    }

    static func moves(_ old: Ring, _ new: Ring) -> Int { zip(old.owners, new.owners).filter { $0 != $1 }.count }

    /// Every member holds within ±1 of Q × weight / total weight.
    static func expectBalanced(_ ring: Ring, sourceLocation: SourceLocation = #_sourceLocation) {
        let total = ring.members.reduce(0) { $0 + $1.weight }
        var held = [NodeID: Int]()
        for owner in ring.owners { held[owner, default: 0] += 1 }
        for member in ring.members {
            let exact = Double(ring.partitionCount * member.weight) / Double(total)
            #expect(abs(Double(held[member.id, default: 0]) - exact) < 1, "\(member.id) holds \(held[member.id, default: 0]), share \(exact)", sourceLocation: sourceLocation)
        }
    }

    /// Runs of `count` consecutive partitions whose owners are not all distinct (or, with `zones`, not all in
    /// distinct zones).
    static func crowdedRuns(_ ring: Ring, count: Int, zones: Bool = false) -> [Int] {
        let zoneOf = Dictionary(uniqueKeysWithValues: ring.members.map { ($0.id, $0.zone ?? $0.id.name) })
        return (0..<ring.partitionCount).filter { start in
            let run = (0..<count).map { ring.owners[(start + $0) % ring.partitionCount] }
            return Set(zones ? run.map { zoneOf[$0]! } : run.map(\.name)).count < count
        }
    }

    /// Every preference list holds min(N, members) distinct nodes, in min(N, zones) distinct zones.
    static func expectSpreadPreferenceLists(_ ring: Ring, count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let zoneOf = Dictionary(uniqueKeysWithValues: ring.members.map { ($0.id, $0.zone) })
        let zoneCount = Set(ring.members.compactMap(\.zone)).count
        for partition in 0..<ring.partitionCount {
            let list = ring.preferenceList(forPartition: partition, count: count)
            #expect(Set(list).count == Swift.min(count, ring.members.count), "partition \(partition): \(list)", sourceLocation: sourceLocation)
            #expect(Set(list.compactMap { zoneOf[$0] ?? nil }).count == Swift.min(count, zoneCount), "partition \(partition): \(list)", sourceLocation: sourceLocation)
        }
    }

    @Test("a join moves exactly the partitions the balance needs, only to the joiner", arguments: [3, 4, 7, 15])
    func joinMovesTheMinimum(existing: Int) {
        let before = PartitionPlanner.initialRing(
            partitionCount: 256, members: Self.members((1...existing).map { "n\($0)" }), replicaCount: 3)
        let members = before.members + [RingMember("new")]
        let after = PartitionPlanner.rebalance(before, to: members, replicaCount: 3)
        #expect(Self.moves(before, after) == Self.movesNeeded(from: before, to: members))
        #expect(zip(before.owners, after.owners).allSatisfy { $0 == $1 || $1 == "new" })
        Self.expectBalanced(after)
        #expect(Self.crowdedRuns(after, count: Swift.min(3, members.count)).isEmpty)
    }

    @Test("a leave moves only the leaver's partitions; preference lists keep N distinct nodes")
    func leaveMovesOnlyItsPartitions() {
        let before = PartitionPlanner.initialRing(partitionCount: 128, members: Self.members(["a", "b", "c", "d", "e"]), replicaCount: 3)
        let after = PartitionPlanner.rebalance(before, to: before.members.filter { $0.id != "c" }, replicaCount: 3)
        let moved = zip(before.owners, after.owners).filter { $0 != $1 }
        #expect(moved.allSatisfy { $0.0 == "c" })
        #expect(moved.count == before.partitions(ownedBy: "c").count)
        Self.expectBalanced(after)
        Self.expectSpreadPreferenceLists(after, count: 3)
    }

    @Test("every preference list is the next N owners, N distinct nodes in N distinct zones")
    func zoneSpread() {
        let zones = ["za", "za", "zb", "zb", "zc", "zc"]
        let before = PartitionPlanner.initialRing(
            partitionCount: 144, members: Self.members(["a1", "a2", "b1", "b2", "c1", "c2"], zones: zones), replicaCount: 3)
        #expect(Self.crowdedRuns(before, count: 3, zones: true).isEmpty, "the first ring spreads zones")
        let members = before.members + Self.members(["a3", "b3", "c3"], zones: ["za", "zb", "zc"])
        let after = PartitionPlanner.rebalance(before, to: members, replicaCount: 3)
        Self.expectBalanced(after)
        #expect(Self.crowdedRuns(after, count: 3).isEmpty)
        #expect(Self.crowdedRuns(after, count: 3, zones: true).isEmpty)
        for partition in 0..<144 {
            let next = (0..<3).map { after.owners[(partition + $0) % 144] }
            #expect(after.preferenceList(forPartition: partition, count: 3) == next)
        }
        #expect(Self.moves(before, after) == Self.movesNeeded(from: before, to: members))
    }

    @Test("weighted members hold their weighted share within ±1")
    func weights() {
        let before = PartitionPlanner.initialRing(
            partitionCount: 200, members: Self.members(["a", "b", "c"], weights: [1, 2, 3]), replicaCount: 2)
        Self.expectBalanced(before)
        let members = before.members + [RingMember("d", weight: 4)]
        let after = PartitionPlanner.rebalance(before, to: members, replicaCount: 2)
        Self.expectBalanced(after)
        #expect(Self.moves(before, after) == Self.movesNeeded(from: before, to: members))
        #expect(Self.crowdedRuns(after, count: 2).isEmpty)
    }

    @Test("random joins and leaves: exact minimum moves, balance, spread preference lists", arguments: 0..<20)
    func randomChanges(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        let zoneCount = 1 + random.next(below: 4)
        var members = (0..<(3 + random.next(below: 8))).map {
            RingMember(NodeID("n\($0)"), weight: 1 + random.next(below: 2), zone: "z\($0 % zoneCount)")
        }
        var ring = PartitionPlanner.initialRing(partitionCount: 64 + 32 * random.next(below: 4), members: members, replicaCount: 3)
        for step in 0..<6 {
            if random.next(below: 2) == 0 || members.count <= 3 {
                members.append(RingMember(NodeID("j\(step)"), zone: "z\(random.next(below: zoneCount))"))
            } else {
                members.remove(at: random.next(below: members.count))
            }
            let next = PartitionPlanner.rebalance(ring, to: members, replicaCount: 3)
            Self.expectBalanced(next)
            #expect(Self.moves(ring, next) == Self.movesNeeded(from: ring, to: members), "seed \(seed) step \(step)")
            Self.expectSpreadPreferenceLists(next, count: 3)
            ring = next
        }
    }

    @Test("joins into rings of 6 or more nodes keep every run of N partitions on N distinct nodes", arguments: 0..<20)
    func joinsKeepRunsDistinct(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        var members = (0..<(6 + random.next(below: 10))).map { RingMember(NodeID("n\($0)"), weight: 1 + random.next(below: 2)) }
        var ring = PartitionPlanner.initialRing(partitionCount: 64 << random.next(below: 4), members: members, replicaCount: 3)
        #expect(Self.crowdedRuns(ring, count: 3).isEmpty, "the first ring")
        for step in 0..<3 {
            members.append(RingMember(NodeID("j\(step)"), weight: 1 + random.next(below: 2)))
            ring = PartitionPlanner.rebalance(ring, to: members, replicaCount: 3)
            #expect(Self.crowdedRuns(ring, count: 3).isEmpty, "seed \(seed) step \(step)")
        }
    }
}
