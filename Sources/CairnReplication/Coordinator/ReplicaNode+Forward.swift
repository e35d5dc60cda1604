import CairnCore

/// Forwarding: writes are coordinated by one of the key's primaries, which number them under their own actor.
/// A node that is not a primary hands a put or delete to one primary, once: it never retries elsewhere,
/// because a primary that received the request but whose answer was lost would then apply the same write a
/// second time under a second dot. To choose that primary without waiting on dead ones one at a time, it
/// forwards at once to a primary heard from within `replicaTimeout`; otherwise it pings every primary it does
/// not suspect and forwards to the first that answers. When none answers within `replicaTimeout`, it suspects
/// them all at once, as a read does, and coordinates the write itself as a one-shot writer (no primary has
/// the request, so nothing is applied twice): writes through a node cut off from every primary take the
/// sloppy-quorum path with hints, as reads do. A primary that was sent the request but has not taken it on
/// within `replicaTimeout` is suspected, and the request fails with `timeout` if no answer comes.
extension ReplicaNode {
    /// Forwards `request` when this node is not a primary of its key; nil when it should coordinate here.
    mutating func forwardIfNotPrimary(_ request: ClientRequest, _ table: TableSettings) -> [Directive]? {
        let primaries = replicas(of: request.key, table).primaries
        guard !primaries.contains(id) else { return nil }
        let suspects = suspected
        let candidates = primaries.filter { !suspects.contains($0) }
        guard !candidates.isEmpty else { return nil }
        let forwardID = newRequestID()
        // The primary may itself wait a full request timeout for its replicas; allow for that and the hops.
        let expiry = configuration.requestTimeoutMilliseconds + configuration.replicaTimeoutMilliseconds * UInt64(primaries.count + 2)
        let timers: [Directive] = [
            .startTimer(.coordinator(.forwardTimeout(forwardID)), afterMilliseconds: configuration.replicaTimeoutMilliseconds),
            .startTimer(.coordinator(.forwardExpired(forwardID)), afterMilliseconds: expiry),
        ]
        if let live = candidates.first(where: heardRecently) {
            coordinator.forwards[forwardID] = PendingForward(request: request, current: live, askedAt: now)
            return [.send(to: live, .coordinator(.coordinate(id: forwardID, request: request)))] + timers
        }
        coordinator.forwards[forwardID] = PendingForward(request: request, current: nil, askedAt: now, pinged: candidates)
        return candidates.map { .send(to: $0, .coordinator(.ping(id: forwardID))) } + timers
    }

    /// Whether `node` was heard from within `replicaTimeout`.
    func heardRecently(_ node: NodeID) -> Bool {
        lastHeard[node].map { now - $0 < configuration.replicaTimeoutMilliseconds } ?? false
    }

    /// The first primary to answer a ping is sent the request; later answers are ignored.
    mutating func ponged(_ forwardID: RequestID, by primary: NodeID) -> [Directive] {
        guard var forward = coordinator.forwards[forwardID], forward.current == nil, forward.pinged.contains(primary) else { return [] }
        forward.current = primary
        forward.askedAt = now
        coordinator.forwards[forwardID] = forward
        return [
            .send(to: primary, .coordinator(.coordinate(id: forwardID, request: forward.request))),
            .startTimer(.coordinator(.forwardTimeout(forwardID)), afterMilliseconds: configuration.replicaTimeoutMilliseconds),
        ]
    }

    /// No primary answered a ping: suspect them all and coordinate the write here. A primary sent the request
    /// that has not taken it on in time is suspected, and the request keeps waiting for an answer.
    mutating func forwardNotAccepted(_ forwardID: RequestID) -> [Directive] {
        guard let forward = coordinator.forwards[forwardID], !forward.accepted else { return [] }
        guard let current = forward.current else {
            for primary in forward.pinged { suspect(primary) }
            coordinator.forwards[forwardID] = nil
            return handle(forward.request, route: .client, mayForward: false)
        }
        if now - forward.askedAt >= configuration.replicaTimeoutMilliseconds { suspect(current) }
        return []
    }

    /// A primary takes on a forwarded request once, however often the message arrives.
    mutating func coordinateForwarded(_ request: ClientRequest, id forwardID: RequestID, from origin: NodeID) -> [Directive] {
        let accepted = Directive.send(to: origin, .coordinator(.coordinateAccepted(id: forwardID)))
        guard coordinator.acceptedForwards[forwardID] == nil else { return [accepted] }
        if coordinator.acceptedForwards.count >= Self.acceptedForwardsPruneCount {
            let memory = configuration.requestTimeoutMilliseconds * Self.forwardMemoryTimeouts
            coordinator.acceptedForwards = coordinator.acceptedForwards.filter { now - $0.value < memory }
        }
        coordinator.acceptedForwards[forwardID] = now
        return [accepted] + handle(request, route: .forwarded(origin: origin, id: forwardID), mayForward: false)
    }

    /// How many request timeouts a primary remembers a forwarded request, to ignore its duplicates.
    static var forwardMemoryTimeouts: UInt64 { 10 }
    /// Remembered forwards are pruned (by age) only once there are this many, keeping the common path cheap.
    static var acceptedForwardsPruneCount: Int { 4_096 }
}
