import CairnCore
import CairnMembership
import Foundation
import Testing

/// A state that arrives malformed (decoded from bytes someone else wrote) is dropped with a one-line warning
/// naming the problem; the node neither crashes nor changes.
@Suite("Malformed gossip")
struct MalformedStateTests {
    /// A node's state as JSON objects, changed by `edit`, decoded back.
    static func tampered(_ state: ClusterState, _ edit: (inout [String: Any]) -> Void) throws -> ClusterState {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(state)) as? [String: Any])
        edit(&object)
        return try JSONDecoder().decode(ClusterState.self, from: JSONSerialization.data(withJSONObject: object))
    }

    static func ringEdit(_ object: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var record = object["ring"] as! [String: Any]
        var ring = record["ring"] as! [String: Any]
        edit(&ring)
        record["ring"] = ring
        object["ring"] = record
    }

    @Test("a ring owner that is not a member, a short ring, a bad weight: each dropped with its reason")
    func dropped() throws {
        var node = try GossipNode(configuration: GossipNodeConfiguration(name: "a", seeds: []), seed: 1)
        let sender = try GossipNode(configuration: GossipNodeConfiguration(name: "b", seeds: []), seed: 2)
        let cases: [(ClusterState, String)] = [
            (try Self.tampered(sender.state) { Self.ringEdit(&$0) { ring in
                var owners = ring["owners"] as! [Any]
                owners[3] = ["name": "stranger"]
                ring["owners"] = owners
            } }, "ring owner stranger is not a ring member"),
            (try Self.tampered(sender.state) { Self.ringEdit(&$0) { ring in ring["owners"] = Array((ring["owners"] as! [Any]).prefix(10)) } },
             "ring of 64 partitions with 10 owners"),
            (try Self.tampered(sender.state) { Self.ringEdit(&$0) { ring in ring["partitionCount"] = 5 } },
             "ring of 5 partitions; Q must be 64…1024"),
        ]
        let before = node.state
        for (state, reason) in cases {
            let directives = node.onMessage(.state(state, replyWanted: true), from: "b")
            #expect(directives == [.log(.warning, "gossip from b dropped: \(reason)")])
        }
        #expect(node.state == before)
        var heavy = ClusterState()
        try heavy.put(MemberRecord(name: "c", zone: nil, weight: 1, status: .joining, version: 1))
        let badWeight = try Self.tampered(heavy) { object in
            object["members"] = [["name": "c"], ["name": ["name": "c"], "weight": 0, "status": "joining", "version": 1]]
        }
        #expect(node.onMessage(.state(badWeight, replyWanted: false), from: "b") == [.log(.warning, "gossip from b dropped: member c: weight 0 must be 1…1000")])
        #expect(throws: GossipError.state(.invalidMember("member c: weight 0 must be 1…1000"))) {
            _ = try GossipNode(configuration: GossipNodeConfiguration(name: "a", seeds: []), seed: 1, restoredState: badWeight)
        }
    }

    @Test("a node restarted from its persisted state keeps its record's version and its ring")
    func restart() throws {
        var first = try GossipNode(configuration: GossipNodeConfiguration(name: "a", zone: "z1", seeds: []), seed: 1)
        _ = try first.createTable(TableDefinition(name: "t"))
        let again = try GossipNode(configuration: GossipNodeConfiguration(name: "a", zone: "z1", seeds: []), seed: 5, restoredState: first.state)
        #expect(again.state == first.state && again.digest == first.digest)
        let moved = try GossipNode(configuration: GossipNodeConfiguration(name: "a", zone: "z2", seeds: []), seed: 5, restoredState: first.state)
        #expect(moved.state.members["a"]?.version == 2 && moved.state.members["a"]?.zone == "z2", "a changed zone is news")
    }
}
