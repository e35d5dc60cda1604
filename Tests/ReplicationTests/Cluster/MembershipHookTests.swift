import CairnCore
import CairnReplication
import Testing

/// `ReplicaNode+Membership`: the failure detector's unreachable members and the catalog's tables reach the core.
@Suite("Replica node membership hook")
struct MembershipHookTests {
    static let ring = Ring(partitionCount: 64, members: ["n1", "n2", "n3", "n4"].map { RingMember(NodeID($0)) })

    final class EmptyStorage: ReplicaStorageView {
        func load(table: String, key: [UInt8]) throws -> [UInt8]? { nil }
    }

    func node(_ id: NodeID, hints: [Hint] = []) -> ReplicaNode {
        ReplicaNode(
            configuration: NodeConfiguration(id: id, ring: Self.ring, tables: ["t": TableSettings()]), storage: EmptyStorage(), hints: hints)
    }

    @Test("an unreachable primary is asked and also gets a stand-in at once; a member back to alive is offered its hints")
    func unreachableMembers() throws {
        let key = (0..<500).map { Array("k\($0)".utf8) }.first { Self.ring.preferenceList(for: $0, count: 3).first == "n1" }!
        let primaries = Self.ring.preferenceList(for: key, count: 3)
        var coordinator = node("n1")
        #expect(coordinator.onUnreachableMembersChanged([primaries[1], "n1"], now: 1_000).isEmpty)
        #expect(coordinator.suspected == [primaries[1]], "itself is never suspected")
        let directives = coordinator.onClientRequest(ClientRequest(id: 1, table: "t", key: key, operation: .put(value: [1], context: nil)), now: 1_001)
        let hinted = directives.compactMap { directive -> NodeID? in
            if case .send(_, .replica(.put(_, _, _, _, let hintFor))) = directive { return hintFor } else { return nil }
        }
        #expect(replicaPutTargets(directives).targets.count == 3, "both other primaries and one stand-in are asked")
        #expect(hinted == [primaries[1]], "the stand-in holds a hint for the unreachable primary")

        let hint = Hint(owner: "n2", table: "t", key: key, data: [0])
        var holder = node("n3", hints: [hint])
        _ = holder.onUnreachableMembersChanged(["n2"], now: 1_000)
        #expect(holder.onUnreachableMembersChanged([], now: 1_100) == [.send(to: "n2", .hints(.delivery(table: "t", key: key, data: [0])))])
    }

    @Test("a table from the catalog is served; a bad one is refused with a line naming the problem")
    func tablesAdded() {
        var replica = node("n1")
        _ = replica.onTableAdded(named: "cart", settings: TableSettings(replicas: 3, readQuorum: 2, writeQuorum: 2), now: 1)
        #expect(replica.configuration.tables["cart"] != nil)
        let refused = replica.onTableAdded(named: "bad", settings: TableSettings(replicas: 2, readQuorum: 3, writeQuorum: 1), now: 2)
        #expect(replica.configuration.tables["bad"] == nil)
        #expect(refused.count == 1 && "\(refused)".contains("R 3"), "\(refused)")
        let long = String(repeating: "x", count: ReplicationLimits.tableNameBytesMax + 1)
        #expect("\(replica.onTableAdded(named: long, settings: TableSettings(), now: 3))".contains("tableNameBytesMax"))
    }
}
