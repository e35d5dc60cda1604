import CairnCore

/// The coordinator's state machine. A client's get, put or delete reaches some node: a primary of the key (any
/// node, for a get) coordinates it, asking the key's replicas with a `QuorumRequest` and answering at quorum
/// (`ReplicaNode+Write`, `ReplicaNode+Read`, with read repair and tombstone reaping); any other node forwards a
/// put or delete to one primary (`ReplicaNode+Forward`) and coordinates it itself, as a one-shot writer
/// (`ReplicaNode+OneShot`), only when no primary answers. The router is `ReplicaNode+Coordinator`.
public enum Coordinator {
    /// The requests this node coordinates or forwarded, by request id.
    struct State {
        var writes: [RequestID: PendingWrite] = [:]
        var reads: [RequestID: PendingRead] = [:]
        var reaps: [RequestID: PendingReap] = [:]
        var forwards: [RequestID: PendingForward] = [:]
        /// Forwarded requests already taken on, with when, so a duplicated `coordinate` is not applied twice.
        var acceptedForwards: [RequestID: UInt64] = [:]

        /// Client requests in flight here (reaps are not: no client waits for them).
        var pendingRequestCount: Int { writes.count + reads.count + forwards.count }
    }

    /// What reaches a coordinator: the replicas' answers, and the forwarding between a node that is not a
    /// primary of a key and the key's primaries.
    public enum Message: Hashable, Sendable {
        /// A replica stored (or, as a fallback, holds as a hint) the write of request `id`.
        case putAck(id: RequestID)
        /// A replica's copy of the key for read `id` (nil: it has none).
        case getReply(id: RequestID, data: [UInt8]?)
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

    /// The coordinator's timers.
    public enum Timer: Hashable, Sendable {
        /// Replicas of a request that have not answered by now are replaced by fallbacks.
        case replicaTimeout(RequestID)
        /// The request gives up and answers the client.
        case requestTimeout(RequestID)
        /// A deleted key's grace period is over: reap it if every replica still holds only its tombstone.
        case reap(RequestID)
        /// A prune's grace period is over: ask every primary to drop the entries they all agreed on.
        case prune(RequestID)
        /// A forwarded put was not taken on in time: suspect the primary it went to.
        case forwardTimeout(RequestID)
        /// A forwarded put got no answer at all: tell the client it timed out.
        case forwardExpired(RequestID)
    }
}
