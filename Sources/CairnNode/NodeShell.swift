import CairnCore
import CairnMembership
import CairnReplication

/// Runs one node (`ClusterNode`: a `ReplicaNode` alone, or with its gossip, failure detector and transfers):
/// feeds it events (a client request, a `NodeMessage`, a `NodeTimer`, an admin action, a new ring) with the time
/// the caller read, and performs the directives it returns, in order, over a transport, a timer service, a
/// store, a table opener and a reply sink. The simulator drives it over simulated ones, the server over real ones, so both
/// perform directives with the same code. No clock, thread or socket lives here.
///
/// A storage directive that fails stops the list: nothing after it is performed (a send or reply after a
/// persist promises the persist happened), and the node is stopped, as a crash would. Each start begins a
/// new generation; timers scheduled in an earlier one are ignored when they fire.
public final class NodeShell {
    public let id: NodeID
    /// The running node (the core and, in a cluster, its membership); nil while the node is stopped.
    public private(set) var node: ClusterNode?
    /// The running replication core; nil while the node is stopped.
    public var core: ReplicaNode? { node?.replica }
    /// Counts starts; timers carry the generation they were scheduled in.
    public private(set) var generation: UInt64 = 0
    let transport: any NodeTransport
    let timers: any NodeTimerService
    let replies: any ClientReplySink
    let tableOpener: (any TableEngineOpener)?
    private var store: (any ReplicaDirectiveStore)?
    private weak var observer: (any NodeShellObserver)?

    /// A shell over its ports; `tableOpener` opens the engines of tables the gossiped catalog creates (a node
    /// without membership needs none).
    public init(
        id: NodeID, transport: any NodeTransport, timers: any NodeTimerService, replies: any ClientReplySink,
        observer: (any NodeShellObserver)? = nil, tableOpener: (any TableEngineOpener)? = nil
    ) {
        self.id = id
        self.transport = transport
        self.timers = timers
        self.replies = replies
        self.observer = observer
        self.tableOpener = tableOpener
    }

    public var isRunning: Bool { node != nil }

    /// Starts `core` alone (no membership) over `store` (opened for this start) in a new generation and performs its
    /// start directives.
    @discardableResult
    public func start(_ core: ReplicaNode, store: any ReplicaDirectiveStore, now: UInt64) throws -> ShellOutcome {
        try start(ClusterNode(replica: core), store: store, now: now)
    }

    /// Starts `node` over `store` in a new generation and performs its start directives. A node with membership
    /// needs a `ClusterDirectiveStore` (`EngineReplicaStore` is one) and a table opener.
    @discardableResult
    public func start(_ node: ClusterNode, store: any ReplicaDirectiveStore, now: UInt64) throws -> ShellOutcome {
        precondition(node.id == id, "a shell runs its own node")
        precondition(
            node.membership == nil || (store is any ClusterDirectiveStore && tableOpener != nil),
            "a node in a cluster needs a cluster store and a table opener")
        generation += 1
        self.node = node
        self.store = store
        return try perform(self.node!.start(now: now))
    }

    /// Drops the node and all its volatile state (a crash or a clean stop); later events are ignored.
    public func stop() {
        node = nil
        store = nil
    }

    @discardableResult
    public func onClientRequest(_ request: ClientRequest, now: UInt64) throws -> ShellOutcome {
        guard node != nil else { return .notRunning }
        return try perform(node!.onClientRequest(request, now: now))
    }

    @discardableResult
    public func onMessage(_ message: NodeMessage, from sender: NodeID, now: UInt64) throws -> ShellOutcome {
        guard node != nil else { return .notRunning }
        return try perform(node!.onMessage(message, from: sender, now: now))
    }

    /// A replication message (`onMessage(.replication(message), …)`).
    @discardableResult
    public func onMessage(_ message: Message, from sender: NodeID, now: UInt64) throws -> ShellOutcome {
        try onMessage(NodeMessage.replication(message), from: sender, now: now)
    }

    /// A timer fired; one from an earlier generation (before a restart) is ignored.
    @discardableResult
    public func onTimer(_ timer: NodeTimer, generation: UInt64, now: UInt64) throws -> ShellOutcome {
        guard node != nil else { return .notRunning }
        guard generation == self.generation else { return .staleTimer }
        return try perform(node!.onTimer(timer, now: now))
    }

    /// A replication timer fired (`onTimer(.replication(timer), …)`).
    @discardableResult
    public func onTimer(_ timer: TimerID, generation: UInt64, now: UInt64) throws -> ShellOutcome {
        try onTimer(NodeTimer.replication(timer), generation: generation, now: now)
    }

    /// A new ring; the core ignores one older than the ring it has. (A node in a cluster takes its rings from gossip.)
    @discardableResult
    public func onRingChange(ring: Ring, epoch: UInt64, now: UInt64) throws -> ShellOutcome {
        guard node != nil else { return .notRunning }
        return try perform(node!.onRingChange(ring: ring, epoch: epoch, now: now))
    }

    /// An operator action on the node's gossip (see `ClusterNode.onAdmin`): throws the action's one-line error, and
    /// performs its directives when it succeeds.
    @discardableResult
    public func onAdmin(now: UInt64, _ action: (inout GossipNode) throws(GossipError) -> [GossipDirective]) throws -> ShellOutcome {
        guard node != nil else { return .notRunning }
        return try perform(node!.onAdmin(now: now, action))
    }

    /// Resumes the transfers recorded on the store (after a restart; see `ClusterNode.restoreTransfers`).
    @discardableResult
    public func restoreTransfers(records: [Transfer.ProgressRecord], dirtyKeys: [Transfer.ID: [[UInt8]]], now: UInt64) throws -> ShellOutcome {
        guard node != nil else { return .notRunning }
        return try perform(node!.restoreTransfers(records: records, dirtyKeys: dirtyKeys, now: now))
    }

    /// Performs `directives` in order; stops at a storage failure or where the observer says so. The observer sees
    /// the replication directives only, indexed among themselves (for a node without membership, all of them).
    func perform(_ directives: [NodeDirective]) throws -> ShellOutcome {
        let replicated = directives.compactMap { directive -> Directive? in
            if case .replica(let inner) = directive { inner } else { nil }
        }
        try observer?.willPerform(replicated)
        var replicatedIndex = 0
        for (index, directive) in directives.enumerated() {
            guard node != nil else { return .stopped(atIndex: index) }
            switch directive {
            case .replica(let inner):
                if let observer, try !observer.shouldPerform(inner, index: replicatedIndex, of: replicated) {
                    return .stopped(atIndex: index)
                }
                if let failed = try performReplicated(inner, index: index) { return failed }
                try observer?.didPerform(inner, index: replicatedIndex)
                replicatedIndex += 1
            case .send(let to, let message):
                transport.send(to: to, message)
            case .startTimer(let timer, let after):
                timers.schedule(timer, afterMilliseconds: after, generation: generation)
            case .log(let line):
                observer?.log(line)
            case .transferStorage, .persistClusterState, .openTable:
                do {
                    try performClusterStorage(directive)
                } catch {
                    observer?.log("\(id): storage failed, stopping: \(error)")
                    stop()
                    return .storageFailed(atIndex: index)
                }
            }
        }
        try observer?.didPerformAll(replicated)
        return .performed
    }

    /// Performs one replication directive; returns the outcome when a storage directive failed (the node is stopped).
    private func performReplicated(_ directive: Directive, index: Int) throws -> ShellOutcome? {
        switch directive {
        case .send(let to, let message):
            transport.send(to: to, .replication(message))
        case .reply(let reply):
            replies.deliver(reply)
        case .startTimer(let timer, let after):
            timers.schedule(.replication(timer), afterMilliseconds: after, generation: generation)
        case .persist, .remove, .persistHint, .removeHint, .quarantine:
            guard let store else { preconditionFailure("a running shell has a store") }
            do {
                try store.perform(directive)
            } catch {
                try observer?.storageFailed(directive, error: error)
                stop()
                return .storageFailed(atIndex: index)
            }
        case .log(let line):
            observer?.log(line)
        }
        return nil
    }

    private func performClusterStorage(_ directive: NodeDirective) throws {
        guard let store = store as? any ClusterDirectiveStore else { preconditionFailure("a node in a cluster has a cluster store") }
        switch directive {
        case .transferStorage(let step):
            try store.perform(step)
        case .persistClusterState(let state):
            try store.persistClusterState(state)
        case .openTable(let definition):
            guard let tableOpener else { preconditionFailure("a node in a cluster has a table opener") }
            try store.addTable(definition.name, engine: try tableOpener.openEngine(for: definition))
        case .replica, .send, .startTimer, .log:
            preconditionFailure("not a cluster storage directive")
        }
    }
}

/// What became of an event a shell was given.
public enum ShellOutcome: Equatable, Sendable {
    /// Every directive was performed.
    case performed
    /// The node is stopped; the event was dropped.
    case notRunning
    /// The timer was scheduled before the node's latest start; it was dropped.
    case staleTimer
    /// The observer stopped the list before directive `atIndex` (the node crashed there).
    case stopped(atIndex: Int)
    /// Directive `atIndex` could not be stored: nothing after it was performed and the node was stopped.
    case storageFailed(atIndex: Int)
}
