import CairnCore

/// How a `QuorumRequest` counts answers toward its quorum (W or R).
enum QuorumCounting {
    /// Replica positions: a stand-in counts as the primary it stands in for, so a primary and its stand-in (which
    /// may already have handed its hint over and deleted it) are one copy, not two. Writes count so.
    case replicaPositions
    /// Every answer counts, a stand-in's as one more. Reads count so.
    case answers
}

/// A request a coordinator sends to a key's replicas, shared by writes and reads: whom it asked
/// (`ReplicaTargets`: the primaries, then fallbacks drafted to stand in for silent ones), who answered and with
/// what, and whether the quorum is reached (W or R answers, of which PW or PR from primaries). The asking,
/// the stand-ins and the timeouts are in `ReplicaNode+QuorumRequest`.
struct QuorumRequest<Answer> {
    /// The client's own number for the request, echoed in the reply.
    let clientID: UInt64
    /// Where the client's answer goes.
    let route: ReplyRoute
    let table: String
    let key: [UInt8]
    /// W or R.
    let quorum: Int
    /// PW or PR: answers that must come from primaries.
    let primaryQuorum: Int
    let counting: QuorumCounting
    /// The key's primaries when the request began; kept if the ring changes meanwhile.
    let primaries: [NodeID]
    var targets: ReplicaTargets
    /// Each target's answer, in arrival order; at most one per target.
    private(set) var answers: [(node: NodeID, answer: Answer)] = []
    /// Whether the client has been answered.
    private(set) var replied = false

    init(
        clientID: UInt64, route: ReplyRoute, table: String, key: [UInt8], quorum: Int, primaryQuorum: Int,
        counting: QuorumCounting, primaries: [NodeID], fallbacks: [NodeID]
    ) {
        self.clientID = clientID
        self.route = route
        self.table = table
        self.key = key
        self.quorum = quorum
        self.primaryQuorum = primaryQuorum
        self.counting = counting
        self.primaries = primaries
        self.targets = ReplicaTargets(fallbacks: fallbacks)
    }

    func hasAnswered(_ node: NodeID) -> Bool { answers.contains { $0.node == node } }

    /// Whether `node` was asked and has not answered yet: only such an answer is recorded.
    func awaits(_ node: NodeID) -> Bool { targets.contains(node) && !hasAnswered(node) }

    mutating func record(_ answer: Answer, from node: NodeID) {
        assert(awaits(node), "one answer per target asked")
        answers.append((node, answer))
    }

    var primaryAnswers: Int { answers.filter { targets.isPrimary($0.node) }.count }

    /// The answers that count toward `quorum`, as `counting` says.
    var counted: Int {
        switch counting {
        case .replicaPositions: Set(answers.map { targets.standIns[$0.node] ?? $0.node }).count
        case .answers: answers.count
        }
    }

    var quorumReached: Bool { counted >= quorum && primaryAnswers >= primaryQuorum }
    var everyoneAnswered: Bool { targets.nodes.allSatisfy(hasAnswered) }

    /// True the first time `due` holds (the quorum reached, as a rule): the caller answers the client then, once.
    mutating func replyOnce(when due: Bool) -> Bool {
        guard !replied, due else { return false }
        replied = true
        return true
    }

    /// The client's answer when the request times out; nil once it was answered.
    var timeoutReply: Directive? {
        replied ? nil : route.answer(.failed(id: clientID, error: .timeout(needed: quorum, got: counted)))
    }
}
