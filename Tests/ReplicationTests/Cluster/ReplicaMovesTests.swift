import CairnCore
import CairnMembership
import CairnNode
import CairnReplication
import Testing

/// `ReplicaMoves`: the transfers a ring change needs, per partition, from the two rings' preference lists.
@Suite("Replica moves")
struct ReplicaMovesTests {
    static let members = ["n1", "n2", "n3", "n4", "n5"].map { RingMember(NodeID($0)) }

    /// Applying the moves to each partition's old preference list (every receiver added, every sender that is not
    /// in the new list removed) gives exactly the new list, and every sender held the partition before.
    func expectMovesRebuildLists(from old: Ring, to new: Ring, replicas: Int) {
        let moves = ReplicaMoves.between(old, new, table: "t", replicas: replicas)
        for partition in 0..<new.partitionCount {
            let before = Set(old.preferenceList(forPartition: partition, count: replicas))
            let after = Set(new.preferenceList(forPartition: partition, count: replicas))
            let mine = moves.filter { $0.partition == partition }
            #expect(mine.allSatisfy { before.contains($0.from) && after.contains($0.to) }, "p\(partition): senders held it, receivers hold it")
            let rebuilt = before.union(mine.map(\.to)).subtracting(mine.map(\.from).filter { !after.contains($0) })
            #expect(rebuilt == after, "p\(partition): \(before) with \(mine) gives \(after)")
            #expect(Set(mine.map(\.to)) == after.subtracting(before), "p\(partition): only nodes entering the list receive")
        }
    }

    @Test("a join, a leave and growing from one member past N: the moves rebuild every preference list")
    func movesRebuildLists() {
        let three = PartitionPlanner.initialRing(partitionCount: 64, members: Array(Self.members.prefix(3)), replicaCount: 3)
        let four = PartitionPlanner.rebalance(three, to: Array(Self.members.prefix(4)), replicaCount: 3)
        let alone = Ring(partitionCount: 64, members: [Self.members[0]])
        expectMovesRebuildLists(from: three, to: four, replicas: 3)
        expectMovesRebuildLists(from: four, to: three, replicas: 3)
        expectMovesRebuildLists(from: alone, to: three, replicas: 3)
        expectMovesRebuildLists(from: three, to: four, replicas: 1)
        #expect(ReplicaMoves.between(three, three, table: "t", replicas: 3).isEmpty, "an unchanged ring moves nothing")
    }

    @Test("a ring shrinking below N: each leaving node still sends to a node of the new list")
    func shrinkingBelowN() {
        let two = PartitionPlanner.initialRing(partitionCount: 64, members: Array(Self.members.prefix(2)), replicaCount: 3)
        let one = PartitionPlanner.rebalance(two, to: [Self.members[0]], replicaCount: 3)
        let moves = ReplicaMoves.between(two, one, table: "t", replicas: 3)
        #expect(moves.count == 64 && moves.allSatisfy { $0.from == "n2" && $0.to == "n1" }, "n2 hands every partition to n1")
    }
}
