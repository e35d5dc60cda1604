import CairnCore
import Testing

/// Partitioning: balanced owners, stable key placement, distinct (and zone-spread) preference lists, and
/// small movement when nodes join.
@Suite("Ring")
struct RingTests {
    static func members(_ count: Int) -> [RingMember] { (1...count).map { RingMember(NodeID("n\($0)")) } }

    func counts(_ ring: Ring) -> [NodeID: Int] {
        ring.owners.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    @Test("equal nodes hold Q/nodes partitions, plus or minus one", arguments: [(64, 3), (256, 5), (1024, 7), (64, 64)])
    func balanced(partitionCount: Int, nodes: Int) {
        let ring = Ring(partitionCount: partitionCount, members: Self.members(nodes))
        let held = counts(ring)
        #expect(held.count == nodes)
        #expect(held.values.allSatisfy { abs($0 - partitionCount / nodes) <= 1 })
    }

    @Test("weights give bigger nodes more partitions")
    func weighted() {
        let ring = Ring(partitionCount: 256, members: [RingMember("big", weight: 3), RingMember("a"), RingMember("b"), RingMember("c")])
        let held = counts(ring)
        #expect(held["big"] == 128)
        #expect(held["a"].map { (42...43).contains($0) } == true)
    }

    @Test("a key's partition is stable and spread over the ring")
    func stablePlacement() {
        let ring = Ring(partitionCount: 128, members: Self.members(4))
        #expect(ring.partition(for: Array("user:42".utf8)) == ring.partition(for: Array("user:42".utf8)))
        var perPartition = [Int](repeating: 0, count: 128)
        for index in 0..<12_800 { perPartition[ring.partition(for: Array("key-\(index)".utf8))] += 1 }
        #expect(perPartition.allSatisfy { (40...160).contains($0) }, "about 100 keys per partition")
    }

    @Test("preference lists are N distinct nodes in ring order")
    func preferenceLists() {
        let ring = Ring(partitionCount: 64, members: Self.members(5))
        for partition in 0..<64 {
            let list = ring.preferenceList(forPartition: partition, count: 3)
            #expect(list.count == 3 && Set(list).count == 3)
            #expect(list[0] == ring.owners[partition])
        }
        #expect(ring.preferenceList(forPartition: 0, count: 9).count == 5, "never more nodes than exist")
    }

    @Test("preference lists take distinct zones first")
    func zones() {
        let members = [
            RingMember("a1", zone: "a"), RingMember("a2", zone: "a"), RingMember("a3", zone: "a"),
            RingMember("b1", zone: "b"), RingMember("c1", zone: "c"),
        ]
        let ring = Ring(partitionCount: 64, members: members)
        let zoneOf = Dictionary(uniqueKeysWithValues: members.map { ($0.id, $0.zone!) })
        for partition in 0..<64 {
            let list = ring.preferenceList(forPartition: partition, count: 3)
            #expect(Set(list.map { zoneOf[$0]! }) == ["a", "b", "c"], "partition \(partition): \(list)")
        }
    }

    @Test("going from k to k+1 nodes moves about Q/(k+1) partitions", arguments: [1, 2, 3, 4, 7, 15])
    func joinMovesLittle(existing: Int) {
        let partitionCount = 512
        let before = Ring(partitionCount: partitionCount, members: Self.members(existing))
        let after = before.adding(RingMember(NodeID("n\(existing + 1)")))
        let moved = zip(before.owners, after.owners).filter { $0 != $1 }.count
        let ideal = partitionCount / (existing + 1)
        #expect(moved >= ideal && moved <= ideal + 1, "moved \(moved), ideal \(ideal)")
        #expect(zip(before.owners, after.owners).allSatisfy { $0 == $1 || $1 == NodeID("n\(existing + 1)") },
            "only the new node gains partitions")
        #expect(counts(after).values.allSatisfy { abs($0 - partitionCount / (existing + 1)) <= 1 })
    }

    @Test("removing a node moves only its partitions")
    func leaveMovesOnlyItsPartitions() {
        let before = Ring(partitionCount: 256, members: Self.members(5))
        let after = before.removing("n3")
        let moved = zip(before.owners, after.owners).filter { $0 != $1 }
        #expect(moved.allSatisfy { $0.0 == "n3" })
        #expect(moved.count == before.partitions(ownedBy: "n3").count)
        #expect(counts(after).values.allSatisfy { (63...65).contains($0) })
    }
}
