import CairnCore
import CairnReplication
import Testing

/// A node's ring is state with an epoch: newer rings replace it, older ones are ignored, and requests already
/// in flight finish against the nodes they were sent to.
@Suite("Ring changes")
struct RingChangeTests {
    static let ring = Ring(partitionCount: 64, members: ["n1", "n2", "n3"].map { RingMember(NodeID($0)) })

    /// `ring` with two more nodes.
    static func largerRing(_ ring: Ring) -> Ring { ring.adding(RingMember("n4")).adding(RingMember("n5")) }

    /// A key `node` is a primary of under both rings, whose primaries differ between them.
    static func movedKey(from old: Ring, to new: Ring, keeping node: NodeID) -> [UInt8] {
        let keys = (0..<10_000).lazy.map { Array("key-\($0)".utf8) }
        return keys.first { key in
            let (before, after) = (old.preferenceList(for: key, count: 3), new.preferenceList(for: key, count: 3))
            return before.contains(node) && after.contains(node) && Set(before) != Set(after)
        }!
    }

    func node(_ id: NodeID = "n1", epoch: UInt64 = 0) -> ReplicaNode {
        var node = ReplicaNode(
            configuration: NodeConfiguration(id: id, ring: Self.ring, ringEpoch: epoch, tables: ["t": TableSettings()]),
            storage: RecordingStore())
        _ = node.start(now: 1_000)
        return node
    }

    func put(_ key: [UInt8], id: UInt64 = 1) -> ClientRequest {
        ClientRequest(id: id, table: "t", key: key, operation: .put(value: [1], context: nil), options: .defaults)
    }

    @Test("a ring of an older or equal epoch is ignored, a newer one adopted")
    func olderEpochIgnored() {
        var node = node(epoch: 5)
        let larger = Self.largerRing(Self.ring)
        #expect(node.onRingChange(ring: larger, epoch: 4, now: 1_001).isEmpty)
        #expect(node.onRingChange(ring: larger, epoch: 5, now: 1_001).isEmpty)
        #expect(node.ring == Self.ring && node.ringEpoch == 5)
        _ = node.onRingChange(ring: larger, epoch: 6, now: 1_002)
        #expect(node.ring == larger && node.ringEpoch == 6)
        _ = node.onRingChange(ring: Self.ring, epoch: 5, now: 1_003)
        #expect(node.ring == larger && node.ringEpoch == 6, "a late, older ring does not undo a newer one")
    }

    @Test("a ring with another partition count is refused with a line naming it")
    func otherPartitionCountRefused() {
        var node = node()
        let other = Ring(partitionCount: 128, members: Self.ring.members)
        let directives = node.onRingChange(ring: other, epoch: 1, now: 1_001)
        #expect(node.ring == Self.ring && node.ringEpoch == 0)
        guard case .log(let line)? = directives.first else {
            Issue.record("expected a log line, got \(directives)")
            return
        }
        #expect(line.contains("128 partitions"))
    }

    @Test("after a change, a key's put goes to the new preference list")
    func putFollowsNewRing() {
        let larger = Self.largerRing(Self.ring)
        let key = Self.movedKey(from: Self.ring, to: larger, keeping: "n1")
        var unchanged = node()
        #expect(replicaPutTargets(unchanged.onClientRequest(put(key), now: 1_001)).targets == ["n2", "n3"])
        var changed = node()
        _ = changed.onRingChange(ring: larger, epoch: 1, now: 1_001)
        let expected = Set(larger.preferenceList(for: key, count: 3)).subtracting(["n1"])
        #expect(replicaPutTargets(changed.onClientRequest(put(key), now: 1_002)).targets == expected)
    }

    @Test("a write in flight when the ring changes counts W only from the nodes it was sent to")
    func inFlightWriteKeepsItsTargets() throws {
        let larger = Self.largerRing(Self.ring)
        let key = Self.movedKey(from: Self.ring, to: larger, keeping: "n1")
        var node = node()
        let sent = replicaPutTargets(node.onClientRequest(put(key, id: 3), now: 1_001))
        let id = try #require(sent.id)
        _ = node.onRingChange(ring: larger, epoch: 1, now: 1_002)
        let newcomer = try #require(Set(larger.preferenceList(for: key, count: 3)).subtracting(sent.targets).subtracting(["n1"]).first)
        #expect(!node.onMessage(.coordinator(.putAck(id: id)), from: newcomer, now: 1_003).contains(.reply(.written(id: 3))))
        let old = try #require(sent.targets.first)
        #expect(node.onMessage(.coordinator(.putAck(id: id)), from: old, now: 1_004).contains(.reply(.written(id: 3))))
    }
}
