import CairnCore
import CairnReplication

/// Runs one `ReplicaNode`: feeds it events (a client request, a message, a timer, a new ring) with the time
/// the caller read, and performs the directives it returns, in order, over a transport, a timer service, a
/// store and a reply sink. The simulator drives it over simulated ones, the server over real ones, so both
/// perform directives with the same code. No clock, thread or socket lives here.
///
/// A storage directive that fails stops the list: nothing after it is performed (a send or reply after a
/// persist promises the persist happened), and the node is stopped, as a crash would. Each start begins a
/// new generation; timers scheduled in an earlier one are ignored when they fire.
public final class NodeShell {
    public let id: NodeID
    /// The running state machine; nil while the node is stopped.
    public private(set) var core: ReplicaNode?
    /// Counts starts; timers carry the generation they were scheduled in.
    public private(set) var generation: UInt64 = 0
    let transport: any NodeTransport
    let timers: any NodeTimerService
    let replies: any ClientReplySink
    private var store: (any ReplicaDirectiveStore)?
    private weak var observer: (any NodeShellObserver)?

    public init(
        id: NodeID, transport: any NodeTransport, timers: any NodeTimerService, replies: any ClientReplySink,
        observer: (any NodeShellObserver)? = nil
    ) {
        self.id = id
        self.transport = transport
        self.timers = timers
        self.replies = replies
        self.observer = observer
    }

    public var isRunning: Bool { core != nil }

    /// Starts `core` over `store` (opened for this start) in a new generation and performs its start directives.
    @discardableResult
    public func start(_ core: ReplicaNode, store: any ReplicaDirectiveStore, now: UInt64) throws -> ShellOutcome {
        precondition(core.id == id, "a shell runs its own node")
        generation += 1
        self.core = core
        self.store = store
        return try perform(self.core!.start(now: now))
    }

    /// Drops the core and all its volatile state (a crash or a clean stop); later events are ignored.
    public func stop() {
        core = nil
        store = nil
    }

    @discardableResult
    public func onClientRequest(_ request: ClientRequest, now: UInt64) throws -> ShellOutcome {
        guard core != nil else { return .notRunning }
        return try perform(core!.onClientRequest(request, now: now))
    }

    @discardableResult
    public func onMessage(_ message: Message, from sender: NodeID, now: UInt64) throws -> ShellOutcome {
        guard core != nil else { return .notRunning }
        return try perform(core!.onMessage(message, from: sender, now: now))
    }

    /// A timer fired; one from an earlier generation (before a restart) is ignored.
    @discardableResult
    public func onTimer(_ timer: TimerID, generation: UInt64, now: UInt64) throws -> ShellOutcome {
        guard core != nil else { return .notRunning }
        guard generation == self.generation else { return .staleTimer }
        return try perform(core!.onTimer(timer, now: now))
    }

    /// A new ring; the core ignores one older than the ring it has.
    @discardableResult
    public func onRingChange(ring: Ring, epoch: UInt64, now: UInt64) throws -> ShellOutcome {
        guard core != nil else { return .notRunning }
        return try perform(core!.onRingChange(ring: ring, epoch: epoch, now: now))
    }

    /// Performs `directives` in order; stops at a storage failure or where the observer says so.
    func perform(_ directives: [Directive]) throws -> ShellOutcome {
        try observer?.willPerform(directives)
        for (index, directive) in directives.enumerated() {
            guard core != nil else { return .stopped(atIndex: index) }
            if let observer, try !observer.shouldPerform(directive, index: index, of: directives) {
                return .stopped(atIndex: index)
            }
            switch directive {
            case .send(let to, let message):
                transport.send(to: to, message)
            case .reply(let reply):
                replies.deliver(reply)
            case .startTimer(let timer, let after):
                timers.schedule(timer, afterMilliseconds: after, generation: generation)
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
            try observer?.didPerform(directive, index: index)
        }
        try observer?.didPerformAll(directives)
        return .performed
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
