import CairnCore

/// What writes and reads do alike with a `QuorumRequest`: ask each primary (and a stand-in for a suspected one),
/// start the two deadlines, and replace replicas silent at the first deadline by fallbacks.
extension ReplicaNode {
    /// Asks `primary` (not this node) with `ask(nil)`: every primary is asked, even a suspected one (it may be
    /// back), and a suspected one also gets a stand-in, asked with `ask(primary)`.
    func askPrimary<Answer>(
        _ primary: NodeID, of request: inout QuorumRequest<Answer>, _ ask: (_ standingInFor: NodeID?) -> Message
    ) -> [Directive] {
        request.targets.add(primary)
        var directives: [Directive] = [.send(to: primary, ask(nil))]
        let suspects = suspected
        if suspects.contains(primary), let fallback = request.targets.draftFallback(avoiding: suspects, excluded: id) {
            request.targets.add(fallback, standingInFor: primary)
            directives.append(.send(to: fallback, ask(primary)))
        }
        return directives
    }

    /// A new request's deadlines: stand-ins for silent replicas (`replicaTimeout`), then giving up.
    func quorumDeadlines(_ requestID: RequestID) -> [Directive] {
        [
            .startTimer(.coordinator(.replicaTimeout(requestID)), afterMilliseconds: configuration.replicaTimeoutMilliseconds),
            .startTimer(.coordinator(.requestTimeout(requestID)), afterMilliseconds: configuration.requestTimeoutMilliseconds),
        ]
    }

    /// Replicas that missed the deadline are suspected; a fallback stands in for each one's owner (asked with
    /// `ask(owner)`), and the deadline is started again when any was drafted.
    mutating func replaceSilentReplicas<Answer>(
        _ requestID: RequestID, of request: inout QuorumRequest<Answer>, _ ask: (_ standingInFor: NodeID) -> Message
    ) -> [Directive] {
        let answered = Set(request.answers.map(\.node))
        let drafted = draftStandIns(&request.targets) { answered.contains($0) }
        let directives = drafted.map { Directive.send(to: $0.fallback, ask($0.owner)) }
        guard !directives.isEmpty else { return [] }
        return directives + [.startTimer(.coordinator(.replicaTimeout(requestID)), afterMilliseconds: configuration.replicaTimeoutMilliseconds)]
    }

    /// Suspects every target that has not answered, then drafts a fallback to stand in for each silent target's
    /// owner, unless a stand-in for that owner already answered.
    mutating func draftStandIns(
        _ targets: inout ReplicaTargets, answered: (NodeID) -> Bool
    ) -> [(fallback: NodeID, owner: NodeID)] {
        let silent = targets.nodes.filter { $0 != id && !answered($0) }
        for node in silent { suspect(node) }
        let suspects = suspected
        var drafted: [(fallback: NodeID, owner: NodeID)] = []
        for node in silent {
            let owner = targets.standIns[node] ?? node
            let covered = targets.standIns.contains { $0.value == owner && answered($0.key) }
            guard !covered, let fallback = targets.draftFallback(avoiding: suspects, excluded: id) else { continue }
            targets.add(fallback, standingInFor: owner)
            drafted.append((fallback, owner))
        }
        return drafted
    }
}
