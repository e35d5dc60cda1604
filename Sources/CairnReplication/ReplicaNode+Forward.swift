import CairnCore

/// Forwarding: writes are coordinated by one of the key's primaries, which number them under their own name.
/// A node that is not a primary hands a put or delete to the first primary it does not suspect, once: it never
/// retries elsewhere, because a primary that received the request but whose answer was lost would then apply
/// the same write a second time under a second dot. A primary that has not taken the request on within
/// `replicaTimeout` is suspected (so later writes go to the next one), and a request with no answer fails with
/// `timeout`, as any unacknowledged write may. Only when every primary is suspected does the node coordinate
/// the write itself, under a one-shot writer name (each adds an entry to the key's version vector).
extension ReplicaNode {
    /// Forwards `request` when this node is not a primary of its key; nil when it should coordinate here.
    mutating func forwardIfNotPrimary(_ request: ClientRequest, _ table: TableSettings) -> [Directive]? {
        let primaries = replicas(of: request.key, table).primaries
        guard !primaries.contains(id) else { return nil }
        let suspects = suspected
        let candidates = primaries.filter { !suspects.contains($0) }
        guard let first = candidates.first else { return nil }
        let forwardID = newRequestID()
        forwards[forwardID] = PendingForward(request: request, current: first)
        // The primary may itself wait a full request timeout for its replicas; allow for that and the hops.
        let expiry = configuration.requestTimeoutMilliseconds + configuration.replicaTimeoutMilliseconds * UInt64(primaries.count + 1)
        return [
            .send(to: first, .coordinate(id: forwardID, request: request)),
            .startTimer(.forwardTimeout(forwardID), afterMilliseconds: configuration.replicaTimeoutMilliseconds),
            .startTimer(.forwardExpired(forwardID), afterMilliseconds: expiry),
        ]
    }

    /// The primary did not take the request on in time: suspect it, and keep waiting for an answer.
    mutating func forwardNotAccepted(_ forwardID: RequestID) -> [Directive] {
        guard let forward = forwards[forwardID], !forward.accepted else { return [] }
        suspect(forward.current)
        return []
    }

    /// A primary takes on a forwarded request once, however often the message arrives.
    mutating func coordinateForwarded(_ request: ClientRequest, id forwardID: RequestID, from origin: NodeID) -> [Directive] {
        let accepted = Directive.send(to: origin, .coordinateAccepted(id: forwardID))
        guard acceptedForwards[forwardID] == nil else { return [accepted] }
        if acceptedForwards.count >= Self.acceptedForwardsPruneCount {
            let memory = configuration.requestTimeoutMilliseconds * Self.forwardMemoryTimeouts
            acceptedForwards = acceptedForwards.filter { now - $0.value < memory }
        }
        acceptedForwards[forwardID] = now
        return [accepted] + handle(request, route: .forwarded(origin: origin, id: forwardID), mayForward: false)
    }

    /// How many request timeouts a primary remembers a forwarded request, to ignore its duplicates.
    static var forwardMemoryTimeouts: UInt64 { 10 }
    /// Remembered forwards are pruned (by age) only once there are this many, keeping the common path cheap.
    static var acceptedForwardsPruneCount: Int { 4_096 }
}
