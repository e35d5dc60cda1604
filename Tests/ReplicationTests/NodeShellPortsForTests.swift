import CairnCore
import CairnNode
import CairnReplication

/// A transport, timer service, reply sink and observer that record what a `NodeShell` did, for its unit tests.
final class RecordingPorts: NodeTransport, NodeTimerService, ClientReplySink, NodeShellObserver {
    private(set) var sent: [(to: NodeID, message: Message)] = []
    private(set) var scheduled: [(timer: TimerID, afterMilliseconds: UInt64, generation: UInt64)] = []
    private(set) var replies: [ClientReply] = []
    private(set) var storageFailures: [Directive] = []
    private(set) var logs: [String] = []

    /// Other than replication envelopes (a node in a cluster), recorded apart.
    private(set) var otherEnvelopes: [NodeMessage] = []

    func send(to node: NodeID, _ envelope: NodeMessage) {
        guard case .replication(let message) = envelope else { return otherEnvelopes.append(envelope) }
        sent.append((node, message))
    }
    func schedule(_ envelope: NodeTimer, afterMilliseconds: UInt64, generation: UInt64) {
        guard case .replication(let timer) = envelope else { return }
        scheduled.append((timer, afterMilliseconds, generation))
    }
    func deliver(_ reply: ClientReply) { replies.append(reply) }
    func storageFailed(_ directive: Directive, error: any Error) throws { storageFailures.append(directive) }
    func log(_ line: String) { logs.append(line) }

    /// The nodes sent a replica `put`, with the request id of the first.
    var replicaPuts: (targets: Set<NodeID>, id: RequestID?) { replicaPutTargets(sent.map { .send(to: $0.to, $0.message) }) }
}

/// The nodes `directives` send a replica `put` to, with the request id of the first.
func replicaPutTargets(_ directives: [Directive]) -> (targets: Set<NodeID>, id: RequestID?) {
    var targets = Set<NodeID>()
    var first: RequestID?
    for case .send(let to, .replica(.put(let id, _, _, _, _))) in directives {
        targets.insert(to)
        first = first ?? id
    }
    return (targets, first)
}

/// A store that records the storage directives it performed, or refuses every one while `failing`.
final class RecordingStore: ReplicaDirectiveStore, ReplicaStorageView {
    struct Refused: Error {}
    var failing = false
    private(set) var performed: [Directive] = []

    func perform(_ directive: Directive) throws {
        guard !failing else { throw Refused() }
        performed.append(directive)
    }

    /// Nothing is stored before a test begins.
    func load(table: String, key: [UInt8]) throws -> [UInt8]? { nil }
}
