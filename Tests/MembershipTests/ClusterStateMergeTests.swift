import CairnCore
import CairnMembership
import Testing

/// The cluster state is a CRDT: merge is commutative, associative and idempotent over seeded random states,
/// and concurrent updates of one member, table or transfer settle the same way on every node.
@Suite("Cluster state merge")
struct ClusterStateMergeTests {
    @Test("merge is commutative, associative and idempotent", arguments: 0..<50)
    func semilattice(seed: Int) throws {
        var states = RandomClusterStates(seed: UInt64(seed))
        let a = try states.state(), b = try states.state(), c = try states.state()
        #expect(a.merged(with: b) == b.merged(with: a), "commutative")
        #expect(a.merged(with: b).merged(with: c) == a.merged(with: b.merged(with: c)), "associative")
        #expect(a.merged(with: a) == a, "idempotent")
        #expect(a.merged(with: b).merged(with: a) == a.merged(with: b), "a merged state already holds its inputs")
    }

    @Test("random states differ, so the properties are not met by equal inputs")
    func statesDiffer() throws {
        var states = RandomClusterStates(seed: 7)
        let all = try (0..<10).map { _ in try states.state() }
        let distinct = all.indices.filter { index in !all[..<index].contains(all[index]) }
        #expect(distinct.count >= 8)
        #expect(all.contains { $0.merged(with: all[0]) != $0 }, "some merges change a state")
    }

    @Test("a member's higher version wins; at one version the later status wins")
    func memberVersions() throws {
        var left = ClusterState(), right = ClusterState()
        try left.put(MemberRecord(name: "n1", zone: "z1", weight: 1, status: .valid, version: 3))
        try right.put(MemberRecord(name: "n1", zone: "z1", weight: 1, status: .down, version: 2))
        #expect(left.merged(with: right).members["n1"]?.status == .valid)
        try right.setStatus(of: "n1", to: .leaving)  // version 3, concurrent with left's valid
        #expect(left.merged(with: right).members["n1"]?.status == .leaving)
        #expect(right.merged(with: left).members["n1"]?.status == .leaving)
    }

    @Test("the ring of the greater commit wins and keeps its lineage")
    func ringCommits() throws {
        let base = try RandomClusterStates.base()
        var byB = base, byC = base
        try byB.commit(ring: Ring(partitionCount: 64, members: [RingMember("a"), RingMember("b")]), by: "b", transfers: [])
        try byC.commit(ring: Ring(partitionCount: 64, members: [RingMember("a"), RingMember("c")]), by: "c", transfers: [(0, "a", "c")])
        let merged = byB.merged(with: byC)
        #expect(merged.epoch == 2)
        #expect(merged.ring?.commit.committer == "c")
        #expect(merged.ring?.lineage.map(\.epoch) == [1, 2])
        #expect(merged.liveTransfers.map(\.to) == ["c"])
        var later = byB
        try later.commit(ring: Ring(partitionCount: 64, members: [RingMember("b")]), by: "a", transfers: [(1, "a", "b")])
        let after = later.merged(with: byC)
        #expect(after.epoch == 3 && after.ring?.commit.committer == "a")
        #expect(after.liveTransfers.map(\.partition) == [1], "the transfer of c's lost commit is not live")
    }

    @Test("a drop wins over a create at the same version, and a re-create wins over the drop")
    func catalogTombstones() throws {
        var created = ClusterState()
        try created.createTable(TableDefinition(name: "t"))
        var dropped = created
        try dropped.dropTable(named: "t")
        var recreated = dropped
        try recreated.createTable(TableDefinition(name: "t", engine: "lmdb"))
        #expect(created.merged(with: dropped).tables["t"] == nil)
        #expect(recreated.merged(with: created).tables["t"]?.engine == "lmdb")
        #expect(throws: ClusterStateError.tableExists("table t already exists")) { try recreated.createTable(TableDefinition(name: "t")) }
    }

    @Test("a leaving member whose transfers are all done becomes exiting")
    func leavingToExiting() throws {
        var state = try RandomClusterStates.base()
        try state.setStatus(of: "c", to: .leaving)
        try state.commit(ring: Ring(partitionCount: 64, members: [RingMember("a"), RingMember("b")]), by: "a", transfers: [(2, "c", "a"), (5, "c", "b")])
        let keys = state.liveTransfers.map(\.key)
        try state.advance(keys[0], to: .done)
        #expect(state.members["c"]?.status == .leaving)
        try state.advance(keys[1], to: .streaming)
        try state.advance(keys[1], to: .pending)  // never goes back
        #expect(state.transfers[keys[1]]?.status == .streaming)
        try state.advance(keys[1], to: .done)
        #expect(state.members["c"]?.status == .exiting)
        #expect(state.liveTransfers.isEmpty)
    }

    @Test("bad members and tables get a one-line error naming the limit")
    func limits() {
        var state = ClusterState()
        #expect(throws: ClusterStateError.invalidMember("member n1: weight 0 must be 1…1000")) {
            try state.put(MemberRecord(name: "n1", zone: nil, weight: 0, status: .joining, version: 1))
        }
        #expect(throws: ClusterStateError.invalidMember("member n1: zone must be 1…64 bytes")) {
            try state.put(MemberRecord(name: "n1", zone: String(repeating: "z", count: 65), weight: 1, status: .joining, version: 1))
        }
        #expect(throws: ClusterStateError.invalidTable("table t: R 4 and W 2 must be 1…N (3)")) {
            try state.createTable(TableDefinition(name: "t", readQuorum: 4))
        }
        #expect(throws: ClusterStateError.invalidTable("table t: policy 'newest' must be siblings or lww")) {
            try state.createTable(TableDefinition(name: "t", policy: "newest"))
        }
        #expect(throws: ClusterStateError.tableUnknown("no table t")) { try state.dropTable(named: "t") }
        #expect(state.members.isEmpty && state.catalog.isEmpty)
    }
}
