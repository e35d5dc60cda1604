import CairnCore
import CairnMembership

/// The network a `DetectorSimulation` runs over: each message is lost with probability `lossRate`, else
/// delivered after `delayMinMilliseconds` plus a uniform jitter of up to `delayJitterMilliseconds`.
public struct SimulatedNetwork: Hashable, Sendable {
    public var lossRate: Double
    public var delayMinMilliseconds: UInt64
    public var delayJitterMilliseconds: UInt64

    public init(lossRate: Double = 0, delayMinMilliseconds: UInt64 = 1, delayJitterMilliseconds: UInt64 = 0) {
        self.lossRate = lossRate
        self.delayMinMilliseconds = delayMinMilliseconds
        self.delayJitterMilliseconds = delayJitterMilliseconds
    }

    /// A problem with these settings, in one line, or nil.
    public var problem: String? {
        if !(0...1).contains(lossRate) { return "lossRate (\(lossRate)) must be within 0…1" }
        if delayMinMilliseconds > 60_000 || delayJitterMilliseconds > 60_000 { return "message delays must be at most 60000 ms" }
        return nil
    }
}

/// Failure detectors for `nodeCount` nodes (`n1`…) over a seeded simulated network, in virtual time: every
/// directive is performed by the simulation, so a run is a pure function of its seed. Nodes can crash (they
/// go silent for good), pause (their events wait, as in a long GC pause) and lose the link to one another.
public struct DetectorSimulation {
    /// One node's view changed: `observer` now sees `change.node` as `change.current`.
    public struct Observation: Hashable, Sendable {
        public var time: UInt64
        public var observer: NodeID
        public var change: FailureDetector.StatusChange
    }

    /// What the event queue holds: a message in flight, or a timer due.
    enum Event {
        case deliver(FailureDetector.Message, from: NodeID, to: NodeID)
        /// A timer of the node's `life`-th start; a restart leaves earlier lives' timers unfired.
        case timer(FailureDetector.Timer, node: NodeID, life: Int)
    }

    public let nodes: [NodeID]
    public let network: SimulatedNetwork
    public private(set) var detectors: [NodeID: FailureDetector] = [:]
    public private(set) var now: UInt64 = 0
    public private(set) var observations: [Observation] = []
    public private(set) var messagesSent = 0
    public private(set) var messagesLost = 0
    public private(set) var crashed: Set<NodeID> = []
    /// Inputs a detector refused, as `node: error` (none among well-behaved detectors).
    public private(set) var rejections: [String] = []
    var pausedUntil: [NodeID: UInt64] = [:]
    /// How many times each node has started (1 at first).
    var lives: [NodeID: Int] = [:]
    let settings: FailureDetector.Settings
    let seed: UInt64
    var cutLinks: Set<[NodeID]> = []
    var queue = EventQueue<Event>()
    var random: SplitMix64

    public init(
        nodeCount: Int, settings: FailureDetector.Settings = FailureDetector.Settings(), network: SimulatedNetwork, seed: UInt64
    ) throws {
        guard (1...10_000).contains(nodeCount) else {
            throw FailureDetectionError.settingInvalid("a simulation has 1…10000 nodes, not \(nodeCount)")
        }
        if let problem = network.problem { throw FailureDetectionError.settingInvalid(problem) }
        nodes = (1...nodeCount).map { NodeID("n\($0)") }
        self.network = network
        self.settings = settings
        self.seed = seed
        random = SplitMix64(seed: seed)
        for node in nodes { try boot(node) }
    }

    /// Starts `node` afresh (incarnation 0, knowing every other node as alive), as a process start would.
    mutating func boot(_ node: NodeID) throws {
        let life = lives[node, default: 0] + 1
        lives[node] = life
        let index = UInt64(nodes.firstIndex(of: node)! + 1)
        let generator = SplitMix64(seed: seed &+ 0x5851_F42D_4C95_7F2D &* (index &+ UInt64(life) << 32))
        var detector = try FailureDetector(id: node, members: nodes.filter { $0 != node }, settings: settings, random: generator)
        let directives = detector.start(now: now)
        detectors[node] = detector
        perform(directives, at: node)
    }

    /// A crashed node starts again with a fresh detector; it must refute the death others recorded.
    public mutating func restart(_ node: NodeID) throws {
        crashed.remove(node)
        try boot(node)
    }

    /// The node stops for good: it sends nothing more and what reaches it is lost.
    public mutating func crash(_ node: NodeID) { crashed.insert(node) }

    /// The node stalls for `milliseconds`: its messages and timers wait and are handled, in order, after.
    public mutating func pause(_ node: NodeID, forMilliseconds milliseconds: UInt64) {
        pausedUntil[node] = now + milliseconds
    }

    /// Messages between `first` and `second` are lost both ways (other paths still work).
    public mutating func cutLink(_ first: NodeID, _ second: NodeID) {
        cutLinks.insert([first, second].sorted())
    }

    /// Performs every event due up to `time`, then sets the clock to it.
    public mutating func run(untilMilliseconds time: UInt64) {
        while let (due, event) = queue.pop() {
            guard due <= time else {
                queue.push(event, at: due)
                break
            }
            now = due
            handle(event)
        }
        now = max(now, time)
    }

    /// Runs in steps of `stepMilliseconds` until `done` holds or `limitMilliseconds` is reached; true if it held.
    public mutating func run(
        untilMilliseconds limit: UInt64, stepMilliseconds: UInt64 = 100, until done: (DetectorSimulation) -> Bool
    ) -> Bool {
        while now < limit {
            run(untilMilliseconds: min(limit, now + stepMilliseconds))
            if done(self) { return true }
        }
        return done(self)
    }

    mutating func handle(_ event: Event) {
        let node: NodeID
        switch event {
        case .deliver(_, _, let to): node = to
        case .timer(_, let owner, let life):
            node = owner
            if life != lives[owner] { return }
        }
        if crashed.contains(node) { return }
        if let until = pausedUntil[node], until > now {
            queue.push(event, at: until)
            return
        }
        switch event {
        case .deliver(let message, let from, let to):
            perform(detectors[to]!.onMessage(message, from: from, now: now), at: to)
        case .timer(let timer, let owner, _):
            perform(detectors[owner]!.onTimer(timer, now: now), at: owner)
        }
    }

    mutating func perform(_ directives: [FailureDetector.Directive], at node: NodeID) {
        for directive in directives {
            switch directive {
            case .send(let message, let to):
                messagesSent += 1
                let lost = cutLinks.contains([node, to].sorted()) || random.nextUnit() < network.lossRate
                if lost {
                    messagesLost += 1
                    continue
                }
                let jitter = network.delayJitterMilliseconds == 0 ? 0 : UInt64(random.next(below: Int(network.delayJitterMilliseconds) + 1))
                queue.push(.deliver(message, from: node, to: to), at: now + network.delayMinMilliseconds + jitter)
            case .startTimer(let timer, let afterMilliseconds):
                queue.push(.timer(timer, node: node, life: lives[node]!), at: now + afterMilliseconds)
            case .statusChanged(let change):
                observations.append(Observation(time: now, observer: node, change: change))
            case .rejected(let error):
                rejections.append("\(node): \(error)")
            }
        }
    }

    // MARK: Observations

    /// When `observer` first saw `node` in `state`, or nil.
    public func firstTime(_ observer: NodeID, saw node: NodeID, as state: FailureDetector.MemberStatus.State) -> UInt64? {
        observations.first { $0.observer == observer && $0.change.node == node && $0.change.current.state == state }?.time
    }

    /// When any node first saw `node` in `state`, or nil.
    public func firstTime(anyoneSaw node: NodeID, as state: FailureDetector.MemberStatus.State) -> UInt64? {
        observations.first { $0.change.node == node && $0.change.current.state == state }?.time
    }

    /// True when every node but `node` and the crashed ones sees `node` in `state` now.
    public func allLiveNodesSee(_ node: NodeID, as state: FailureDetector.MemberStatus.State) -> Bool {
        nodes.allSatisfy { $0 == node || crashed.contains($0) || detectors[$0]!.status(of: node)?.state == state }
    }
}
