import CairnCore
import CairnNode
import CairnReplication
import MemoryEngine
import Testing

/// The shell that performs a node's directives, over recording ports.
@Suite("Node shell")
struct NodeShellTests {
    static let ring = Ring(partitionCount: 64, members: ["n1", "n2", "n3"].map { RingMember(NodeID($0)) })
    static let key = Array("cart".utf8)

    /// A started shell for `id` with its ports and store.
    func shell(_ id: NodeID = "n1", ring: Ring = Self.ring, store: RecordingStore = RecordingStore()) throws -> (NodeShell, RecordingPorts, RecordingStore) {
        let ports = RecordingPorts()
        let shell = NodeShell(id: id, transport: ports, timers: ports, replies: ports, observer: ports)
        let core = ReplicaNode(configuration: NodeConfiguration(id: id, ring: ring, tables: ["t": TableSettings()]), storage: store)
        try shell.start(core, store: store, now: 1_000)
        return (shell, ports, store)
    }

    func put(_ value: String, id: UInt64 = 1) -> ClientRequest {
        ClientRequest(id: id, table: "t", key: Self.key, operation: .put(value: Array(value.utf8), context: nil), options: .defaults)
    }

    @Test("a persist that fails stops the sends after it and stops the node")
    func failedPersistStops() throws {
        let (shell, ports, store) = try shell()
        store.failing = true
        let outcome = try shell.onClientRequest(put("a"), now: 1_001)
        #expect(outcome == .storageFailed(atIndex: 0))
        #expect(ports.sent.isEmpty, "no replica may hear of a write its coordinator could not store")
        #expect(ports.replies.isEmpty)
        #expect(ports.scheduled.count == 1, "only the start's timer: \(ports.scheduled)")
        #expect(ports.storageFailures.count == 1)
        #expect(!shell.isRunning)
        #expect(try shell.onMessage(.coordinator(.ping(id: RequestID(coordinator: "n2", start: 1, sequence: 1))), from: "n2", now: 1_002) == .notRunning)
    }

    @Test("a persist that succeeds is followed by the sends to the other primaries")
    func persistThenSends() throws {
        let (shell, ports, store) = try shell()
        #expect(try shell.onClientRequest(put("a"), now: 1_001) == .performed)
        #expect(store.performed.count == 1)
        #expect(ports.replicaPuts.targets == ["n2", "n3"])
    }

    @Test("timers scheduled before a restart are ignored")
    func staleTimersIgnored() throws {
        let (shell, ports, store) = try shell()
        #expect(ports.scheduled.map(\.generation) == [1])
        shell.stop()
        try shell.start(ReplicaNode(configuration: NodeConfiguration(id: "n1", ring: Self.ring, tables: ["t": TableSettings()]), storage: store), store: store, now: 2_000)
        #expect(shell.generation == 2)
        #expect(try shell.onTimer(.hints(.delivery), generation: 1, now: 2_500) == .staleTimer)
        #expect(ports.scheduled.map(\.generation) == [1, 2], "a stale timer does nothing")
        #expect(try shell.onTimer(.hints(.delivery), generation: 2, now: 2_500) == .performed)
        #expect(ports.scheduled.map(\.generation) == [1, 2, 2], "a current hint-delivery timer re-arms itself")
    }

    @Test("replies reach the sink: a refusal at once, a write once its quorum acknowledged")
    func repliesReachSink() throws {
        let (shell, ports, _) = try shell()
        let unknown = ClientRequest(id: 7, table: "nope", key: Self.key, operation: .get, options: .defaults)
        try shell.onClientRequest(unknown, now: 1_001)
        #expect(ports.replies == [.failed(id: 7, error: .unknownTable("nope"))])
        try shell.onClientRequest(put("a", id: 8), now: 1_002)
        let id = try #require(ports.replicaPuts.id)
        try shell.onMessage(.coordinator(.putAck(id: id)), from: "n2", now: 1_003)
        #expect(ports.replies.last == .written(id: 8))
    }

    @Test("a new ring reaches the core through the shell; an older one is ignored")
    func ringThroughShell() throws {
        let (shell, ports, _) = try shell()
        let larger = RingChangeTests.largerRing(Self.ring)
        let key = RingChangeTests.movedKey(from: Self.ring, to: larger, keeping: "n1")
        try shell.onRingChange(ring: larger, epoch: 1, now: 1_001)
        try shell.onRingChange(ring: Self.ring, epoch: 1, now: 1_002)
        #expect(shell.core?.ringEpoch == 1)
        let request = ClientRequest(id: 9, table: "t", key: key, operation: .put(value: [1], context: nil), options: .defaults)
        try shell.onClientRequest(request, now: 1_003)
        #expect(ports.replicaPuts.targets == Set(larger.preferenceList(for: key, count: 3)).subtracting(["n1"]))
    }

    @Test("a clean stop keeps the incarnation for the next start; a crash of a buffered node begins a new one")
    func startAndStopCleanly() throws {
        let store = EngineReplicaStore(partitionCount: 64, tables: ["t": MemoryEngine()], hints: MemoryEngine())
        let ports = RecordingPorts()
        let shell = NodeShell(id: "n1", transport: ports, timers: ports, replies: ports, observer: ports)
        let template = NodeConfiguration(id: "n1", ring: Self.ring, tables: ["t": TableSettings()])
        func start(at wallClock: UInt64) throws -> NodeConfiguration {
            let prepared = try shell.prepareStart(
                over: store, configuration: template, wallClockMilliseconds: wallClock, bufferedTables: ["t"], freshCounter: 7)
            try shell.start(prepared.core, store: store, now: wallClock)
            return prepared.core.configuration
        }
        let first = try start(at: 1_000)
        #expect(first.incarnation == 7 && first.start == 7, "a new disk starts from the fresh counter")
        try shell.stopCleanly(store: store, wallClockMilliseconds: 2_000)
        #expect(!shell.isRunning)
        let second = try start(at: 3_000)
        #expect(second.incarnation == 7 && second.start == 8, "after a clean stop only the start counter moves")
        shell.stop()
        let third = try start(at: 4_000)
        #expect(third.incarnation == 8 && third.start == 9, "after a crash a buffered node takes a new incarnation")
        #expect(shell.generation == 3)
    }
}
