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

/// A hinted write held by a fallback node for an unreachable owner: merged per (owner, table, key).
public struct Hint: Hashable, Sendable {
    public var owner: NodeID
    public var table: String
    public var key: [UInt8]
    /// The encoded sibling set to hand over.
    public var data: [UInt8]

    public init(owner: NodeID, table: String, key: [UInt8], data: [UInt8]) {
        self.owner = owner
        self.table = table
        self.key = key
        self.data = data
    }

    public var slot: HintSlot { HintSlot(owner: owner, table: table, key: key) }
}

/// Where a hint is kept: one per (owner, table, key).
public struct HintSlot: Hashable, Sendable {
    public var owner: NodeID
    public var table: String
    public var key: [UInt8]

    public init(owner: NodeID, table: String, key: [UInt8]) {
        self.owner = owner
        self.table = table
        self.key = key
    }
}

/// The messages nodes exchange. Every handler is idempotent, so duplicated or reordered delivery is safe.
public enum Message: Hashable, Sendable {
    /// Merge `data` into your copy of the key (or, with `hintFor`, hold it as a hint for that owner); ack it.
    case replicaPut(id: RequestID, table: String, key: [UInt8], data: [UInt8], hintFor: NodeID?)
    case replicaPutAck(id: RequestID)
    /// Send your copy of the key (a fallback sends the hint it holds, if any).
    case replicaGet(id: RequestID, table: String, key: [UInt8])
    case replicaGetReply(id: RequestID, data: [UInt8]?)
    /// A hint handed to its owner; the owner merges it and acknowledges what it merged.
    case hintDelivery(table: String, key: [UInt8], data: [UInt8])
    case hintAck(table: String, key: [UInt8], data: [UInt8])
    /// Remove the key if your copy is still exactly the tombstones of `history`.
    case reap(table: String, key: [UInt8], history: [UInt8])
    /// Drop each version-vector entry of `entries` your copy still holds with that counter and no sibling of.
    case prune(table: String, key: [UInt8], entries: [UInt8])
    /// A node that is not a primary of the key asks a primary to coordinate a client's put or delete.
    case coordinate(id: RequestID, request: ClientRequest)
    /// The primary took the forwarded request on (the forwarder does not suspect it).
    case coordinateAccepted(id: RequestID)
    /// The primary's answer to a forwarded request, for the forwarder to hand to its client.
    case coordinated(id: RequestID, reply: ClientReply)
    /// Are you there? A node about to forward a write asks every primary at once; the first to answer takes it.
    case ping(id: RequestID)
    case pong(id: RequestID)
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
    /// Time to offer held hints to their owners again.
    case hintDelivery
    /// A deleted key's grace period is over: reap it if every replica still holds only its tombstone.
    case reap(RequestID)
    /// A prune's grace period is over: ask every primary to drop the entries they all agreed on.
    case prune(RequestID)
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
