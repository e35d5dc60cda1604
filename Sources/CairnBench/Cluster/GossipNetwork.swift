import CairnCore
import CairnMembership

/// A deterministic, round-based network of `GossipNode`s for tests and the convergence benchmark.
///
/// A round is one gossip interval: every running node's gossip timer fires once, in name order, and the
/// messages it causes are delivered in send order. A message is lost with `lossProbability`, and otherwise
/// arrives after 0…`delayRoundsMax` rounds (0: within the round, as when the round trip is far shorter than
/// the interval). All choices come from one seeded `SplitMix64`, so a run replays from its seed.
public struct GossipNetwork {
    public private(set) var nodes: [GossipNode] = []
    private var indexOf: [NodeID: Int] = [:]
    /// Nodes that neither tick nor receive (crashed or cut off).
    public var stopped: Set<NodeID> = []
    public let lossProbability: Double
    public let delayRoundsMax: Int
    private var random: SplitMix64
    private var now: [(to: NodeID, from: NodeID, message: GossipMessage)] = []
    private var later: [Int: [(to: NodeID, from: NodeID, message: GossipMessage)]] = [:]
    public private(set) var round = 0
    public private(set) var messagesSent = 0
    public private(set) var messagesLost = 0
    public private(set) var bytesSent = 0
    /// Log lines the nodes asked for, with their node, newest last (bounded by `logLinesMax`).
    public private(set) var logLines: [(node: NodeID, level: GossipLogLevel, text: String)] = []
    public static let logLinesMax = 10_000

    public init(lossProbability: Double = 0, delayRoundsMax: Int = 0, seed: UInt64) {
        precondition((0..<1).contains(lossProbability), "loss probability is 0…<1")
        precondition(delayRoundsMax >= 0, "delay is not negative")
        self.lossProbability = lossProbability
        self.delayRoundsMax = delayRoundsMax
        random = SplitMix64(seed: seed)
    }

    /// Adds a node and performs its start directives.
    public mutating func add(_ node: GossipNode) {
        precondition(indexOf[node.name] == nil, "node \(node.name) is added once")
        indexOf[node.name] = nodes.count
        nodes.append(node)
        perform(node.start(), at: node.name)
        deliver()
    }

    public func node(_ name: NodeID) -> GossipNode {
        nodes[indexOf[name]!]
    }

    /// Runs an action on one node (an admin command) and performs the directives it returns.
    public mutating func act<Failure: Error>(
        at name: NodeID, _ action: (inout GossipNode) throws(Failure) -> [GossipDirective]
    ) throws(Failure) {
        let directives = try action(&nodes[indexOf[name]!])
        perform(directives, at: name)
        deliver()
    }

    /// One gossip interval.
    public mutating func runRound() {
        round += 1
        now += later.removeValue(forKey: round) ?? []
        for index in nodes.indices where !stopped.contains(nodes[index].name) {
            perform(nodes[index].onTimer(.gossipRound), at: nodes[index].name)
        }
        deliver()
    }

    /// Whether every running node holds the same state.
    public var isConverged: Bool {
        let running = nodes.filter { !stopped.contains($0.name) }
        guard let first = running.first else { return true }
        return running.allSatisfy { $0.digest == first.digest }
    }

    /// Runs rounds until the running nodes converge; the rounds it took, or nil after `roundsMax`.
    public mutating func runUntilConverged(roundsMax: Int) -> Int? {
        let start = round
        while !isConverged {
            guard round - start < roundsMax else { return nil }
            runRound()
        }
        return round - start
    }

    private mutating func perform(_ directives: [GossipDirective], at name: NodeID) {
        for directive in directives {
            switch directive {
            case .send(let target, let message):
                messagesSent += 1
                bytesSent += message.wireBytes
                if lossProbability > 0, random.nextUnit() < lossProbability {
                    messagesLost += 1
                    continue
                }
                let delay = delayRoundsMax > 0 ? random.next(below: delayRoundsMax + 1) : 0
                if delay == 0 { now.append((target, name, message)) } else { later[round + delay, default: []].append((target, name, message)) }
            case .log(let level, let text):
                if logLines.count == Self.logLinesMax { logLines.removeFirst() }
                logLines.append((name, level, text))
            case .startTimer, .persist:
                break  // the round is the timer; state lives in the node
            }
        }
    }

    private mutating func deliver() {
        var next = 0
        while next < now.count {
            let (target, sender, message) = now[next]
            next += 1
            guard let index = indexOf[target], !stopped.contains(target) else { continue }
            perform(nodes[index].onMessage(message, from: sender), at: target)
        }
        now.removeAll(keepingCapacity: true)
    }
}
