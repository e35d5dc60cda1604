import CairnCore

/// Identifies one request a node coordinates: the node, its start (the start counter, new at every start of the
/// process, see `NodeConfiguration.start`) and a sequence number that restarts with each start, so an id is
/// never reused across restarts. It never enters a version vector.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    public var coordinator: NodeID
    public var start: UInt64
    public var sequence: UInt64

    public init(coordinator: NodeID, start: UInt64, sequence: UInt64) {
        self.coordinator = coordinator
        self.start = start
        self.sequence = sequence
    }

    public var description: String { "\(coordinator)/s\(start)#\(sequence)" }
}

/// The messages nodes exchange. Every handler is idempotent, so duplicated or reordered delivery is safe.
public enum Message: Hashable, Sendable {
    case replicaPutAck(id: RequestID)
    case replicaGetReply(id: RequestID, data: [UInt8]?)
    /// A node that is not a primary of the key asks a primary to coordinate a client's put or delete.
    case coordinate(id: RequestID, request: ClientRequest)
    /// The primary took the forwarded request on (the forwarder does not suspect it).
    case coordinateAccepted(id: RequestID)
    /// The primary's answer to a forwarded request, for the forwarder to hand to its client.
    case coordinated(id: RequestID, reply: ClientReply)
    /// Are you there? A node about to forward a write asks every primary at once; the first to answer takes it.
    case ping(id: RequestID)
    case pong(id: RequestID)
    /// A coordinator's request to a replica.
    case replica(Replica.Message)
    /// Hinted handoff between a hint's holder and its owner.
    case hints(Hints.Message)
}

/// Where a coordinator's answer goes: to its own client, or back to the node that forwarded the request.
enum ReplyRoute: Hashable, Sendable {
    case client
    case forwarded(origin: NodeID, id: RequestID)

    func answer(_ reply: ClientReply) -> Directive {
        switch self {
        case .client: .reply(reply)
        case .forwarded(let origin, let id): .send(to: origin, .coordinated(id: id, reply: reply))
        }
    }
}

/// Timers a node asks its shell to start; the shell calls `onTimer` when one fires.
public enum TimerID: Hashable, Sendable {
    /// Replicas of a request that have not answered by now are replaced by fallbacks.
    case replicaTimeout(RequestID)
    /// The request gives up and answers the client.
    case requestTimeout(RequestID)
    /// The hint holder's timer.
    case hints(Hints.Timer)
    /// A deleted key's grace period is over: reap it if every replica still holds only its tombstone.
    case reap(RequestID)
    /// A forwarded put was not taken on in time: suspect the primary it went to.
    case forwardTimeout(RequestID)
    /// A forwarded put got no answer at all: tell the client it timed out.
    case forwardExpired(RequestID)
}

/// What a node asks its shell to do, in order. Persisting directives come before the sends and replies that
/// depend on them: the shell must perform them in the order given.
public enum Directive: Hashable, Sendable {
    case send(to: NodeID, Message)
    /// Store the encoded sibling set of a key durably (as the table's durability says) before going on.
    case persist(table: String, key: [UInt8], data: [UInt8])
    /// Remove a key (a reaped tombstone).
    case remove(table: String, key: [UInt8])
    /// Store a hint durably (replacing the one in its slot) before going on.
    case persistHint(Hint)
    case removeHint(HintSlot)
    /// Move a stored copy that does not decode aside, durably, before going on: keep `data` in the node's
    /// quarantine (never overwriting an earlier quarantined copy) and remove the key from the table.
    case quarantine(table: String, key: [UInt8], data: [UInt8])
    case reply(ClientReply)
    case startTimer(TimerID, afterMilliseconds: UInt64)
    /// Something the operator should know (an unreadable stored copy, a merge refused at a limit): one line.
    case log(String)
}

/// The node's read-only view of its own stored replicas, injected by the shell (an engine, or the simulator).
public protocol ReplicaStorageView {
    /// The encoded sibling set stored for a key, or nil when absent. Throws when the storage fails: a copy
    /// that cannot be read is never taken for an absent one.
    func load(table: String, key: [UInt8]) throws -> [UInt8]?
}
