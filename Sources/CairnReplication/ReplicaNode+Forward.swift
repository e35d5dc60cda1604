import CairnCore

/// Forwarding: writes are coordinated by one of the key's primaries, which number them under their own name.
/// A node that is not a primary hands a put or delete to the first primary it does not suspect; if none takes
/// it on within `replicaTimeout`, it tries the next, and with none left it coordinates the write itself under
/// a one-shot writer name (each such write adds an entry to the key's version vector, so this stays rare).
extension ReplicaNode {
    /// Forwards `request` when this node is not a primary of its key; nil when it should coordinate here.
    mutating func forwardIfNotPrimary(_ request: ClientRequest, _ table: TableSettings) -> [Directive]? {
        let primaries = replicas(of: request.key, table).primaries
        guard !primaries.contains(id) else { return nil }
        let suspects = suspected
        let candidates = primaries.filter { !suspects.contains($0) }
        guard let first = candidates.first else { return nil }
        let forwardID = newRequestID()
        forwards[forwardID] = PendingForward(request: request, current: first, remaining: Array(candidates.dropFirst()))
        // The primary may itself wait a full request timeout for its replicas; allow for that and the hops.
        let expiry = configuration.requestTimeoutMilliseconds + configuration.replicaTimeoutMilliseconds * UInt64(primaries.count + 1)
        return [
            .send(to: first, .coordinate(id: forwardID, request: request)),
            .startTimer(.forwardTimeout(forwardID), afterMilliseconds: configuration.replicaTimeoutMilliseconds),
            .startTimer(.forwardExpired(forwardID), afterMilliseconds: expiry),
        ]
    }

    /// The forwarded primary did not take the request on: try the next one, or coordinate here.
    mutating func forwardToNextPrimary(_ forwardID: RequestID) -> [Directive] {
        guard var forward = forwards[forwardID], !forward.accepted else { return [] }
        suspect(forward.current)
        guard !forward.remaining.isEmpty else {
            forwards[forwardID] = nil
            return handle(forward.request, route: .client, mayForward: false)
        }
        forward.current = forward.remaining.removeFirst()
        forwards[forwardID] = forward
        return [
            .send(to: forward.current, .coordinate(id: forwardID, request: forward.request)),
            .startTimer(.forwardTimeout(forwardID), afterMilliseconds: configuration.replicaTimeoutMilliseconds),
        ]
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
